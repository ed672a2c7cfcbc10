"""Request and response shapes of the medal and exchange handlers (``ItemOut`` is shared: ``oshi.web.schemas``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from exchange.bodies import ID  # defined without pydantic: the read routes' parameters use it too
from oshi.models.rewards import LedgerKind
from oshi.rewards import exchange
from oshi.web.schemas.exchange import ItemOut


# --- medals -------------------------------------------------------------------------------------------------
class BalanceOut(BaseModel):
    vtuber_id: str
    balance: int
    earned: int
    spent: int = Field(description="Spent in the exchange, plus medals taken back by refunds")
    updated_at: datetime | None = None


class BalancesOut(BaseModel):
    items: list[BalanceOut]
    total_balance: int
    total_earned: int
    total_spent: int


class LedgerEntryOut(BaseModel):
    entry_id: str
    kind: LedgerKind
    delta: int
    source_id: str = Field(description="The order or exchange that caused it")
    created_at: datetime


class HistoryOut(BaseModel):
    vtuber_id: str
    items: list[LedgerEntryOut]
    next_cursor: str | None = None


class StoredTotalsOut(BaseModel):
    """What the fan's medal balance item says."""

    balance: int
    earned: int
    spent: int


class LedgerTotalsOut(StoredTotalsOut):
    """What the fan's ledger entries add up to."""

    entries: int


class MismatchOut(BaseModel):
    fan_id: str
    vtuber_id: str
    balance: StoredTotalsOut | None = Field(description="null: the ledger has entries but no balance exists")
    ledger: LedgerTotalsOut


class MedalReportOut(BaseModel):
    ok: bool
    balances_checked: int
    ledger_entries: int
    mismatches: list[MismatchOut]


# --- the shop -------------------------------------------------------------------------------------------------
class ItemsOut(BaseModel):
    vtuber_id: str
    items: list[ItemOut]


class TradeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_id: str = Field(pattern=ID)
    quantity: StrictInt = Field(default=1, ge=1, le=exchange.MAX_QUANTITY)


class TradeOut(BaseModel):
    exchange_id: str
    item_id: str
    vtuber_id: str
    quantity: int
    medals_spent: int
    reward_ids: list[str]
    created_at: datetime
    replayed: bool = Field(description="True when this Idempotency-Key's earlier trade is returned")
