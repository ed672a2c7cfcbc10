"""Request and response shapes of the purchase and order endpoints (``gacha.bodies.order`` builds an order's,
without pydantic, for the write route and the read routes alike)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from oshi.draw import fairness
from oshi.models.orders import OrderStatus, Provider
from oshi.web.schemas.fairness import OrderResults

ID = r"^[0-9a-z]{26}$"
PaymentMethod = Literal["card", "konbini", "paypay"]


class PurchaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gacha_id: str = Field(pattern=ID)
    count: Literal[1, 10]
    provider: Literal["stripe", "komoju"]
    payment_method: PaymentMethod = "card"
    # Provably fair draws (docs/fairness.md): the fan's own seed; one is generated when absent. A plain
    # function validates it, so the light check runs it too (oshi.web.light_bodies).
    client_seed: Annotated[str, AfterValidator(fairness.check_client_seed)] | None = Field(
        default=None, min_length=1, max_length=fairness.CLIENT_SEED_MAX
    )


class KonbiniPayment(BaseModel):
    """A konbini order awaiting payment. Only what the order records: the store and the instructions
    page are the provider's, not stored today, so they are null."""

    store: str | None = None
    deadline: datetime = Field(description="After this the order can no longer be paid and is released")
    instructions_url: str | None = None


class OrderPayment(BaseModel):
    """How the order is paid, from what the provider gave at checkout (null before any checkout)."""

    method: PaymentMethod
    checkout_url: str | None = Field(description="The provider's page, while the order awaits payment")
    konbini: KonbiniPayment | None = None


class OrderOut(BaseModel):
    order_id: str
    status: OrderStatus
    gacha_id: str
    vtuber_id: str
    count: int
    amount: int
    currency: Literal["JPY"]
    provider: Provider
    payment_method: PaymentMethod | None = None
    redirect_url: str | None = None  # where to send the fan to pay (while PENDING_PAYMENT)
    payment_expires_at: datetime | None = None
    created_at: datetime
    paid_at: datetime | None = None
    fulfilled_at: datetime | None = None
    refunded_at: datetime | None = None
    failure_reason: str | None = None
    client_seed: str | None = None
    medals_awarded: int | None = None
    list_price: int | None = Field(
        default=None, description="The usual price, when a first 10-draw discount applied"
    )
    medal_multiplier: int | None = Field(
        default=None, description="The campaign multiplier the medals got (1: none)"
    )
    payment: OrderPayment | None = None
    results: OrderResults | None = (
        None  # the draws and their proof (as fulfilment stored them), once FULFILLED
    )


class OrderPage(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None = None
