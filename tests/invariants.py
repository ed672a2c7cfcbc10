"""The system's money invariants, written once: the fault-injection tests and the admin report run them.

After any sequence of retries, crashes and races has settled:
- every medal balance (and its earned and spent totals) equals its ledger's sums, and is never negative;
- every fulfilled order has one result per draw, its medals in the ledger and its rewards in the box;
- no reward exists without a fulfilled order (or a refunded one, then revoked) or an exchange behind it;
- every gacha's reserved/sold draws equal the draws of the orders still holding a reservation, within its
  stock; every limited prize's stock minus what is left equals the times it was drawn;
- every exchange item's sold units equal its trades and the fans' counters, within stock and limits;
- (when ``settled``) no order is left PAID: each paid order was fulfilled, refunded or owes its refund;
- no order holds money it received without being fulfilled, refunded, or on the pending-refund list
  (``oshi.commerce.refunds.pending``): money for a closed order, a mismatched payment, a paid order that
  could not be drawn. "Received" is read from the order (``received_amount``, or PAID/FULFILLED) and from
  the provider events applied to it (a late or mismatched payment), so an order that forgot the money it
  got is still found.

The checks scan whole tables: right for tests and for an admin report on a modest table; at scale the same
rules run as an offline job over a DynamoDB export.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from oshi.commerce import refunds
from oshi.models.exchange import Exchange, ExchangeCount, ExchangeItem
from oshi.models.gachas import Gacha, Prize
from oshi.models.orders import Order, OrderStatus, ProviderEvent
from oshi.models.rewards import LedgerKind, MedalBalance, MedalLedgerEntry, Reward, RewardSource, fan_vtuber
from oshi.rewards import queries


@dataclass(frozen=True)
class Violation:
    rule: str
    subject: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "subject": self.subject, "detail": self.detail}


def _scan(model: Any) -> list[Any]:
    return list(model.scan(consistent_read=True))


def check_medals() -> list[Violation]:
    """The ledger report of ``oshi.rewards.queries`` (also ``GET /api/admin/medals/report``), as violations."""
    report = queries.check_ledger()
    found = [
        Violation(
            "medals.ledger",
            f"{m['fan_id']}#{m['vtuber_id']}",
            f"balance {m['balance']} != ledger {m['ledger']}",
        )
        for m in report.mismatches
    ]
    for b in MedalBalance.scan(consistent_read=True, filter_condition=MedalBalance.balance < 0):
        found.append(Violation("medals.negative", fan_vtuber(b.fan_id, b.vtuber_id), f"balance {b.balance}"))
    return found


def check_orders(
    orders: list[Order], rewards: list[Reward], ledger: list[MedalLedgerEntry], *, settled: bool
) -> list[Violation]:
    found = []
    earned = {e.source_id: int(e.delta) for e in ledger if e.kind == LedgerKind.EARN.value}
    draws_rewarded: dict[str, set[str]] = defaultdict(set)
    for r in rewards:
        if r.source == RewardSource.GACHA.value:
            draws_rewarded[r.source_id].add(r.reward_id.split("#")[1])
    for order in orders:
        subject = f"order/{order.order_id}"
        if order.status == OrderStatus.PAID and settled and order.refund_due is None:
            found.append(Violation("orders.unsettled", subject, "paid but neither fulfilled nor refunded"))
        if order.status != OrderStatus.FULFILLED:
            continue
        count = int(order.count)
        results = order.drawn_items()
        if len(results) != count:
            found.append(Violation("orders.results", subject, f"{len(results)} results for {count} draws"))
        medals = count * int(order.medals_per_draw)
        if medals and earned.get(order.order_id) != medals:
            found.append(
                Violation("orders.medals", subject, f"ledger earned {earned.get(order.order_id)} != {medals}")
            )
        if len(draws_rewarded[order.order_id]) != count:
            found.append(
                Violation(
                    "orders.rewards",
                    subject,
                    f"rewards for {len(draws_rewarded[order.order_id])}/{count} draws",
                )
            )
    return found


# Provider event outcomes (oshi.commerce.webhooks) that mean money arrived for an order not paid by it.
_MONEY_ARRIVED = ("late_payment", "mismatch")


def check_money(
    orders: list[Order], events: list[ProviderEvent], pending_ids: set[str], *, settled: bool
) -> list[Violation]:
    """Money received is fulfilled, refunded, or owed on the pending-refund list; never just held."""
    arrived = {e.order_id for e in events if e.order_id and (e.outcome or "").startswith(_MONEY_ARRIVED)}
    found = []
    for order in orders:
        subject = f"order/{order.order_id}"
        holds = (
            order.status in (OrderStatus.PAID, OrderStatus.FULFILLED)
            or order.received_amount is not None
            or order.order_id in arrived
        )
        if order.status == OrderStatus.REFUNDED and order.refund_due is not None:
            found.append(Violation("money.refund_due", subject, "refunded but still on the pending list"))
        if order.refund_due is not None and order.order_id not in pending_ids:
            found.append(Violation("money.pending_index", subject, "owes a refund but is not listed"))
        if not holds or order.status in (OrderStatus.FULFILLED, OrderStatus.REFUNDED):
            continue
        if order.status == OrderStatus.PAID and not settled:
            continue  # in flight: fulfilment has not run yet
        if order.order_id not in pending_ids:
            found.append(
                Violation(
                    "money.stuck",
                    subject,
                    f"{order.status} holds money received but is neither fulfilled, refunded nor pending refund",
                )
            )
    return found


def pending_refund_ids() -> set[str]:
    """Every order on the admins' pending-refund list (all pages)."""
    ids: set[str] = set()
    cursor = None
    while True:
        page, cursor = refunds.pending(limit=refunds.MAX_PAGE, cursor=cursor)
        ids.update(o.order_id for o in page)
        if cursor is None:
            return ids


def check_rewards(rewards: list[Reward], orders: list[Order], exchanges: list[Exchange]) -> list[Violation]:
    by_id = {o.order_id: o for o in orders}
    exchange_ids = {e.exchange_id for e in exchanges}
    found = []
    for r in rewards:
        subject = f"reward/{r.fan_id}/{r.reward_id}"
        if r.source == RewardSource.EXCHANGE.value:
            if r.source_id not in exchange_ids:
                found.append(Violation("rewards.source", subject, "no exchange behind it"))
            continue
        order = by_id.get(r.source_id)
        if order is None or order.fan_id != r.fan_id:
            found.append(Violation("rewards.source", subject, "no order of this fan behind it"))
        elif order.status == OrderStatus.REFUNDED and not r.revoked:
            found.append(Violation("rewards.revoked", subject, "its order was refunded"))
        elif order.status not in (OrderStatus.FULFILLED, OrderStatus.REFUNDED):
            found.append(Violation("rewards.source", subject, f"its order is {order.status}"))
    return found


def check_stock(gachas: list[Gacha], prizes: list[Prize], orders: list[Order]) -> list[Violation]:
    found = []
    held: Counter[str] = Counter()
    drawn: Counter[tuple[str, str]] = Counter()
    for order in orders:
        if not order.reservation_released:
            held[order.gacha_id] += int(order.count)
        # A refund does not give a drawn limited prize back (docs/draw.md), so refunded draws count too.
        if order.status in (OrderStatus.FULFILLED, OrderStatus.REFUNDED):
            for result in order.drawn_items():
                drawn[(order.gacha_id, str(result.get("prize_id")))] += 1
    for gacha in gachas:
        subject = f"gacha/{gacha.gacha_id}"
        sold = int(gacha.sold_draws or 0)
        if sold != held[gacha.gacha_id]:
            found.append(
                Violation(
                    "stock.draws", subject, f"sold_draws {sold} != held by orders {held[gacha.gacha_id]}"
                )
            )
        if gacha.total_stock is not None and sold > int(gacha.total_stock):
            found.append(Violation("stock.oversold", subject, f"{sold} > stock {int(gacha.total_stock)}"))
    for prize in prizes:
        if prize.stock is None:
            continue
        subject = f"prize/{prize.gacha_id}/{prize.prize_id}"
        remaining = int(prize.remaining if prize.remaining is not None else prize.stock)
        used = int(prize.stock) - remaining
        if remaining < 0:
            found.append(Violation("stock.prize_negative", subject, f"remaining {remaining}"))
        if used != drawn[(prize.gacha_id, prize.prize_id)]:
            found.append(
                Violation(
                    "stock.prize",
                    subject,
                    f"stock used {used} != drawn {drawn[(prize.gacha_id, prize.prize_id)]}",
                )
            )
    return found


def check_exchange(
    items: list[ExchangeItem], counts: list[ExchangeCount], exchanges: list[Exchange]
) -> list[Violation]:
    found = []
    units: Counter[str] = Counter()
    traded: Counter[str] = Counter()
    for c in counts:
        units[c.item_id] += int(c.units or 0)
    for e in exchanges:
        traded[e.item_id] += int(e.quantity)
    limits = {i.item_id: int(i.per_user_limit) for i in items}
    for c in counts:
        if c.item_id in limits and int(c.units or 0) > limits[c.item_id]:
            found.append(
                Violation(
                    "exchange.limit", f"count/{c.fan_id}/{c.item_id}", f"{c.units} > {limits[c.item_id]}"
                )
            )
    for item in items:
        subject = f"item/{item.item_id}"
        sold = int(item.sold or 0)
        if sold != units[item.item_id] or sold != traded[item.item_id]:
            found.append(
                Violation(
                    "exchange.sold",
                    subject,
                    f"sold {sold}, counters {units[item.item_id]}, trades {traded[item.item_id]}",
                )
            )
        if item.stock is not None and int(item.stock) - int(item.remaining or 0) != sold:
            found.append(
                Violation(
                    "exchange.stock",
                    subject,
                    f"stock {item.stock} - remaining {item.remaining} != sold {sold}",
                )
            )
    return found


def check_all(*, settled: bool = True) -> list[Violation]:
    orders, rewards = _scan(Order), _scan(Reward)
    ledger, exchanges = _scan(MedalLedgerEntry), _scan(Exchange)
    return [
        *check_medals(),
        *check_orders(orders, rewards, ledger, settled=settled),
        *check_money(orders, _scan(ProviderEvent), pending_refund_ids(), settled=settled),
        *check_rewards(rewards, orders, exchanges),
        *check_stock(_scan(Gacha), _scan(Prize), orders),
        *check_exchange(_scan(ExchangeItem), _scan(ExchangeCount), exchanges),
    ]
