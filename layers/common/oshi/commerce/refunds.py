"""Refunds: the compensation path, the admin's manual refund, and the provider's refund webhooks.

``mark_refunded`` records a refund that happened (or was requested) at the provider, in ONE transaction:
the order -> ``REFUNDED``, the order's unspent medals clawed back (``min(awarded, balance)``, the rest
recorded as already spent), its rewards revoked (kept for the record, no longer downloadable), the stock
reservation and the month's spending given back if not yet (``oshi.commerce.reservations.release``). Idempotent: an order already ``REFUNDED`` is
returned unchanged. Limited prize stock is not given back (the prize was drawn; see docs/draw.md).

``refund_order`` asks the provider first (idempotency key derived from the order), then marks it.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from oshi import audit
from oshi.commerce import reservations
from oshi.events.bus import publish
from oshi.events.definitions import ORDER_REFUNDED, OrderRefundedData
from oshi.kernel import clock
from oshi.kernel.errors import OrderNotFound, OrderNotRefundable, RefundFailed
from oshi.kernel.observability import logger, metrics
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.orders import Order, OrderStatus
from oshi.models.rewards import LedgerKind, MedalBalance, Reward, reward_id
from oshi.rewards import medals

REFUNDABLE = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.PENDING_PAYMENT)
MAX_ATTEMPTS = 5


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
        if order.status not in REFUNDABLE:
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
    txn.commit()

    order.refresh(consistent_read=True)
    after = {
        "status": OrderStatus.REFUNDED,
        "reason": reason,
        "provider_refund_id": provider_refund_id,
        "medals_clawed_back": clawed,
        "medals_unrecovered": unrecovered,
        "rewards_revoked": len(revoked),
        "released_draws": int(order.count) if release else 0,
    }
    audit.record(
        actor, "order.refunded", f"order:{order.order_id}", before=before, after=after, request_id=request_id
    )
    metrics.add_metric(name="OrdersRefunded", unit="Count", value=1)
    if unrecovered:
        logger.warning(
            "refund could not claw back spent medals",
            extra={"order_id": order.order_id, "unrecovered": unrecovered},
        )
    publish(
        [
            ORDER_REFUNDED.event(
                OrderRefundedData(
                    order_id=order.order_id,
                    fan_id=order.fan_id,
                    gacha_id=order.gacha_id,
                    vtuber_id=order.vtuber_id,
                    amount=int(order.amount),
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
    ``only_if``: refund only an order still in that status (the compensation refunds only a PAID order:
    if another delivery fulfilled it meanwhile, there is nothing to compensate)."""
    from oshi.commerce.payments import adapter_for  # the provider libraries load only on this path

    order = _load(order_id)
    if order.status == OrderStatus.REFUNDED or (only_if is not None and order.status != only_if):
        return order
    if order.status not in REFUNDABLE or (order.status == OrderStatus.PENDING_PAYMENT):
        raise OrderNotRefundable(details={"status": order.status})
    outcome = adapter_for(order.provider).refund(order, reason=reason, idempotency_key=f"refund-{order_id}")
    status = str(outcome.status)
    if status == "failed":
        audit.record(
            actor,
            "order.refund_failed",
            f"order:{order_id}",
            before={"status": order.status},
            after={"reason": reason, "provider_message": outcome.message},
            request_id=request_id,
        )
        raise RefundFailed(details={"provider_message": outcome.message})
    note = reason if status == "refunded" else f"{reason} (refund requested: {outcome.message})"
    return mark_refunded(
        order_id,
        reason=note,
        actor=actor,
        request_id=request_id,
        provider_refund_id=outcome.provider_refund_id,
    )
