"""Request and response shapes of the medal and exchange handlers (and the VTuber's item creation)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from oshi.models.exchange import Exchange, ExchangeItem
from oshi.models.rewards import MedalBalance, MedalLedgerEntry
from oshi.rewards import exchange

ID = r"^[0-9a-z]{26}$"


# --- medals -------------------------------------------------------------------------------------------------
class BalanceOut(BaseModel):
    vtuber_id: str
    balance: int
    earned: int
    spent: int = Field(description="Spent in the exchange, plus medals taken back by refunds")
    updated_at: datetime | None = None

    @classmethod
    def of(cls, b: MedalBalance) -> BalanceOut:
        return cls(
            vtuber_id=b.vtuber_id,
            balance=int(b.balance or 0),
            earned=int(b.earned or 0),
            spent=int(b.spent or 0),
            updated_at=b.updated_at,
        )


class BalancesOut(BaseModel):
    items: list[BalanceOut]
    total_balance: int
    total_earned: int
    total_spent: int


class LedgerEntryOut(BaseModel):
    entry_id: str
    kind: str = Field(description="earn | spend | clawback")
    delta: int
    source_id: str = Field(description="The order or exchange that caused it")
    created_at: datetime

    @classmethod
    def of(cls, e: MedalLedgerEntry) -> LedgerEntryOut:
        return cls(
            entry_id=e.entry_id,
            kind=e.kind,
            delta=int(e.delta),
            source_id=e.source_id,
            created_at=e.created_at,
        )


class HistoryOut(BaseModel):
    vtuber_id: str
    items: list[LedgerEntryOut]
    next_cursor: str | None = None


class MismatchOut(BaseModel):
    fan_id: str
    vtuber_id: str
    balance: dict[str, int] | None
    ledger: dict[str, int]


class MedalReportOut(BaseModel):
    ok: bool
    balances_checked: int
    ledger_entries: int
    mismatches: list[MismatchOut]


# --- the shop -------------------------------------------------------------------------------------------------
class ItemOut(BaseModel):
    item_id: str
    vtuber_id: str
    name: str
    description: str
    cost: int = Field(description="Medals per unit")
    per_user_limit: int
    your_count: int | None = Field(default=None, description="Units the caller has obtained so far")
    stock: int | None = Field(default=None, description="Units on offer in total; null = unlimited")
    remaining: int | None = None
    starts_at: datetime
    ends_at: datetime
    state: str | None = Field(default=None, description="upcoming | on_sale | sold_out | suspended")
    type: str = Field(description="The granted file's MIME type")
    size_bytes: int

    @classmethod
    def of(cls, item: ExchangeItem, your_count: int | None = None, state: str | None = None) -> ItemOut:
        return cls(
            item_id=item.item_id,
            vtuber_id=item.vtuber_id,
            name=item.name,
            description=item.description or "",
            cost=int(item.cost),
            per_user_limit=int(item.per_user_limit),
            your_count=your_count,
            stock=None if item.stock is None else int(item.stock),
            remaining=None if item.remaining is None else int(item.remaining),
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            state=state,
            type=item.asset_content_type,
            size_bytes=int(item.asset_size_bytes),
        )


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

    @classmethod
    def of(cls, record: Exchange, replayed: bool) -> TradeOut:
        return cls(
            exchange_id=record.exchange_id,
            item_id=record.item_id,
            vtuber_id=record.vtuber_id,
            quantity=int(record.quantity),
            medals_spent=int(record.medals),
            reward_ids=[str(r) for r in record.reward_ids],
            created_at=record.created_at,
            replayed=replayed,
        )


class ItemCreateIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # unknown keys are still screened for complete-gacha terms

    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=2000)
    cost: StrictInt = Field(description="Medals per unit")
    per_user_limit: StrictInt
    stock: StrictInt | None = None
    starts_at: datetime
    ends_at: datetime
    asset_id: str = Field(pattern=ID)

    def spec(self) -> exchange.ItemSpec:
        return exchange.ItemSpec(
            name=self.name,
            description=self.description,
            cost=self.cost,
            per_user_limit=self.per_user_limit,
            stock=self.stock,
            starts_at=_aware(self.starts_at),
            ends_at=_aware(self.ends_at),
            asset_id=self.asset_id,
        )


def _aware(at: datetime) -> datetime:
    from datetime import UTC

    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def item_created(item: ExchangeItem) -> dict[str, Any]:
    return ItemOut.of(item).model_dump(mode="json") | {"asset_id": item.asset_id, "status": item.status}
