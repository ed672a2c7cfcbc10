"""Apply a provider webhook: verify, record the event once, move the order, publish, acknowledge.

The common case, a pending order paid in full on its own provider, is two DynamoDB calls (issue 21):
read the order, then ONE transaction that claims the event with its outcome, moves the order
PENDING_PAYMENT -> PAID, frees the fan's pending-purchase claim and writes the audit entry to the outbox
(``oshi.audit.add``); then ``PaymentCompleted`` is published. A crash before the transaction changes
nothing; a crash after it, before the publish, leaves a finished event: the provider redelivers (we never
answered 2xx), the event is a duplicate, and a duplicate payment of an order still PAID publishes again
(its event id derives from the order; the consumer dedupes).

Everything else takes the step-by-step path, chosen so that a crash anywhere is repaired by the
provider's redelivery:

1. verify the signature against the raw bytes (nothing is read before that);
2. claim the event: conditional put of ``ProviderEvent`` without an ``outcome``. A finished event
   (``outcome`` set) is a duplicate: 200, nothing changes. A claim younger than ``LEASE`` belongs to a
   concurrent delivery: 409, the provider retries. An older one was a crashed delivery: taken over;
3. ``oshi.commerce.settlement.mark_paid`` (conditional on PENDING_PAYMENT and on amount, currency and provider),
   with its audit entry in the same transaction (so are the mismatch's and the late payment's);
4. publish ``PaymentCompleted`` (its event id derives from the order). If the order is found already
   PAID (a crash after step 3), publish again: the consumer dedupes;
5. only then write the ``outcome``.

Money that will not be fulfilled (a payment after the order closed, an amount or currency that is not
the order's) is recorded on the order as owed and announced (``RefundDue``, ``oshi.commerce.refunds``);
the refund itself is the refund consumer's, so the answer never depends on the provider's refund call.
An event from one provider about an order placed with the other changes nothing (audited
``payment.provider_mismatch``, answered 200 ``ignored``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from oshi import audit
from oshi.commerce import settlement
from oshi.commerce.payments import adapter_for
from oshi.commerce.payments.base import ProviderUpdate, UpdateKind
from oshi.events.bus import publish
from oshi.events.definitions import PAYMENT_MISMATCH
from oshi.kernel import clock
from oshi.kernel.errors import WebhookInProgress, WebhookSignatureInvalid
from oshi.kernel.observability import logger, metrics
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.orders import Order, OrderStatus, ProviderEvent

LEASE = timedelta(seconds=60)
PROVIDER_MISMATCH = "provider_mismatch"
KEEP_EVENTS = timedelta(days=30)  # providers redeliver for up to 3 days


def handle(
    provider: str, raw_body: bytes, headers: Mapping[str, str], request_id: str | None
) -> dict[str, Any]:
    adapter = adapter_for(provider)
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        update = adapter.verify_webhook(raw_body, lower)
    except WebhookSignatureInvalid as exc:
        metrics.add_metric(name="WebhookSignatureFailures", unit="Count", value=1)
        audit.record(
            f"provider:{provider}",
            "payment.webhook_rejected",
            f"webhook:{provider}",
            after={"reason": (exc.details or {}).get("reason"), "bytes": len(raw_body)},
            request_id=request_id,
        )
        raise
    if update.kind is UpdateKind.IGNORED or not update.order_id:
        return {"received": True, "outcome": "ignored"}
    order = None
    if update.kind is UpdateKind.PAID:
        order = _order(update.order_id)
        if order is not None and _payable(order, update) and _paid_in_one_write(update, order, request_id):
            settlement.publish_completed(order)
            return {"received": True, "outcome": "applied"}
    if not _claim(update):
        if order is not None and order.status == OrderStatus.PAID:
            # The one write commits the outcome with the payment, so a crash before the publish leaves a
            # finished event: its redelivery publishes again (same event id; the consumer dedupes).
            settlement.publish_completed(order)
        return {"received": True, "outcome": "duplicate"}
    outcome = _apply(update, request_id)
    ProviderEvent(update.event_key).update(actions=[ProviderEvent.outcome.set(outcome)])
    if outcome == PROVIDER_MISMATCH:
        return {"received": True, "outcome": "ignored", "reason": PROVIDER_MISMATCH}
    return {"received": True, "outcome": outcome}


def _payable(order: Order, update: ProviderUpdate) -> bool:
    """The common case, payable in one write: a pending order paid on its provider, in full."""
    return (
        order.status == OrderStatus.PENDING_PAYMENT
        and order.provider == update.provider
        and update.amount == int(order.amount)
        and (update.currency or "") == order.currency
    )


def _paid_in_one_write(update: ProviderUpdate, order: Order, request_id: str | None) -> bool:
    """Claim the event with its outcome, PENDING_PAYMENT -> PAID, free the pending claim and record the
    audit entry: one transaction, so all of it happened or none. False when a condition failed (a
    concurrent or earlier delivery, the order moved meanwhile): the step-by-step path decides."""
    at = clock.utc_now()
    txn = Txn()
    txn.put(
        "event",
        ProviderEvent(
            update.event_key,
            provider=update.provider,
            event_type=update.event_type,
            order_id=update.order_id,
            received_at=at,
            claimed_at=at,
            expires_at=at + KEEP_EVENTS,
            outcome="applied",
        ),
        condition=_claimable(at),
    )
    before = {"status": OrderStatus.PENDING_PAYMENT}
    settlement.add_paid(txn, order, payment_id=update.payment_id, at=at)
    audit.add(
        txn,
        f"provider:{update.provider}",
        "order.paid",
        f"order:{order.order_id}",
        before=before,
        after={"status": OrderStatus.PAID, "amount": int(order.amount), "event": update.event_key},
        request_id=request_id,
        now=at,
    )
    try:
        txn.commit()
    except ConditionsFailed:
        order.refresh(consistent_read=True)  # what the step-by-step path (and a duplicate) works from
        return False
    except TransactWriteError as exc:
        if any(r is not None and r.code == "TransactionConflict" for r in exc.cancellation_reasons or []):
            # A concurrent delivery's transaction holds the same items: the provider retries (as for a
            # claim held by a concurrent delivery on the step-by-step path).
            raise WebhookInProgress(details={"event": update.event_key}) from None
        raise
    return True


def _claimable(at: datetime) -> Any:
    """A new event, or one whose delivery crashed (no outcome) longer than ``LEASE`` ago."""
    return ProviderEvent.event_key.does_not_exist() | (
        ProviderEvent.outcome.does_not_exist() & (ProviderEvent.claimed_at < at - LEASE)
    )


def _claim(update: ProviderUpdate) -> bool:
    at = clock.utc_now()
    event = ProviderEvent(
        update.event_key,
        provider=update.provider,
        event_type=update.event_type,
        order_id=update.order_id,
        received_at=at,
        claimed_at=at,
        expires_at=at + KEEP_EVENTS,
    )
    try:
        event.save(condition=_claimable(at))
        return True
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
    existing = ProviderEvent.get(update.event_key, consistent_read=True)
    if existing.outcome:
        return False
    raise WebhookInProgress(details={"event": update.event_key})


def _apply(update: ProviderUpdate, request_id: str | None) -> str:
    assert update.order_id is not None
    actor = f"provider:{update.provider}"
    if update.kind is UpdateKind.PAID:
        return _paid(update, actor, request_id)
    order = None
    if update.kind in (UpdateKind.FAILED, UpdateKind.EXPIRED, UpdateKind.REFUNDED):
        order = _order(update.order_id)
        if order is not None and order.provider != update.provider:
            return _provider_mismatch(update, order, actor, request_id)
    if update.kind in (UpdateKind.FAILED, UpdateKind.EXPIRED):
        status = OrderStatus.FAILED if update.kind is UpdateKind.FAILED else OrderStatus.EXPIRED
        changed = order is not None and settlement.close_unpaid(
            update.order_id, status, update.event_type, actor=actor, request_id=request_id, order=order
        )
        return "applied" if changed else "stale"  # never moves a paid order backwards
    if update.kind is UpdateKind.REFUNDED:
        from oshi.commerce.refunds import (
            mark_refunded,  # the draw service's module (claw-back, audit, release)
        )

        mark_refunded(
            update.order_id,
            reason=f"refunded at the provider ({update.event_type})",
            actor=actor,
            request_id=request_id,
            provider_refund_id=update.refund_id,
        )
        return "refunded"
    return "awaiting"  # AWAITING: a konbini slip was issued; the money has not arrived yet


def _order(order_id: str) -> Order | None:
    try:
        return Order.get(order_id, consistent_read=True)
    except DoesNotExist:
        return None


def _paid(update: ProviderUpdate, actor: str, request_id: str | None) -> str:
    assert update.order_id is not None
    order_id = update.order_id
    result = settlement.mark_paid(
        order_id,
        provider=update.provider,
        amount=update.amount,
        currency=update.currency,
        payment_id=update.payment_id,
        also=lambda txn: audit.add(  # written only if the order was paid (its amount: the one matched)
            txn,
            actor,
            "order.paid",
            f"order:{order_id}",
            before={"status": OrderStatus.PENDING_PAYMENT},
            after={"status": OrderStatus.PAID, "amount": update.amount, "event": update.event_key},
            request_id=request_id,
        ),
    )
    order = result.order
    if result.outcome == "paid" and order is not None:
        settlement.publish_completed(order)
        return "applied"
    if order is not None and order.provider != update.provider:
        return _provider_mismatch(update, order, actor, request_id)  # mark_paid refused it: unchanged
    if result.outcome == "already_paid" and order is not None:
        settlement.publish_completed(order)  # repair: a crash may have come between PAID and the publish
        return "republished"
    if result.outcome == "mismatch" and order is not None:
        return _mismatch(update, order, actor, request_id)
    if result.outcome == "closed" and order is not None:
        return _late_payment(update, order, actor, request_id)
    if result.outcome == "missing":
        audit.record(
            actor, "payment.unknown_order", f"order:{update.order_id}", after={"event": update.event_key}
        )
        _alert(update, reason="unknown_order")
        return "unknown_order"
    return "done"


def _provider_mismatch(update: ProviderUpdate, order: Order, actor: str, request_id: str | None) -> str:
    """An authentic event from one provider about an order placed with the other: not ours to act on.
    Nothing changes (the order stays payable through its own provider); acknowledged so the sender stops
    redelivering, audited and counted so that a misrouted integration is seen."""
    audit.record(
        actor,
        "payment.provider_mismatch",
        f"order:{order.order_id}",
        before={"provider": order.provider, "status": order.status},
        after={"provider": update.provider, "kind": str(update.kind), "event": update.event_key},
        request_id=request_id,
    )
    metrics.add_metric(name="WebhookProviderMismatches", unit="Count", value=1)
    logger.warning(
        "webhook names an order of another provider: ignored",
        extra={"event": update.event_key, "order_id": order.order_id, "order_provider": order.provider},
    )
    return PROVIDER_MISMATCH


def _received(update: ProviderUpdate, order: Order) -> tuple[int, str]:
    """The money the provider says arrived (its own figures, falling back to the order's)."""
    amount = update.amount if update.amount is not None else int(order.amount)
    return amount, (update.currency or order.currency)


def _mismatch(update: ProviderUpdate, order: Order, actor: str, request_id: str | None) -> str:
    """Paid, but not what the order asked: never fulfilled; the order fails (its reservation given back)
    and the money received is owed back, in the same write; the refund consumer refunds it."""
    expected = {"amount": int(order.amount), "currency": order.currency, "provider": order.provider}
    received = {"amount": update.amount, "currency": update.currency, "provider": update.provider}
    from oshi.commerce import refunds  # the refund paths load only here (not on the paying path)

    reason = "currency_mismatch" if (update.currency or "") != order.currency else "amount_mismatch"
    amount, currency = _received(update, order)
    due = refunds.due_actions(
        reason, amount=amount, currency=currency, payment_id=update.payment_id, at=clock.utc_now()
    )
    if not settlement.close_unpaid(
        order.order_id,
        OrderStatus.FAILED,
        reason,
        actor=actor,
        request_id=request_id,
        extra_actions=due,
        also=lambda txn: audit.add(
            txn,
            actor,
            f"payment.{reason}",
            f"order:{order.order_id}",
            before=expected,
            after={**received, "event": update.event_key, "refund": "due"},
            request_id=request_id,
        ),
    ):
        # The order closed meanwhile (an expiry raced this payment): the money is a late payment.
        closed = _order(order.order_id)
        if closed is not None and closed.status in refunds.CLOSED:
            return _late_payment(update, closed, actor, request_id)
        return "stale"
    owing = Order.get(order.order_id, consistent_read=True)
    refunds.announce(owing)
    _alert(update, reason=reason, expected=expected, received=received, refund="due")
    return "mismatch_refund_due"


def _late_payment(update: ProviderUpdate, order: Order, actor: str, request_id: str | None) -> str:
    """Money for an order that had already failed or expired: never fulfilled, owed back. The refund is
    the refund consumer's (retried until the provider confirms): this answer never waits for it."""
    from oshi.commerce import refunds

    amount, currency = _received(update, order)
    status_before = order.status
    refunds.owe(
        order,
        reason=order.refund_due_reason or "late_payment",
        amount=amount,
        currency=currency,
        payment_id=update.payment_id,
        actor=actor,
        request_id=request_id,
        also=lambda txn: audit.add(  # in the write that records the debt
            txn,
            actor,
            "payment.late_payment",
            f"order:{order.order_id}",
            before={"status": status_before},
            after={"event": update.event_key, "amount": amount, "currency": currency, "refund": "due"},
            request_id=request_id,
        ),
    )
    _alert(update, reason="late_payment", refund="due")
    return "late_payment_refund_due"


def _alert(
    update: ProviderUpdate,
    *,
    reason: str,
    expected: dict[str, Any] | None = None,
    received: dict[str, Any] | None = None,
    refund: str | None = None,
) -> None:
    metrics.add_metric(name="PaymentMismatches", unit="Count", value=1)
    extra = {"expected": expected, "received": received, "refund": refund}
    given = {name: value for name, value in extra.items() if value is not None}
    logger.warning("payment needs attention", extra={"event": update.event_key, "reason": reason, **given})
    assert update.order_id is not None  # ``handle`` ignores events that name no order
    # In JSON form (PaymentMismatchData's fields, in order; the optional ones only when given), as this
    # module builds PaymentCompleted: the webhook imports no pydantic.
    data = {
        "order_id": update.order_id,
        "provider": update.provider,
        "event": update.event_key,
        "reason": reason,
    }
    publish([PAYMENT_MISMATCH.event_from_json(data | given, correlation_id=update.order_id)])
