"""A VTuber's sales report, from their orders (GSI ``by-vtuber``).

Revenue counts orders that were paid and not refunded (``PAID`` awaiting its draw, or ``FULFILLED``);
refunded orders are reported separately. Days are Japan days (JST), as the VTubers' payouts are.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

from oshi.models.orders import Order, OrderStatus

JST = timezone(timedelta(hours=9), "JST")
MAX_DAYS = 366
_SOLD = {OrderStatus.PAID.value, OrderStatus.FULFILLED.value}


def report(vtuber_id: str, since: datetime, until: datetime, *, top: int = 10) -> dict[str, Any]:
    days: dict[str, dict[str, int]] = defaultdict(lambda: {"revenue": 0, "draws": 0, "orders": 0})
    prizes: Counter[tuple[str, str, str]] = Counter()
    fans: set[str] = set()
    revenue = draws = orders = refunded_amount = refunded_orders = 0
    condition = Order.created_at.between(since, until)
    for order in Order.by_vtuber.query(vtuber_id, range_key_condition=condition):
        if order.status == OrderStatus.REFUNDED:
            refunded_orders += 1
            refunded_amount += int(order.amount)
            continue
        if order.status not in _SOLD:
            continue
        amount, count = int(order.amount), int(order.count)
        revenue, draws, orders = revenue + amount, draws + count, orders + 1
        fans.add(order.fan_id)
        day = days[order.created_at.astimezone(JST).date().isoformat()]
        day["revenue"] += amount
        day["draws"] += count
        day["orders"] += 1
        for result in order.drawn_items():
            prizes[(order.gacha_id, str(result.get("prize_id")), str(result.get("name", "")))] += 1
    return {
        "vtuber_id": vtuber_id,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "currency": "JPY",
        "revenue": revenue,
        "draws": draws,
        "orders": orders,
        "fans": len(fans),
        "refunded": {"orders": refunded_orders, "amount": refunded_amount},
        "top_prizes": [
            {"gacha_id": gacha_id, "prize_id": prize_id, "name": name, "drawn": n}
            for (gacha_id, prize_id, name), n in prizes.most_common(top)
        ],
        "per_day": [{"date": date, **figures} for date, figures in sorted(days.items())],
    }
