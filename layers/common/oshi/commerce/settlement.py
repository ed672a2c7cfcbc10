"""Settlement: the payment transitions of an order, ``PENDING_PAYMENT -> PAID | FAILED | EXPIRED``.

This module is the ONLY writer of those transitions. Every one is a conditional write on
``status = PENDING_PAYMENT``, so an event that arrives late (expired after completed) finds the condition
false and changes nothing: orders never move backwards. Paying an order frees the fan's pending-purchase
claim; failing or expiring it also gives back the reservation (stock and spending) exactly once, in the
same transaction, through ``oshi.commerce.reservations.release``.

Apart from ``oshi.commerce.orders`` (the purchase), so the payment webhooks and the sweeper load only what
settling needs, not the storefront, the campaigns, the draw or the spending rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist

from oshi import audit
from oshi.commerce import reservations
from oshi.events.bus import Event, publish
from oshi.events.definitions import PAYMENT_COMPLETED
from oshi.kernel import clock
from oshi.kernel.observability import logger
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.orders import Order, OrderStatus
from oshi.models.payments import PurchaseClaim

AWAITING = "1"  # the sparse ``awaiting-payment`` index's key while an order may still be paid


@dataclass(frozen=True)
class PaidResult:
    outcome: str  # paid | already_paid | done | mismatch | closed | missing
    order: Order | None


def _paid_update(
    order_id: str,
    provider: str,
    amount: int | None,
    currency: str | None,
    payment_id: str | None,
    at: datetime,
) -> tuple[list[Any], Any]:
    """The PENDING_PAYMENT -> PAID update and its condition (provider, amount and currency must match)."""
    actions: list[Any] = [
        Order.status.set(OrderStatus.PAID),
        Order.awaiting.remove(),
        Order.paid_at.set(at),
        Order.updated_at.set(at),
        Order.version.add(1),
    ]
    if payment_id:
        actions.append(Order.provider_payment_id.set(payment_id))
    condition = (
        (Order.status == OrderStatus.PENDING_PAYMENT)
        & (Order.provider == provider)
        & (Order.amount == (amount if amount is not None else -1))
        & (Order.currency == (currency or ""))
    )
    return actions, condition


def add_paid(txn: Txn, order: Order, *, payment_id: str | None, at: datetime) -> None:
    """``mark_paid`` inside the caller's transaction, for an order read just before (the webhook's one
    write): PENDING_PAYMENT -> PAID on the order's own provider, amount and currency, and the pending claim
    freed in the same write (a claim taken over by a newer order fails the transaction: the caller falls
    back to ``mark_paid``). ``order`` is updated in memory to what was written."""
    actions, condition = _paid_update(
        order.order_id, order.provider, int(order.amount), order.currency, payment_id, at
    )
    txn.update("paid", Order(order.order_id), actions, condition=condition)
    if order.pending_claim:
        txn.delete(
            "pending",
            PurchaseClaim(order.pending_claim),
            condition=(PurchaseClaim.order_id == order.order_id) | PurchaseClaim.claim_key.does_not_exist(),
        )
    order.status, order.awaiting, order.paid_at, order.updated_at = OrderStatus.PAID, None, at, at
    order.version = int(order.version or 0) + 1
    if payment_id:
        order.provider_payment_id = payment_id


def mark_paid(
    order_id: str,
    *,
    provider: str,
    amount: int | None,
    currency: str | None,
    payment_id: str | None,
    also: Callable[[Txn], object] | None = None,
) -> PaidResult:
    """PENDING_PAYMENT -> PAID, only if the provider, amount and currency match the order. ``also`` adds
    the caller's audit entry to the same write (it exists if and only if the order was paid)."""
    actions, condition = _paid_update(order_id, provider, amount, currency, payment_id, clock.utc_now())
    txn = Txn()
    txn.update("paid", Order(order_id), actions, condition=condition)
    if also is not None:
        also(txn)
    try:
        txn.commit()
    except ConditionsFailed:
        pass
    else:
        order = Order.get(order_id, consistent_read=True)  # a transaction returns nothing: read it back
        _release_pending_claim(order)
        return PaidResult("paid", order)
    try:
        current = Order.get(order_id, consistent_read=True)
    except DoesNotExist:
        return PaidResult("missing", None)
    if current.status == OrderStatus.PAID:
        return PaidResult("already_paid", current)
    if current.status in (OrderStatus.FULFILLED, OrderStatus.REFUNDED):
        return PaidResult("done", current)
    if current.status == OrderStatus.PENDING_PAYMENT:
        return PaidResult("mismatch", current)
    return PaidResult("closed", current)  # FAILED / EXPIRED: the money came too late


def close_unpaid(
    order_id: str,
    status: OrderStatus,
    reason: str,
    *,
    actor: str,
    request_id: str | None = None,
    order: Order | None = None,
    extra_actions: list[Any] | None = None,
    also: Callable[[Txn], object] | None = None,
) -> bool:
    """PENDING_PAYMENT -> FAILED | EXPIRED, giving back the stock and the spending exactly once.
    False when the order had already left PENDING_PAYMENT (a late or repeated event). ``extra_actions``
    join the order's update (a mismatched payment records the refund it is owed in the same write);
    ``also`` adds the caller's own audit entry to that write."""
    assert status in (OrderStatus.FAILED, OrderStatus.EXPIRED)
    if order is None:
        try:
            order = Order.get(order_id, consistent_read=True)
        except DoesNotExist:
            return False
    if order.status != OrderStatus.PENDING_PAYMENT or order.reservation_released:
        return False
    at = clock.utc_now()
    txn = Txn()
    reservations.release(
        txn,
        order,
        actions=[
            Order.status.set(status),
            Order.awaiting.remove(),
            Order.failure_reason.set(reason),
            Order.updated_at.set(at),
            Order.version.add(1),
            *(extra_actions or []),
        ],
        condition=Order.status == OrderStatus.PENDING_PAYMENT,
    )
    audit.add(  # committed with the change it records (the audit outbox)
        txn,
        actor,
        f"order.{status.lower()}",
        f"order:{order_id}",
        before={"status": OrderStatus.PENDING_PAYMENT},
        after={"status": status, "reason": reason, "released_draws": int(order.count)},
        request_id=request_id,
        now=at,
    )
    if also is not None:
        also(txn)
    try:
        txn.commit()
    except ConditionsFailed:
        return False
    _release_pending_claim(order)
    return True


def _release_pending_claim(order: Order) -> None:
    """Let the fan buy this gacha again at once. Best effort: a claim left behind (a crash here) is taken
    over by the next purchase after reading its order (two reads more, that once)."""
    if not order.pending_claim:
        return
    try:
        PurchaseClaim(order.pending_claim).delete(condition=PurchaseClaim.order_id == order.order_id)
    except DeleteError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def publish_completed(order: Order) -> None:
    """The one PaymentCompleted per paid order; its event id derives from the order, so a republish
    after a crash carries the same id and the consumer's dedupe sees one event."""
    publish([payment_completed_event(order)])


def payment_completed_event(order: Order) -> Event:
    """The PaymentCompleted of a paid order (also what tests deliver to the fulfilment consumer).

    Its data is built in JSON form (``PaymentCompletedData``'s fields, in order): the webhook that pays an
    order publishes it on nearly every call and imports no pydantic (checked under OSHI_CHECK_RESPONSES)."""
    return PAYMENT_COMPLETED.event_from_json(
        {
            "order_id": order.order_id,
            "fan_id": order.fan_id,
            "gacha_id": order.gacha_id,
            "vtuber_id": order.vtuber_id,
            "count": int(order.count),
            "amount": int(order.amount),
            "provider": order.provider,
        },
        correlation_id=order.order_id,
    )


def sweep_expired(at: datetime | None = None, *, limit: int = 200) -> list[str]:
    """Expire orders whose payment can no longer complete (sparse ``awaiting-payment`` index)."""
    at = at or clock.utc_now()
    expired = []
    for key in Order.awaiting_payment.query(AWAITING, Order.payment_expires_at <= at, limit=limit):
        if close_unpaid(
            key.order_id, OrderStatus.EXPIRED, "payment_window_passed", actor="system:reservation-sweeper"
        ):
            expired.append(key.order_id)
    if expired:
        logger.info("reservations released", extra={"orders": len(expired)})
    return expired
