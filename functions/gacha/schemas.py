"""Shapes of the gacha read routes and the admins' order repairs (the order shapes are in
``gacha.purchase_schemas``).

These routes build their bodies in JSON form (``gacha.bodies``) and name these models by reference, so
their cold start imports no pydantic; the models document them and check every answer in the tests
(``oshi.web.shapes``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from gacha.bodies import FAIRNESS_ALGORITHMS
from oshi.models.orders import OrderStatus, Provider
from oshi.web.schemas import IsoDateTime
from oshi.web.schemas.fairness import AnyTableDocument, BoxDocument, BoxOrderProof


class RefundIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class RefundOut(BaseModel):
    order_id: str
    status: OrderStatus
    provider_refund_id: str | None = None
    refund_reason: str | None = None
    medals_clawed_back: int | None = None
    medals_unrecovered: int | None = None


class RetryOut(BaseModel):
    order_id: str
    outcome: Literal["fulfilled", "done", "not_paid", "missing", "refunded", "refund_due"]  # fulfil.Outcome
    status: OrderStatus


class DayTotalsOut(BaseModel):
    """One provider's paid orders on one business day (``reconciliation.DayTotals``)."""

    provider: Provider
    day: str = Field(description="The paid day in JST, YYYY-MM-DD")
    orders: int
    amount: int = Field(description="Integer JPY")
    fulfilled: int
    refunded: int
    refunded_amount: int = Field(description="Integer JPY")
    awaiting_fulfilment: int


class AttentionOut(BaseModel):
    """A paid order not fulfilled within ``stale_after_minutes``."""

    order_id: str
    provider: Provider
    amount: int = Field(description="Integer JPY")
    paid_at: IsoDateTime
    minutes_waiting: int
    reason: Literal["paid_not_fulfilled"]


class ReconciliationOut(BaseModel):
    generated_at: datetime
    stale_after_minutes: int
    paid_orders: int
    totals: list[DayTotalsOut]
    needs_attention: list[AttentionOut]


class RateTableVersion(BaseModel):
    version: int
    hash: str
    effective_from: datetime
    rate_table: AnyTableDocument


class FairnessOut(BaseModel):
    gacha_id: str
    algorithm: str = FAIRNESS_ALGORITHMS
    commitment: str
    rate_table_version: int
    rate_table_hash: str
    rate_table_history: list[RateTableVersion]
    sale_ends_at: datetime
    server_seed: str | None = None  # hex, revealed after the sale ends
    revealed_at: datetime | None = None


class PrizeStatsOut(BaseModel):
    prize_id: str
    name: str
    rarity: str
    stated_rate: float
    stated_ppm: int
    drawn: int
    observed_rate: float | None
    interval_low: float
    interval_high: float
    within_interval: bool


class StatsOut(BaseModel):
    gacha_id: str
    draws_at_stated_rates: int  # main-table draws while nothing had run out: these are compared
    other_draws: (
        int  # guaranteed slots and draws after a limited prize ran out (their proofs show the weights)
    )
    confidence: float
    final: bool
    prizes: list[PrizeStatsOut]


class BoxDrawLog(BaseModel):
    gacha_id: str
    box: BoxDocument
    box_hash: str = Field(description="Published with the box before its sale (the gacha's rate_table_hash)")
    commitment: str
    server_seed: str = Field(description="The revealed server seed, hex")
    tickets_drawn: int
    last_one_order_id: str | None
    orders: list[BoxOrderProof] = Field(description="Every order's proof, by position")


class CeilingCounter(BaseModel):
    ceiling: int = Field(description="The N-th consecutive draw without the top rarity is top rarity")
    rarity: str = Field(description="The top rarity the ceiling guarantees")
    since_top: int = Field(description="Your paid draws on this gacha since your last top-rarity prize")
    draws_left: int = Field(
        description="あと N 回で天井: the draw this many from now is top rarity at the latest"
    )


class FirstTenOffer(BaseModel):
    campaign_id: str
    price_ten: int = Field(description="Your first 10-draw's price (JPY)")
    list_price: int = Field(description="The usual 10-draw price (JPY)")
    ends_at: str


class GachaMe(BaseModel):
    gacha_id: str
    price_single: int
    price_ten: int = Field(description="What your next 10-draw costs (the discount applied if it is yours)")
    first_ten: FirstTenOffer | None = Field(description="初回限定: your first 10-draw discount, if unused")
    ceiling: CeilingCounter | None = Field(description="null: this gacha has no ceiling")
    orders_drawn: int = Field(description="Your fulfilled orders on this gacha")


class SpendingOut(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="The spending month, Japan time (YYYY-MM)")
    monthly_cap_jpy: int | None = Field(description="null: no cap (an adult who set none)")
    spent_jpy: int = Field(description="Paid this month plus what pending orders reserve")
    remaining_jpy: int | None = Field(description="null: no cap")
