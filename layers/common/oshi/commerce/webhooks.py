"""Apply a provider webhook: verify, record the event once, move the order, publish, acknowledge.

Order of work for a payment event, chosen so that a crash anywhere is repaired by the provider's
redelivery:

1. verify the signature against the raw bytes (nothing is read before that);
2. claim the event: conditional put of ``ProviderEvent`` without an ``outcome``. A finished event
   (``outcome`` set) is a duplicate: 200, nothing changes. A claim younger than ``LEASE`` belongs to a
   concurrent delivery: 409, the provider retries. An older one was a crashed delivery: taken over;
3. ``oshi.commerce.orders.mark_paid`` (conditional on PENDING_PAYMENT and on amount, currency and provider);
4. publish ``PaymentCompleted`` (its event id derives from the order). If the order is found already
   PAID (a crash after step 3), publish again: the consumer dedupes;
5. only then write the ``outcome``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import PutError

from oshi import audit
from oshi.commerce import orders
from oshi.commerce.payments import adapter_for
from oshi.commerce.payments.base import ProviderUpdate, UpdateKind
from oshi.events.bus import publish
from oshi.events.definitions import PAYMENT_MISMATCH, PaymentMismatchData
from oshi.kernel import clock
from oshi.kernel.errors import WebhookInProgress, WebhookSignatureInvalid
from oshi.kernel.observability import logger, metrics
from oshi.models.orders import OrderStatus, ProviderEvent

LEASE = timedelta(seconds=60)
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
    if not _claim(update):
        return {"received": True, "outcome": "duplicate"}
    outcome = _apply(update, request_id)
    ProviderEvent(update.event_key).update(actions=[ProviderEvent.outcome.set(outcome)])
    return {"received": True, "outcome": outcome}


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
        event.save(
            condition=ProviderEvent.event_key.does_not_exist()
            | (ProviderEvent.outcome.does_not_exist() & (ProviderEvent.claimed_at < at - LEASE))
        )
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
    if update.kind in (UpdateKind.FAILED, UpdateKind.EXPIRED):
        status = OrderStatus.FAILED if update.kind is UpdateKind.FAILED else OrderStatus.EXPIRED
        changed = orders.close_unpaid(
            update.order_id, status, update.event_type, actor=actor, request_id=request_id
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


def _paid(update: ProviderUpdate, actor: str, request_id: str | None) -> str:
    assert update.order_id is not None
    result = orders.mark_paid(
        update.order_id,
        provider=update.provider,
        amount=update.amount,
        currency=update.currency,
        payment_id=update.payment_id,
    )
    order = result.order
    if result.outcome == "paid" and order is not None:
        orders.publish_completed(order)
        audit.record(
            actor,
            "order.paid",
            f"order:{order.order_id}",
            before={"status": OrderStatus.PENDING_PAYMENT},
            after={"status": OrderStatus.PAID, "amount": int(order.amount), "event": update.event_key},
            request_id=request_id,
        )
        return "applied"
    if result.outcome == "already_paid" and order is not None:
        orders.publish_completed(order)  # repair: a crash may have come between PAID and the publish
        return "republished"
    if result.outcome == "mismatch" and order is not None:
        _mismatch(update, order, actor, request_id)
        return "mismatch"
    if result.outcome == "closed" and order is not None:
        return _late_payment(update, order, actor, request_id)
    if result.outcome == "missing":
        audit.record(
            actor, "payment.unknown_order", f"order:{update.order_id}", after={"event": update.event_key}
        )
        _alert(update, reason="unknown_order")
        return "unknown_order"
    return "done"


def _mismatch(update: ProviderUpdate, order: Any, actor: str, request_id: str | None) -> None:
    expected = {"amount": int(order.amount), "currency": order.currency, "provider": order.provider}
    received = {"amount": update.amount, "currency": update.currency, "provider": update.provider}
    audit.record(
        actor,
        "payment.amount_mismatch",
        f"order:{order.order_id}",
        before=expected,
        after={**received, "event": update.event_key},
        request_id=request_id,
    )
    _alert(update, reason="amount_mismatch", expected=expected, received=received)
    # Not fulfilled: the order fails and its reservation is given back; the money received is for an
    # admin to refund (the audit entry and the alert name the order).
    orders.close_unpaid(
        order.order_id, OrderStatus.FAILED, "amount_mismatch", actor=actor, request_id=request_id
    )


def _late_payment(update: ProviderUpdate, order: Any, actor: str, request_id: str | None) -> str:
    """Money for an order that had already failed or expired: never fulfilled, refunded at once."""
    outcome = adapter_for(order.provider).refund(
        order, reason="payment arrived after the order closed", idempotency_key=f"oshi-late-{order.order_id}"
    )
    audit.record(
        actor,
        "payment.late_refund",
        f"order:{order.order_id}",
        before={"status": order.status},
        after={"event": update.event_key, "refund": outcome.status, "message": outcome.message},
        request_id=request_id,
    )
    _alert(update, reason="late_payment", refund=outcome.status)
    return f"late_payment_{outcome.status}"


def _alert(update: ProviderUpdate, **data: Any) -> None:
    metrics.add_metric(name="PaymentMismatches", unit="Count", value=1)
    logger.warning("payment needs attention", extra={"event": update.event_key, **data})
    assert update.order_id is not None  # ``handle`` ignores events that name no order
    mismatch = PaymentMismatchData(
        order_id=update.order_id, provider=update.provider, event=update.event_key, **data
    )
    publish([PAYMENT_MISMATCH.event(mismatch, correlation_id=update.order_id)])
