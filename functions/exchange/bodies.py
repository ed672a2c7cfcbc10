"""The medal routes' answers in JSON form, without pydantic (``exchange.schemas`` documents them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from oshi.web.response import JsonObject
from oshi.web.shapes import json_datetime

if TYPE_CHECKING:
    from oshi.models.exchange import Exchange
    from oshi.models.rewards import MedalBalance, MedalLedgerEntry
    from oshi.rewards.queries import LedgerReport

ID = r"^[0-9a-z]{26}$"  # a vtuber or item id (``oshi.kernel.ids``)


def balance(b: MedalBalance) -> JsonObject:
    """One VTuber's balance as ``BalanceOut`` documents it."""
    return {
        "vtuber_id": b.vtuber_id,
        "balance": int(b.balance or 0),
        "earned": int(b.earned or 0),
        "spent": int(b.spent or 0),
        "updated_at": None if b.updated_at is None else json_datetime(b.updated_at),
    }


def balances(found: Iterable[MedalBalance]) -> JsonObject:
    """``BalancesOut``: every balance and the totals over them."""
    items = [balance(b) for b in found]
    return {
        "items": items,
        "total_balance": sum(i["balance"] for i in items),
        "total_earned": sum(i["earned"] for i in items),
        "total_spent": sum(i["spent"] for i in items),
    }


def ledger_entry(e: MedalLedgerEntry) -> JsonObject:
    """One ledger entry as ``LedgerEntryOut`` documents it (``kind`` is a ``LedgerKind`` value)."""
    return {
        "entry_id": e.entry_id,
        "kind": e.kind,
        "delta": int(e.delta),
        "source_id": e.source_id,
        "created_at": json_datetime(e.created_at),
    }


def medal_report(report: LedgerReport) -> JsonObject:
    """``MedalReportOut``: the mismatches are already in JSON form (``queries._mismatch``)."""
    return {
        "ok": report.ok,
        "balances_checked": report.balances_checked,
        "ledger_entries": report.ledger_entries,
        "mismatches": report.mismatches,
    }


def trade(record: Exchange, replayed: bool) -> JsonObject:
    """A trade as ``TradeOut`` documents it (``replayed``: an Idempotency-Key's earlier trade)."""
    return {
        "exchange_id": record.exchange_id,
        "item_id": record.item_id,
        "vtuber_id": record.vtuber_id,
        "quantity": int(record.quantity),
        "medals_spent": int(record.medals),
        "reward_ids": [str(r) for r in record.reward_ids],
        "created_at": json_datetime(record.created_at),
        "replayed": replayed,
    }
