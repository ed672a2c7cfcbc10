"""Write and verify the audit log.

Each entry's hash covers its content and the previous entry's hash, so editing or removing an entry
breaks the chain from there on. Appends use a conditional put on the next sequence number; a writer that
loses the race re-reads the tail and tries again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError

from oshi.kernel import clock
from oshi.models.audit import AuditEntry

GENESIS = "0" * 64
MAX_APPEND_ATTEMPTS = 8


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


def record(
    actor: str,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    at = now or clock.utc_now()
    partition = at.strftime("%Y-%m-%d")
    for _ in range(MAX_APPEND_ATTEMPTS):
        tail = next(
            iter(AuditEntry.query(partition, scan_index_forward=False, limit=1, consistent_read=True)), None
        )
        entry = AuditEntry(
            partition,
            (int(tail.seq) + 1) if tail else 1,
            at=at,
            actor=actor,
            action=action,
            target=target,
            before=before,
            after=after,
            request_id=request_id,
            prev_hash=tail.hash if tail else GENESIS,
        )
        entry.hash = _digest(entry.prev_hash, _fields(entry))
        try:
            entry.save(condition=AuditEntry.seq.does_not_exist())
            return entry
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
    raise RuntimeError(f"audit append lost the race {MAX_APPEND_ATTEMPTS} times in partition {partition}")


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
    return list(AuditEntry.query(partition, consistent_read=True))
