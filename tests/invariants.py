"""The system's money invariants, written once: the fault-injection tests and the admin report run them.

After any sequence of retries, crashes and races has settled:
- every medal balance (and its earned and spent totals) equals its ledger's sums, and is never negative;
- every fulfilled order has one result per draw, its medals in the ledger and its rewards in the box;
- no reward exists without a fulfilled order (or a refunded one, then revoked) or an exchange behind it;
- every gacha's reserved/sold draws equal the draws of the orders still holding a reservation, within its
  stock; on a sharded gacha (issue 21, ``oshi.catalogue.stock``) per shard: each shard's reserved draws
  equal the draws the holding orders name on it and stay within its allocation, every order names shards
  that exist for exactly its draws, and the gacha item's own counter is never written; every limited prize's stock minus what is left equals the times it was drawn;
- every exchange item's sold units equal its trades and the fans' counters, within stock and limits;
- campaigns (issue 20): medals = draws x medals per draw x the multiplier the order records, the same as
  its ledger entry; a fan's first 10-draw discount on a gacha is used by at most one paid order;
- draw formats (issue 20): a box's tickets drawn equal the tickets of its drawn orders, per prize and in
  total, every ticket once, its log holds every drawn order, and it has exactly one last-one prize once
  empty (none before); a fan's ceiling counter equals the replay of their draw history on the gacha;
- (when ``settled``) no order is left PAID: each paid order was fulfilled, refunded or owes its refund;
- audit (issue 21): every day's hash chain verifies; once the chainer has run (``check_audit_chained``)
  the outbox is empty and every order paid through a webhook has exactly one ``order.paid`` entry;
- no order holds money it received without being fulfilled, refunded, or on the pending-refund list
  (``oshi.commerce.order_queries.owing_refund``): money for a closed order, a mismatched payment, a paid order that
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

from oshi.catalogue import stock
from oshi.commerce import order_queries
from oshi.draw import box as boxes
from oshi.models.exchange import Exchange, ExchangeCount, ExchangeItem
from oshi.models.fairness import FairnessRecord, gacha_pk, nonce_pk
from oshi.models.gachas import Gacha, Prize, StockShard
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
    multipliers = {
        e.source_id: int(e.multiplier) if e.multiplier is not None else None
        for e in ledger
        if e.kind == LedgerKind.EARN.value
    }
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
        results = [i for i in order.drawn_items() if i.get("table") != "last_one"]
        last_ones = len(order.drawn_items()) - len(results)
        if len(results) != count:
            found.append(Violation("orders.results", subject, f"{len(results)} results for {count} draws"))
        # medals = draws x medals per draw x the campaign multiplier in force when it was paid (issue 20)
        medals = count * int(order.medals_per_draw) * int(order.medal_multiplier or 1)
        if int(order.medals_awarded or 0) != medals:
            found.append(Violation("orders.medals", subject, f"awarded {order.medals_awarded} != {medals}"))
        if medals and multipliers.get(order.order_id) != (
            int(order.medal_multiplier) if order.medal_campaign_id else None
        ):
            found.append(
                Violation(
                    "orders.multiplier", subject, "the ledger entry's multiplier differs from the order's"
                )
            )
        if medals and earned.get(order.order_id) != medals:
            found.append(
                Violation("orders.medals", subject, f"ledger earned {earned.get(order.order_id)} != {medals}")
            )
        if len(draws_rewarded[order.order_id]) != count + last_ones:
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
        page, cursor = order_queries.owing_refund(limit=order_queries.REFUNDS_MAX_PAGE, cursor=cursor)
        ids.update(o.order_id for o in page)
        if cursor is None:
            return ids


def _check_shards(
    gachas: list[Gacha], shards: list[StockShard], held_on: Counter[tuple[str, int]]
) -> list[Violation]:
    """Sharded stock: sold + released = reserved on every shard, to the unit, and never over its share."""
    found = []
    by_gacha = {g.gacha_id: g for g in gachas}
    sold_on = {}
    for item in shards:
        gacha_id, _, k = item.shard_key.rpartition("#")
        sold_on[(gacha_id, int(k))] = int(item.sold or 0)
    for gacha_id, k in sorted(set(sold_on) | set(held_on)):
        subject = f"stock-shard/{gacha_id}#{k}"
        gacha = by_gacha.get(gacha_id)
        if gacha is None or not 0 <= k < stock.shard_count(gacha) or not stock.is_sharded(gacha):
            found.append(Violation("stock.shard_unknown", subject, "no such shard of a sharded gacha"))
            continue
        sold, expected = sold_on.get((gacha_id, k), 0), held_on[(gacha_id, k)]
        if sold != expected:
            found.append(Violation("stock.shard_draws", subject, f"sold {sold} != held by orders {expected}"))
        share = stock.allocation(int(gacha.total_stock or 0), stock.shard_count(gacha), k)
        if not 0 <= sold <= share:
            found.append(Violation("stock.shard_oversold", subject, f"{sold} outside 0..{share}"))
    return found


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


def check_stock(
    gachas: list[Gacha], prizes: list[Prize], orders: list[Order], shards: list[StockShard] | None = None
) -> list[Violation]:
    found = []
    held: Counter[str] = Counter()
    held_on: Counter[tuple[str, int]] = Counter()  # sharded stock: (gacha, shard) -> draws held there
    drawn: Counter[tuple[str, str]] = Counter()
    for order in orders:
        named = stock.decode(order.stock_shards)
        if named and sum(named.values()) != int(order.count):
            found.append(
                Violation("stock.shard_order", f"order/{order.order_id}", f"shards {named} for {order.count}")
            )
        # A box's drawn tickets stay drawn when the order is refunded (reservations.release keeps them).
        if not order.reservation_released or (order.gacha_kind == "box" and order.fulfilled_at is not None):
            if named:
                for k, draws in named.items():
                    held_on[(order.gacha_id, k)] += draws
            else:
                held[order.gacha_id] += int(order.count)
        # A refund does not give a drawn limited prize back (docs/draw.md), so refunded draws count too.
        if order.status in (OrderStatus.FULFILLED, OrderStatus.REFUNDED):
            for result in order.drawn_items():
                drawn[(order.gacha_id, str(result.get("prize_id")))] += 1
    found += _check_shards(gachas, shards or [], held_on)
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


def _drawn(order: Order) -> bool:
    return order.fulfilled_at is not None and order.status in (OrderStatus.FULFILLED, OrderStatus.REFUNDED)


def check_boxes(
    gachas: list[Gacha],
    orders: list[Order],
    records: list[FairnessRecord],
    shards: list[StockShard] | None = None,
) -> list[Violation]:
    found = []
    on_shards: Counter[str] = Counter()  # a sharded box's reserved tickets live on its shards
    for item in shards or []:
        on_shards[item.shard_key.rpartition("#")[0]] += int(item.sold or 0)
    by_pk: dict[str, dict[str, FairnessRecord]] = defaultdict(dict)
    for r in records:
        by_pk[r.pk][r.sk] = r
    for gacha in gachas:
        if gacha.kind != "box":
            continue
        subject = f"box/{gacha.gacha_id}"
        box = boxes.from_document(gacha.rate_table)
        items = by_pk[gacha_pk(gacha.gacha_id)]
        state = items.get("box")
        drawn_orders = [o for o in orders if o.gacha_id == gacha.gacha_id and _drawn(o)]
        tickets = [i for o in drawn_orders for i in o.drawn_items() if i.get("table") == "box"]
        drawn = int(state.box_drawn or 0) if state is not None else 0
        if drawn != len(tickets) or drawn != sum(int(o.count) for o in drawn_orders):
            found.append(Violation("box.drawn", subject, f"box says {drawn}, orders drew {len(tickets)}"))
        if len({i["ticket"] for i in tickets}) != len(tickets):
            found.append(Violation("box.ticket_twice", subject, "a ticket was drawn twice"))
        per_prize = Counter(i["prize_id"] for i in tickets)
        left = {k: int(v) for k, v in ((state.box_remaining if state is not None else None) or {}).items()}
        for p in box.prizes:
            if state is not None and p.count - left.get(p.prize_id, 0) != per_prize[p.prize_id]:
                found.append(
                    Violation(
                        "box.prize",
                        subject,
                        f"{p.prize_id}: {left.get(p.prize_id)} left, {per_prize[p.prize_id]} drawn",
                    )
                )
        sold = on_shards[gacha.gacha_id] if stock.is_sharded(gacha) else int(gacha.sold_draws or 0)
        if sold < drawn:
            found.append(Violation("box.sold", subject, f"sold {sold} < drawn {drawn}"))
        winners = [
            o.order_id for o in drawn_orders if any(i.get("table") == "last_one" for i in o.drawn_items())
        ]
        expected = 1 if box.last_one is not None and drawn == box.total else 0
        recorded = state.last_one_order_id if state is not None else None
        if len(winners) != expected or (expected and recorded != winners[0]) or (not expected and recorded):
            found.append(
                Violation("box.last_one", subject, f"last-one orders {winners}, recorded {recorded}")
            )
        logged = {r.order_id for sk, r in items.items() if sk.startswith("box#")}
        if logged != {o.order_id for o in drawn_orders}:
            found.append(
                Violation("box.log", subject, f"log holds {len(logged)} orders, {len(drawn_orders)} drew")
            )
    return found


def check_ceilings(
    gachas: list[Gacha], orders: list[Order], records: list[FairnessRecord]
) -> list[Violation]:
    """Replay each fan's draws on each gacha with a ceiling: the stored counter, every order's recorded
    counter before it, and the ceiling slots all follow from the history."""
    found = []
    ceilings = {g.gacha_id: int(g.ceiling) for g in gachas if g.ceiling is not None}
    counters = {r.pk: int(r.since_top or 0) for r in records if r.pk.startswith("nonce#")}
    history: dict[tuple[str, str], list[Order]] = defaultdict(list)
    for o in orders:
        if o.gacha_id in ceilings and _drawn(o):
            history[(o.fan_id, o.gacha_id)].append(o)
    for (fan_id, gacha_id), drawn_orders in history.items():
        n, since, subject = ceilings[gacha_id], 0, f"ceiling/{fan_id}/{gacha_id}"
        rarity = _top_rarity(gachas, gacha_id)
        for order in sorted(drawn_orders, key=lambda o: int(o.nonce)):
            if int(order.results["proof"].get("ceiling_before", -1)) != since:
                found.append(
                    Violation(
                        "ceiling.before",
                        subject,
                        f"order {order.order_id} says {order.results['proof'].get('ceiling_before')}, history {since}",
                    )
                )
            for item in order.drawn_items():
                if (item["table"] == "ceiling") != (since >= n - 1):
                    found.append(
                        Violation("ceiling.slot", subject, f"order {order.order_id} slot {item['slot']}")
                    )
                since = 0 if item["rarity"] == rarity else since + 1
        if counters.get(nonce_pk(fan_id, gacha_id), 0) != since:
            found.append(
                Violation(
                    "ceiling.counter",
                    subject,
                    f"stored {counters.get(nonce_pk(fan_id, gacha_id))}, history {since}",
                )
            )
    return found


def _top_rarity(gachas: list[Gacha], gacha_id: str) -> str:
    gacha = next(g for g in gachas if g.gacha_id == gacha_id)
    return str(gacha.rate_table["ceiling"]["rarity"])


def check_first_ten(orders: list[Order]) -> list[Violation]:
    used = Counter(
        o.first_ten_claim
        for o in orders
        if o.first_ten_claim and o.status in (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.REFUNDED)
    )
    return [
        Violation("campaign.first_ten", str(k), f"used by {n} paid orders") for k, n in used.items() if n > 1
    ]


def check_audit() -> list[Violation]:
    from oshi import audit
    from oshi.models.audit import AuditEntry

    days = sorted({e.partition for e in _scan(AuditEntry)})
    return [
        Violation("audit.chain", day, problem)
        for day in days
        for problem in audit.verify_chain(AuditEntry.query(day, consistent_read=True))
    ]


def check_audit_chained(paid: list[Order] | tuple[Order, ...] = ()) -> list[Violation]:
    """After the audit chainer ran: nothing left pending, chains intact, and exactly one ``order.paid``
    entry for each order of ``paid`` (orders paid through a webhook; tests also create paid orders directly)."""
    from oshi.models.audit import AuditEntry, AuditPending

    found = [Violation("audit.pending", f"{p.day}/{p.entry_id}", p.action) for p in _scan(AuditPending)]
    entries = Counter(e.target for e in _scan(AuditEntry) if e.action == "order.paid")
    for order in paid:
        if entries[f"order:{order.order_id}"] != 1:
            found.append(
                Violation("audit.order_paid", order.order_id, f"{entries[f'order:{order.order_id}']} entries")
            )
    return [*found, *check_audit()]


def check_refund_audit(orders: list[Order]) -> list[Violation]:
    """Exactly one ``order.refunded`` audit entry (chained, or still in the outbox) per refunded order:
    the entry is written in the refund's own transaction, so no crash can leave one without the other."""
    from oshi.models.audit import AuditEntry, AuditPending

    entries = Counter(
        e.target for model in (AuditEntry, AuditPending) for e in _scan(model) if e.action == "order.refunded"
    )
    return [
        Violation("audit.order_refunded", o.order_id, f"{entries[f'order:{o.order_id}']} entries")
        for o in orders
        if o.status == OrderStatus.REFUNDED and entries[f"order:{o.order_id}"] != 1
    ]


def check_all(*, settled: bool = True) -> list[Violation]:
    orders, rewards = _scan(Order), _scan(Reward)
    ledger, exchanges = _scan(MedalLedgerEntry), _scan(Exchange)
    gachas, fairness_records, shards = _scan(Gacha), _scan(FairnessRecord), _scan(StockShard)
    return [
        *check_medals(),
        *check_orders(orders, rewards, ledger, settled=settled),
        *check_money(orders, _scan(ProviderEvent), pending_refund_ids(), settled=settled),
        *check_rewards(rewards, orders, exchanges),
        *check_stock(gachas, _scan(Prize), orders, shards),
        *check_exchange(_scan(ExchangeItem), _scan(ExchangeCount), exchanges),
        *check_boxes(gachas, orders, fairness_records, shards),
        *check_ceilings(gachas, orders, fairness_records),
        *check_first_ten(orders),
        *check_refund_audit(orders),
        *check_audit(),
    ]
