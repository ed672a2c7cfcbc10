"""Refunds: the compensation path, the admin's manual refund, and the provider's refund webhooks.

``mark_refunded`` records a refund that happened (or was requested) at the provider, in ONE transaction:
the order -> ``REFUNDED``, the order's unspent medals clawed back (``min(awarded, balance)``, the rest
recorded as already spent), its rewards revoked (kept for the record, no longer downloadable), the stock
reservation and the month's spending given back if not yet (``oshi.commerce.reservations.release``). Idempotent: an order already ``REFUNDED`` is
returned unchanged. Limited prize stock is not given back (the prize was drawn; see docs/draw.md).

``refund_order`` asks the provider first (idempotency key derived from the order), then marks it.

**Money received for an order that will not be fulfilled is refunded automatically** (the one rule, here):
a payment that arrives after its order closed, a payment whose amount or currency is not the order's, and
a paid order that fulfilment cannot draw. Whoever finds it records it on the order in its own transaction
(``due_actions``: the money received and ``refund_due``, a sparse index) and then publishes ``RefundDue``
(``announce``). The refund consumer (``payment.refund``, queue ``refunds``) calls ``settle_due``: the
provider refund with the order's Idempotency-Key (``refund-<order id>``, the same as the admin's refund,
so the provider refunds once however often it is asked), then ``mark_refunded``, which clears
``refund_due``. A refused refund is retried by the queue with backoff; when the last receive fails too
the order is marked escalated, the message goes to the DLQ (alarm), and the order stays in
``pending`` (``GET /api/admin/refunds/pending``) until a refund clears it. The webhook never waits for
the provider's refund call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from oshi import audit
from oshi.commerce import reservations
from oshi.events.bus import publish
from oshi.kernel import clock
from oshi.kernel.errors import OrderNotFound, OrderNotRefundable, RefundFailed
from oshi.kernel.observability import logger, metrics
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.orders import REFUND_DUE, Order, OrderStatus
from oshi.models.rewards import LedgerKind, MedalBalance, Reward, reward_id
from oshi.rewards import medals

REFUNDABLE = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PENDING_PAYMENT)
# A closed order is refundable only while it owes money it received (late or mismatched payment).
CLOSED = (OrderStatus.FAILED, OrderStatus.EXPIRED)
MAX_ATTEMPTS = 5


def idempotency_key(order_id: str) -> str:
    """One refund per order at the provider, whoever asks (automatic, compensation, admin)."""
    return f"refund-{order_id}"


def _load(order_id: str) -> Order:
    try:
        return Order.get(order_id, consistent_read=True)
    except DoesNotExist:
        raise OrderNotFound() from None


def _reward_ids(order: Order) -> list[str]:
    items = order.drawn_items()
    return [
        reward_id(order.order_id, int(i["slot"]), a) for i in items for a in range(int(i.get("assets", 1)))
    ]


def _refundable(order: Order) -> bool:
    return order.status in REFUNDABLE or (order.status in CLOSED and order.refund_due is not None)


def mark_refunded(
    order_id: str,
    *,
    reason: str,
    actor: str,
    request_id: str | None,
    provider_refund_id: str | None,
) -> Order:
    for _ in range(MAX_ATTEMPTS):
        order = _load(order_id)
        if order.status == OrderStatus.REFUNDED:
            return order
        if not _refundable(order):
            raise OrderNotRefundable(details={"status": order.status})
        try:
            return _apply(order, reason, actor, request_id, provider_refund_id)
        except (ConditionsFailed, TransactWriteError) as exc:
            logger.info(
                "refund raced another change; retrying", extra={"order_id": order_id, "error": str(exc)}
            )
    raise RuntimeError(f"order {order_id}: refund lost {MAX_ATTEMPTS} races in a row")


def _apply(
    order: Order, reason: str, actor: str, request_id: str | None, provider_refund_id: str | None
) -> Order:
    at = clock.utc_now()
    if (
        order.refund_due is not None
        and order.refund_due_reason
        and not reason.startswith(order.refund_due_reason)
    ):
        reason = f"{order.refund_due_reason}: {reason}"  # why the money was owed, then who refunded it
    before = {"status": order.status, "medals_awarded": int(order.medals_awarded or 0)}
    awarded = int(order.medals_awarded or 0) if order.status == OrderStatus.FULFILLED else 0
    balance = 0
    if awarded:
        try:
            balance = int(MedalBalance.get(order.fan_id, order.vtuber_id, consistent_read=True).balance)
        except DoesNotExist:
            balance = 0
    clawed = max(0, min(awarded, balance))
    unrecovered = awarded - clawed

    actions: list[Any] = [
        Order.status.set(OrderStatus.REFUNDED),
        Order.refunded_at.set(at),
        Order.refund_reason.set(reason),
        Order.medals_clawed_back.set(clawed),
        Order.medals_unrecovered.set(unrecovered),
        Order.awaiting.remove(),
        Order.refund_due.remove(),  # leaves the pending-refund list
        Order.updated_at.set(at),
        Order.version.add(1),
    ]
    if provider_refund_id:
        actions.append(Order.provider_refund_id.set(provider_refund_id))
    txn = Txn()
    release = reservations.release(
        txn,
        order,
        actions=actions,
        condition=(Order.status == order.status) & (Order.version == int(order.version)),
    )
    if clawed:
        medals.debit(txn, order.fan_id, order.vtuber_id, clawed, order.order_id, at, kind=LedgerKind.CLAWBACK)
    revoked = _reward_ids(order) if order.status == OrderStatus.FULFILLED else []
    for rid in revoked:
        txn.update(
            f"reward:{rid}",
            Reward(order.fan_id, rid),
            actions=[Reward.revoked.set(True)],
            condition=Reward.reward_id.exists(),
        )
    after = {
        "status": OrderStatus.REFUNDED,
        "reason": reason,
        "provider_refund_id": provider_refund_id,
        "medals_clawed_back": clawed,
        "medals_unrecovered": unrecovered,
        "rewards_revoked": len(revoked),
        "released_draws": int(order.count) if release else 0,
    }
    # In the refund's own transaction: the entry exists if and only if the refund was recorded.
    audit.add(
        txn,
        actor,
        "order.refunded",
        f"order:{order.order_id}",
        before=before,
        after=after,
        request_id=request_id,
        now=at,
    )
    txn.commit()

    order.refresh(consistent_read=True)
    metrics.add_metric(name="OrdersRefunded", unit="Count", value=1)
    if unrecovered:
        logger.warning(
            "refund could not claw back spent medals",
            extra={"order_id": order.order_id, "unrecovered": unrecovered},
        )
    # imported here: the event payloads are pydantic models, and the pending list (a read route) needs none
    from oshi.events.definitions import ORDER_REFUNDED, OrderRefundedData

    publish(
        [
            ORDER_REFUNDED.event(
                OrderRefundedData(
                    order_id=order.order_id,
                    fan_id=order.fan_id,
                    gacha_id=order.gacha_id,
                    vtuber_id=order.vtuber_id,
                    amount=int(order.received_amount if order.received_amount is not None else order.amount),
                    provider=order.provider,
                    reason=reason,
                    medals_clawed_back=clawed,
                    medals_unrecovered=unrecovered,
                ),
                correlation_id=order.correlation_id or order.order_id,
            )
        ]
    )
    return order


def refund_order(
    order_id: str,
    *,
    reason: str,
    actor: str,
    request_id: str | None,
    only_if: OrderStatus | None = None,
) -> Order:
    """Refund through the provider, then record it. A refused refund changes nothing (``RefundFailed``).
    ``only_if``: refund only an order still in that status."""
    order = _load(order_id)
    if order.status == OrderStatus.REFUNDED or (only_if is not None and order.status != only_if):
        return order
    if not _refundable(order) or order.status == OrderStatus.PENDING_PAYMENT:
        raise OrderNotRefundable(details={"status": order.status})
    return _refund_at_provider(order, reason=reason, actor=actor, request_id=request_id)


def _refund_at_provider(order: Order, *, reason: str, actor: str, request_id: str | None) -> Order:
    from oshi.commerce.payments import adapter_for  # the provider libraries load only on this path

    outcome = adapter_for(order.provider).refund(
        order, reason=reason, idempotency_key=idempotency_key(order.order_id)
    )
    status = str(outcome.status)
    if status == "failed":
        audit.record(
            actor,
            "order.refund_failed",
            f"order:{order.order_id}",
            before={"status": order.status},
            after={"reason": reason, "provider_message": outcome.message},
            request_id=request_id,
        )
        raise RefundFailed(details={"provider_message": outcome.message})
    note = reason if status == "refunded" else f"{reason} (refund requested: {outcome.message})"
    return mark_refunded(
        order.order_id,
        reason=note,
        actor=actor,
        request_id=request_id,
        provider_refund_id=outcome.provider_refund_id,
    )


# --- money owed back: recorded by whoever finds it, refunded by the refund consumer -----------------------


def due_actions(
    reason: str, *, amount: int, currency: str, payment_id: str | None, at: datetime
) -> list[Any]:
    """The order update that records money received for an order that will not be fulfilled, and the
    refund owed for it. Part of the caller's transaction (the order's own change); ``announce`` after."""
    actions: list[Any] = [
        Order.received_amount.set(amount),
        Order.received_currency.set(currency),
        Order.refund_due.set(REFUND_DUE),
        Order.refund_due_since.set(at),
        Order.refund_due_reason.set(reason),
    ]
    if payment_id:
        actions.append(Order.provider_payment_id.set(payment_id))
    return actions


def owe(
    order: Order,
    *,
    reason: str,
    amount: int,
    currency: str,
    payment_id: str | None,
    actor: str,
    request_id: str | None,
    also: Callable[[Txn], object] | None = None,
) -> Order:
    """Record that ``order`` (closed, or paid and impossible to fulfil) holds money it will not be
    fulfilled for, then announce the refund. Idempotent: an order already owing, or refunded, is
    announced again (the same event id) or left alone. Only a paid order or a closed one can owe: an
    order fulfilled or refunded meanwhile owes nothing. ``also`` adds the caller's own audit entry to the
    write that records the debt (or, when nothing is written, commits it alone), so a crash between
    the two cannot record one without the other."""
    can_owe = order.status in (OrderStatus.PAID, *CLOSED)
    if not can_owe or order.refund_due is not None:  # nothing to write
        if also is not None:
            txn = Txn()
            also(txn)
            txn.commit()
        if can_owe:
            announce(order)
        return order
    at = clock.utc_now()
    txn = Txn()
    txn.update(
        "order",
        Order(order.order_id),
        [
            *due_actions(reason, amount=amount, currency=currency, payment_id=payment_id, at=at),
            Order.updated_at.set(at),
            Order.version.add(1),
        ],
        condition=(Order.status == order.status)
        & (Order.version == int(order.version))
        & Order.refund_due.does_not_exist(),
    )
    audit.add(
        txn,
        actor,
        "order.refund_due",
        f"order:{order.order_id}",
        before={"status": order.status},
        after={"reason": reason, "received": {"amount": amount, "currency": currency}},
        request_id=request_id,
        now=at,
    )
    if also is not None:
        also(txn)
    try:
        txn.commit()
    except ConditionsFailed:  # the order moved meanwhile: decide again from what it is now
        return owe(
            _load(order.order_id),
            reason=reason,
            amount=amount,
            currency=currency,
            payment_id=payment_id,
            actor=actor,
            request_id=request_id,
            also=also,
        )
    # What the transaction wrote, in memory (an update in a transaction returns nothing).
    order.received_amount, order.received_currency = amount, currency
    order.refund_due, order.refund_due_since, order.refund_due_reason = REFUND_DUE, at, reason
    if payment_id:
        order.provider_payment_id = payment_id
    order.updated_at, order.version = at, int(order.version) + 1
    announce(order)
    return order


def announce(order: Order) -> None:
    """Publish ``RefundDue`` for an order that owes a refund (after the state that says so committed)."""
    # imported here, as in ``_apply``: pydantic stays off the pending list's cold start
    from oshi.events.definitions import REFUND_DUE as REFUND_DUE_EVENT
    from oshi.events.definitions import RefundDueData

    metrics.add_metric(name="RefundsDue", unit="Count", value=1)
    publish(
        [
            REFUND_DUE_EVENT.event(
                RefundDueData(
                    order_id=order.order_id,
                    provider=order.provider,
                    amount=int(order.received_amount if order.received_amount is not None else order.amount),
                    currency=str(order.received_currency or order.currency),
                    reason=str(order.refund_due_reason or "refund_due"),
                ),
                correlation_id=order.correlation_id or order.order_id,
            )
        ]
    )


def settle_due(order_id: str, *, actor: str, last_attempt: bool) -> Order:
    """Refund an order that owes one (the refund consumer). Nothing owed (already refunded, or never
    owed): unchanged. A refusal counts the attempt and raises ``RefundFailed`` for the queue to retry;
    on the ``last_attempt`` the order is marked escalated (it stays in the pending list)."""
    order = _load(order_id)
    if order.refund_due is None or order.status == OrderStatus.REFUNDED:
        return order
    reason = str(order.refund_due_reason or "refund_due")
    try:
        return _refund_at_provider(order, reason=reason, actor=actor, request_id=None)
    except RefundFailed as failed:
        message = str((failed.details or {}).get("provider_message") or failed)
        at = clock.utc_now()
        actions: list[Any] = [
            Order.refund_attempts.add(1),
            Order.refund_last_error.set(message[:500]),
        ]
        if last_attempt:
            actions.append(Order.refund_escalated_at.set(at))
        txn = Txn()
        txn.update("order", Order(order_id), actions, condition=Order.refund_due.exists())
        if last_attempt:  # the escalation and its audit entry: one write
            audit.add(
                txn,
                actor,
                "order.refund_escalated",
                f"order:{order_id}",
                before={"status": order.status},
                after={"reason": reason, "provider_message": message},
                now=at,
            )
        try:
            txn.commit()
        except ConditionsFailed:
            return _load(order_id)  # refunded meanwhile (by the admin): nothing owed any more
        if last_attempt:
            metrics.add_metric(name="RefundsEscalated", unit="Count", value=1)
            logger.error("automatic refund gave up: a person must refund", extra={"order_id": order_id})
        raise
