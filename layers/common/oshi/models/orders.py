"""Orders (one per purchase) and the provider events already applied to them.

An order moves ``PENDING_PAYMENT -> PAID -> FULFILLED``, or ends ``FAILED``, ``EXPIRED`` or ``REFUNDED``;
never backwards (``oshi.commerce.settlement`` owns the payment transitions). Its stock reservation lives as long as the
payment can still complete and is released exactly once (``reservation_released``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from oshi.models.base import table_meta


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "PENDING_PAYMENT"
    PAID = "PAID"
    FULFILLED = "FULFILLED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"
    REFUNDED = "REFUNDED"


class Provider(StrEnum):
    STRIPE = "stripe"
    KOMOJU = "komoju"


class OrdersByFan(GlobalSecondaryIndex["Order"]):
    """A fan's purchase history, newest first."""

    class Meta:
        index_name = "by-fan"
        projection = AllProjection()

    fan_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrdersByVtuber(GlobalSecondaryIndex["Order"]):
    """A VTuber's sales (``GET /api/vtuber/sales``), by time."""

    class Meta:
        index_name = "by-vtuber"
        projection = AllProjection()

    vtuber_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class OrdersAwaitingPayment(GlobalSecondaryIndex["Order"]):
    """Sparse: only orders whose payment may still complete carry ``awaiting`` (the sweeper's worklist)."""

    class Meta:
        index_name = "awaiting-payment"
        projection = KeysOnlyProjection()

    awaiting = UnicodeAttribute(hash_key=True)  # constant "1" while PENDING_PAYMENT, removed after
    payment_expires_at = UTCDateTimeAttribute(range_key=True)


REFUND_DUE = "1"  # the one hash key of the sparse index below


class OrdersOwingRefund(GlobalSecondaryIndex["Order"]):
    """Sparse: only orders holding money they will not be fulfilled for carry ``refund_due`` (the refund
    consumer's work, ``oshi.commerce.refunds``, and the admins' pending-refund list,
    ``oshi.commerce.order_queries.owing_refund``)."""

    class Meta:
        index_name = "refund-due"
        projection = AllProjection()

    refund_due = UnicodeAttribute(hash_key=True)  # constant "1" while a refund is owed, removed once refunded
    refund_due_since = UTCDateTimeAttribute(range_key=True)


class Order(Model):
    Meta = table_meta("orders")

    order_id = UnicodeAttribute(hash_key=True)  # ULID: time-sortable, unguessable
    fan_id = UnicodeAttribute()
    gacha_id = UnicodeAttribute()
    vtuber_id = UnicodeAttribute()
    count = NumberAttribute()  # type: ignore[assignment]  # draws: 1 or 10 (shadows Model.count, unused here)
    amount = NumberAttribute()  # integer JPY charged
    currency = UnicodeAttribute(default="JPY")
    medals_per_draw = NumberAttribute()  # frozen at purchase
    provider = UnicodeAttribute()  # Provider
    payment_method = UnicodeAttribute(null=True)  # card | konbini | paypay
    provider_session_id = UnicodeAttribute(null=True)  # Stripe Checkout Session / KOMOJU session id
    provider_payment_id = UnicodeAttribute(null=True)  # Stripe PaymentIntent / KOMOJU payment id
    redirect_url = UnicodeAttribute(null=True)
    idempotency_key = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # OrderStatus
    awaiting = UnicodeAttribute(null=True)
    payment_expires_at = UTCDateTimeAttribute(null=True)
    reservation_released = BooleanAttribute(default=False)
    # Sharded stock (issue 21): {shard index: draws} this order reserved; absent = on Gacha.sold_draws.
    stock_shards = JSONAttribute(null=True)
    client_seed = UnicodeAttribute(null=True)  # provably fair draws (docs/fairness.md)
    nonce = NumberAttribute(null=True)  # the fan's per-gacha sequential nonce for this order
    results = JSONAttribute(null=True)  # {"items": [one per draw], "proof": ...} once FULFILLED
    medals_awarded = NumberAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    paid_at = UTCDateTimeAttribute(null=True)
    fulfilled_at = UTCDateTimeAttribute(null=True)
    refunded_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(default=0)
    # --- payments (issue 5) ---
    spend_period = UnicodeAttribute(null=True)  # the Spending month (JST) this order's amount counts in
    pending_claim = UnicodeAttribute(null=True)  # the PurchaseClaim key that guards "one pending order"
    # --- fulfilment and refunds (issue 6) ---
    provider_refund_id = UnicodeAttribute(null=True)
    refund_reason = UnicodeAttribute(null=True)
    medals_clawed_back = NumberAttribute(null=True)  # taken back from the balance at refund
    medals_unrecovered = NumberAttribute(null=True)  # already spent when the order was refunded
    # --- money received for an order that will not be fulfilled: refunded automatically ---
    received_amount = NumberAttribute(null=True)  # what the provider reported (may differ from ``amount``)
    received_currency = UnicodeAttribute(null=True)
    refund_due = UnicodeAttribute(null=True)  # "1" while a refund is owed (sparse index ``refund-due``)
    refund_due_since = UTCDateTimeAttribute(null=True)
    refund_due_reason = UnicodeAttribute(
        null=True
    )  # late_payment | amount_mismatch | currency_mismatch | ...
    refund_attempts = NumberAttribute(null=True)  # provider refund calls that failed so far
    refund_last_error = UnicodeAttribute(null=True)  # the provider's last refusal
    refund_escalated_at = UTCDateTimeAttribute(null=True)  # the retries were spent: a person must act
    # --- draw formats and campaigns (issue 20) ---
    gacha_kind = UnicodeAttribute(null=True)  # "box": a fulfilled order's tickets are never given back
    list_price = NumberAttribute(null=True)  # the price without the campaign, when a discount applied
    discount_campaign_id = UnicodeAttribute(null=True)  # the first 10-draw discount this order used
    first_ten_claim = UnicodeAttribute(null=True)  # its PurchaseClaim key (given back if never paid)
    medal_multiplier = NumberAttribute(null=True)  # the multiplier in force when the order was paid
    medal_campaign_id = UnicodeAttribute(null=True)

    def drawn_items(self) -> list[dict[str, Any]]:
        """One entry per draw (prize_id, name, rarity, ...), or [] before the draw."""
        return list((self.results or {}).get("items", []))

    by_fan = OrdersByFan()
    by_vtuber = OrdersByVtuber()
    awaiting_payment = OrdersAwaitingPayment()
    owing_refund = OrdersOwingRefund()


class ProviderEvent(Model):
    """One item per provider event id: a redelivered webhook finds its event here and changes nothing."""

    Meta = table_meta("provider-events")

    event_key = UnicodeAttribute(hash_key=True)  # "<provider>:<provider event id>"
    provider = UnicodeAttribute()
    event_type = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)  # what it did: applied | ignored | mismatch ...
    received_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)  # kept well past the providers' redelivery windows
    # Set when a delivery starts work; on the step-by-step path ``outcome`` is written only once the work
    # (and its publish) is done, so a delivery that crashed can be taken over after a lease. A payment
    # applied in one write commits its outcome with it; a redelivery then republishes (webhooks.handle).
    claimed_at = UTCDateTimeAttribute(null=True)
