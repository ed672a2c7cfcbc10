"""Reads of the reward box and of medals: pages with opaque cursors, and the ledger = balance check.

Revoked rewards (their order was refunded) are not listed: to the fan they are gone, as a download of
one answers 404. Filters (source, VTuber) are applied while paging, so a page is full unless the box
ends; the cursor is the key of the last reward returned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from oshi.kernel import cursors
from oshi.kernel.errors import InvalidCursor
from oshi.models.rewards import MedalBalance, MedalLedgerEntry, Reward, RewardSource, fan_vtuber

MAX_PAGE = 100
DEFAULT_PAGE = 20
_MAX_READS_PER_PAGE = 10  # bounds the work one request can cause when a filter matches little

_BOX_KEYS = ("fan_id", "reward_id")
_BY_VTUBER_KEYS = ("fan_id", "reward_id", "fan_vtuber")
_LEDGER_KEYS = ("fan_vtuber", "entry_id")


def _key_of(reward: Reward, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: {"S": str(getattr(reward, name))} for name in names}


def list_rewards(
    fan_id: str,
    *,
    source: RewardSource | None = None,
    vtuber_id: str | None = None,
    limit: int = DEFAULT_PAGE,
    cursor: str | None = None,
) -> tuple[list[Reward], str | None]:
    """One page of the fan's rewards, newest first (reward ids start with a ULID)."""
    limit = max(1, min(limit, MAX_PAGE))
    keys = _BY_VTUBER_KEYS if vtuber_id else _BOX_KEYS
    start = cursors.decode(cursor, keys)
    if start is not None and start["fan_id"]["S"] != fan_id:
        raise InvalidCursor()  # another fan's cursor: ours only
    condition: Any = Reward.revoked.does_not_exist() | (Reward.revoked == False)  # noqa: E712
    if source is not None:
        condition = condition & (Reward.source == source.value)
    found: list[Reward] = []
    more = False
    for _ in range(_MAX_READS_PER_PAGE):
        if vtuber_id:
            results = Reward.by_vtuber.query(
                fan_vtuber(fan_id, vtuber_id),
                filter_condition=condition,
                scan_index_forward=False,
                limit=limit + 1,
                last_evaluated_key=start,
            )
        else:
            results = Reward.query(
                fan_id,
                filter_condition=condition,
                scan_index_forward=False,
                limit=limit + 1,
                last_evaluated_key=start,
            )
        found.extend(results)
        start = results.last_evaluated_key
        if len(found) > limit or not start:
            break
    if len(found) > limit:
        found, more = found[:limit], True
    elif start:
        more = True  # stopped at the read bound: carry on from the last one returned
    if not more:
        return found, None
    # resume after the last reward returned; if the read bound found none, after the last one read
    return found, cursors.encode(_key_of(found[-1], keys) if found else start)


# --- medals ---------------------------------------------------------------------------------------------


def balances(fan_id: str) -> list[MedalBalance]:
    """Every VTuber's balance of the fan, read consistently (never decide on a stale balance)."""
    return list(MedalBalance.query(fan_id, consistent_read=True))


def history(
    fan_id: str, vtuber_id: str, *, limit: int = DEFAULT_PAGE, cursor: str | None = None
) -> tuple[list[MedalLedgerEntry], str | None]:
    """One page of the ledger, newest first (entry ids start with the source's ULID)."""
    limit = max(1, min(limit, MAX_PAGE))
    partition = fan_vtuber(fan_id, vtuber_id)
    start = cursors.decode(cursor, _LEDGER_KEYS)
    if start is not None and start["fan_vtuber"]["S"] != partition:
        raise InvalidCursor()
    results = MedalLedgerEntry.query(
        partition, scan_index_forward=False, limit=limit, last_evaluated_key=start, consistent_read=True
    )
    entries = list(results)
    return entries, cursors.encode(results.last_evaluated_key)


@dataclass
class LedgerTotals:
    balance: int = 0
    earned: int = 0
    spent: int = 0
    entries: int = 0


@dataclass
class LedgerReport:
    balances_checked: int = 0
    ledger_entries: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def check_ledger() -> LedgerReport:
    """For every balance, the ledger's sums; every difference (or ledger without balance) is listed.

    Two scans (the balance and ledger tables), so it is an operator's report, not a request path."""
    sums: dict[tuple[str, str], LedgerTotals] = defaultdict(LedgerTotals)
    report = LedgerReport()
    for entry in MedalLedgerEntry.scan():
        totals = sums[(entry.fan_id, entry.vtuber_id)]
        delta = int(entry.delta)
        totals.balance += delta
        totals.earned += max(delta, 0)
        totals.spent += max(-delta, 0)
        totals.entries += 1
        report.ledger_entries += 1
    seen = set()
    for balance in MedalBalance.scan(consistent_read=True):
        key = (balance.fan_id, balance.vtuber_id)
        seen.add(key)
        report.balances_checked += 1
        totals = sums.get(key, LedgerTotals())
        stored = LedgerTotals(int(balance.balance or 0), int(balance.earned or 0), int(balance.spent or 0))
        if (stored.balance, stored.earned, stored.spent) != (totals.balance, totals.earned, totals.spent):
            report.mismatches.append(_mismatch(key, stored, totals))
    for key, totals in sums.items():
        if key not in seen:
            report.mismatches.append(_mismatch(key, None, totals))
    return report


def _mismatch(key: tuple[str, str], stored: LedgerTotals | None, ledger: LedgerTotals) -> dict[str, Any]:
    return {
        "fan_id": key[0],
        "vtuber_id": key[1],
        "balance": None
        if stored is None
        else {"balance": stored.balance, "earned": stored.earned, "spent": stored.spent},
        "ledger": {
            "balance": ledger.balance,
            "earned": ledger.earned,
            "spent": ledger.spent,
            "entries": ledger.entries,
        },
    }
