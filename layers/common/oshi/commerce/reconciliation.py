"""Payments against fulfilment (``GET /api/admin/reconciliation``): every paid order is fulfilled, refunded,
or listed as needing attention; totals per provider and per day (JST, the business day).

A scan of the orders table: an admin report run by hand or daily, fine at this scale (docs/draw.md says
when to move it to a paid-at index or an export).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from oshi.kernel import clock
from oshi.models.orders import Order, OrderStatus

JST = timezone(timedelta(hours=9))
ACCOUNTED = (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.REFUNDED)
DEFAULT_STALE_MINUTES = 10


@dataclass
class DayTotals:
    provider: str
    day: str
    orders: int = 0
    amount: int = 0
    fulfilled: int = 0
    refunded: int = 0
    refunded_amount: int = 0
    awaiting_fulfilment: int = 0


@dataclass
class Report:
    generated_at: datetime
    stale_after_minutes: int
    totals: list[DayTotals] = field(default_factory=list)
    needs_attention: list[dict[str, Any]] = field(default_factory=list)
    paid_orders: int = 0


def report(*, stale_minutes: int = DEFAULT_STALE_MINUTES, at: datetime | None = None) -> Report:
    at = at or clock.utc_now()
    cutoff = at - timedelta(minutes=stale_minutes)
    totals: dict[tuple[str, str], DayTotals] = {}
    attention: list[dict[str, Any]] = []
    paid = 0
    for order in Order.scan(Order.status.is_in(*[s.value for s in ACCOUNTED])):
        paid_at = order.paid_at or order.created_at
        day = paid_at.astimezone(JST).date().isoformat()
        row = totals.setdefault((order.provider, day), DayTotals(order.provider, day))
        paid += 1
        row.orders += 1
        row.amount += int(order.amount)
        if order.status == OrderStatus.FULFILLED:
            row.fulfilled += 1
        elif order.status == OrderStatus.REFUNDED:
            row.refunded += 1
            row.refunded_amount += int(order.amount)
        else:
            row.awaiting_fulfilment += 1
            if paid_at <= cutoff:
                attention.append(
                    {
                        "order_id": order.order_id,
                        "provider": order.provider,
                        "amount": int(order.amount),
                        "paid_at": paid_at.isoformat(),
                        "minutes_waiting": int((at - paid_at).total_seconds() // 60),
                        "reason": "paid_not_fulfilled",
                    }
                )
    report = Report(at, stale_minutes, paid_orders=paid)
    report.totals = sorted(totals.values(), key=lambda r: (r.day, r.provider))
    report.needs_attention = sorted(attention, key=lambda a: str(a["paid_at"]))
    return report
