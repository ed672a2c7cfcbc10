"""Oshi medals: the one place that changes a balance, always with its ledger entry in the same transaction.

``credit`` and ``debit`` add two actions to a caller's :class:`~oshi.kernel.txn.Txn` (the balance update and the
ledger put), so a fulfilment or a trade commits medals together with everything else, or not at all.
The ledger entry's key is derived from its source, so a retried source cannot write it twice.
"""

from __future__ import annotations

from datetime import datetime

from oshi.kernel.txn import Txn
from oshi.models.rewards import LedgerKind, MedalBalance, MedalLedgerEntry, fan_vtuber

BALANCE = "medal-balance"  # the label of the balance update in a transaction
LEDGER = "medal-ledger"


def ledger_entry_id(source_id: str, kind: LedgerKind) -> str:
    return f"{source_id}#{kind.value}"


def _ledger_put(
    txn: Txn,
    fan_id: str,
    vtuber_id: str,
    kind: LedgerKind,
    delta: int,
    source_id: str,
    at: datetime,
    *,
    multiplier: int | None = None,
    campaign_id: str | None = None,
) -> None:
    entry = MedalLedgerEntry(
        fan_vtuber(fan_id, vtuber_id),
        ledger_entry_id(source_id, kind),
        fan_id=fan_id,
        vtuber_id=vtuber_id,
        kind=kind.value,
        delta=delta,
        source_id=source_id,
        created_at=at,
        multiplier=multiplier,
        campaign_id=campaign_id,
    )
    txn.put(LEDGER, entry, condition=MedalLedgerEntry.entry_id.does_not_exist())


def credit(
    txn: Txn,
    fan_id: str,
    vtuber_id: str,
    amount: int,
    source_id: str,
    at: datetime,
    *,
    multiplier: int | None = None,
    campaign_id: str | None = None,
) -> None:
    """Earn ``amount`` medals (a fulfilled order). Creates the balance item on first earn. ``multiplier``:
    a campaign's medal multiplier already applied to ``amount``, recorded on the ledger entry."""
    if amount <= 0:
        raise ValueError("a credit is a positive number of medals")
    balance = MedalBalance(fan_id, vtuber_id)
    txn.update(
        BALANCE,
        balance,
        actions=[
            MedalBalance.balance.add(amount),
            MedalBalance.earned.add(amount),
            MedalBalance.updated_at.set(at),
        ],
    )
    _ledger_put(
        txn,
        fan_id,
        vtuber_id,
        LedgerKind.EARN,
        amount,
        source_id,
        at,
        multiplier=multiplier,
        campaign_id=campaign_id,
    )


def debit(
    txn: Txn,
    fan_id: str,
    vtuber_id: str,
    amount: int,
    source_id: str,
    at: datetime,
    kind: LedgerKind = LedgerKind.SPEND,
) -> None:
    """Take ``amount`` medals; the transaction fails on label ``BALANCE`` if the balance is short."""
    if amount <= 0:
        raise ValueError("a debit is a positive number of medals")
    balance = MedalBalance(fan_id, vtuber_id)
    txn.update(
        BALANCE,
        balance,
        actions=[
            MedalBalance.balance.add(-amount),
            MedalBalance.spent.add(amount),
            MedalBalance.updated_at.set(at),
        ],
        condition=MedalBalance.balance >= amount,
    )
    _ledger_put(txn, fan_id, vtuber_id, kind, -amount, source_id, at)
