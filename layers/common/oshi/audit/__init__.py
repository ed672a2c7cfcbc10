"""Write and verify the audit log: a transactional outbox, chained asynchronously.

Each chained entry's hash covers its content and the previous entry's hash, so editing or removing an
entry breaks the chain from there on (one chain per UTC day). Writers never touch the chain: ``record``
(one PutItem) or ``add`` (one action in the caller's ``Txn``, so the entry commits with the state change it
records) write an ``AuditPending`` item with a unique, time-ordered key. ``chain_pending`` (the audit
chainer: the outbox table's stream on AWS, a schedule as the sweep and locally) moves pending entries into
the chain in key order, each move one transaction (put the chained entry on the next sequence number, delete
the pending one), so a crash or a concurrent chainer never loses or doubles an entry. Readers
(``partition_entries``) see the chain as far as it is built, and ``pending_count`` of what still waits: an
entry is never shown or exported unchained.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from oshi.kernel import clock
from oshi.kernel.ids import new_id
from oshi.models.audit import AuditEntry, AuditPending

if TYPE_CHECKING:
    from oshi.kernel.txn import Txn

GENESIS = "0" * 64
_SEQUENCE = itertools.count()
CHAIN_BATCH = 25  # entries moved per transaction: 2 actions each, under the 100-action limit
MAX_CHAIN_CONFLICTS = 50  # another chainer moving the same day: re-read the tail and go on


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "partition": entry.partition,
        "seq": int(entry.seq),
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "before": entry.before,
        "after": entry.after,
        "request_id": entry.request_id,
    }


def _entry_id(at: datetime) -> str:
    """Time first (a ULID's millisecond prefix), then this process's counter, so one writer's entries keep
    their order within a millisecond; then random, so two writers never collide. Entries of different
    writers in the same millisecond are chained in an arbitrary but fixed order."""
    return f"{new_id(int(at.timestamp() * 1000))[:10]}{next(_SEQUENCE):012d}{secrets.token_hex(8)}"


def pending(
    actor: str,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> AuditPending:
    """An outbox entry (not saved). Its day is the chain partition it joins; its ULID orders it."""
    at = now or clock.utc_now()
    return AuditPending(
        at.strftime("%Y-%m-%d"),
        _entry_id(at),
        at=at,
        actor=actor,
        action=action,
        target=target,
        before=before,
        after=after,
        request_id=request_id,
    )


def record(
    actor: str,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> AuditPending:
    """Record an entry on its own: one conditional PutItem, never a read (no race on the chain's tail)."""
    entry = pending(actor, action, target, before=before, after=after, request_id=request_id, now=now)
    entry.save(condition=AuditPending.entry_id.does_not_exist())
    return entry


def add(
    txn: Txn,
    actor: str,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> AuditPending:
    """Record an entry inside ``txn``: it exists if and only if the state change it records committed."""
    entry = pending(actor, action, target, before=before, after=after, request_id=request_id, now=now)
    txn.put("audit", entry, condition=AuditPending.entry_id.does_not_exist())
    return entry


def _tail(day: str) -> AuditEntry | None:
    query = AuditEntry.query(day, scan_index_forward=False, limit=1, consistent_read=True)
    return next(iter(query), None)


def chain_day(day: str) -> int:
    """Chain the day's pending entries in key order; returns how many this call moved. Idempotent and safe
    to run concurrently: each batch is one transaction conditional on the next sequence numbers being free
    and on the pending entries still existing, so a conflict moves nothing and is retried from the tail."""
    from oshi.kernel.txn import ConditionsFailed, Txn

    moved = conflicts = 0
    while True:
        batch = list(AuditPending.query(day, consistent_read=True, limit=CHAIN_BATCH))[:CHAIN_BATCH]
        if not batch:
            return moved
        tail = _tail(day)
        seq, prev_hash = (int(tail.seq), tail.hash) if tail else (0, GENESIS)
        txn = Txn()
        for item in batch:
            seq += 1
            entry = AuditEntry(
                day,
                seq,
                at=item.at,
                actor=item.actor,
                action=item.action,
                target=item.target,
                before=item.before,
                after=item.after,
                request_id=item.request_id,
                prev_hash=prev_hash,
            )
            entry.hash = prev_hash = _digest(entry.prev_hash, _fields(entry))
            txn.put(f"chain:{seq}", entry, condition=AuditEntry.seq.does_not_exist())
            txn.delete(f"pending:{item.entry_id}", item, condition=AuditPending.entry_id.exists())
        try:
            txn.commit()
        except ConditionsFailed:
            conflicts += 1  # another chainer moved some of these, or extended the chain: start again
            if conflicts > MAX_CHAIN_CONFLICTS:
                raise
            continue
        moved += len(batch)


def pending_days() -> list[str]:
    """The days with entries still in the outbox (a scan: the outbox holds only what is not yet chained)."""
    return sorted({item.day for item in AuditPending.scan(attributes_to_get=["day", "entry_id"])})


def chain_pending(days: Iterable[str] | None = None) -> int:
    """Chain every pending entry (of ``days``, or of every day in the outbox: the sweep for leftovers)."""
    return sum(chain_day(day) for day in (pending_days() if days is None else days))


def pending_count(day: str) -> int:
    return sum(1 for _ in AuditPending.query(day, consistent_read=True, attributes_to_get=["entry_id"]))


HASHED_FIELDS = ("partition", "seq", "at", "actor", "action", "target", "before", "after", "request_id")


def to_json(entry: AuditEntry) -> dict[str, Any]:
    """An entry as exported (``GET /api/admin/audit``): everything ``tools/verify_audit.py`` re-hashes."""
    return {**_fields(entry), "prev_hash": entry.prev_hash, "hash": entry.hash}


def verify_documents(documents: Iterable[dict[str, Any]]) -> list[str]:
    """Problems found in one partition's exported entries, in sequence order; empty means intact."""
    problems = []
    prev_hash, expected_seq = GENESIS, 1
    for doc in documents:
        seq = int(doc["seq"])
        if seq != expected_seq:
            problems.append(f"seq {expected_seq} missing before {seq}")
        if doc["prev_hash"] != prev_hash:
            problems.append(f"seq {seq}: prev_hash does not match the previous entry")
        if _digest(doc["prev_hash"], {name: doc[name] for name in HASHED_FIELDS}) != doc["hash"]:
            problems.append(f"seq {seq}: content does not match its hash")
        prev_hash, expected_seq = doc["hash"], seq + 1
    return problems


def verify_chain(entries: Iterable[AuditEntry]) -> list[str]:
    """Problems found in one partition's entries given in sequence order; empty means intact."""
    return verify_documents(to_json(entry) for entry in entries)


def partition_entries(partition: str) -> list[AuditEntry]:
    """The day's chain as far as the chainer has built it (``pending_count`` says what still waits)."""
    return list(AuditEntry.query(partition, consistent_read=True))
