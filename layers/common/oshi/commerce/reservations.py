"""An order's reservation, and the one way to give it back.

The purchase transaction (``oshi.commerce.orders``) reserves the order's draws on the gacha
(``Gacha.sold_draws + count``, or on the shards the order names: ``Order.stock_shards``,
``oshi.catalogue.stock``) and its amount on the fan's month (``Spending.spent + amount``). Whatever
ends the order without a draw gives them back through ``release``: a failed or expired payment
(``settlement.close_unpaid``: provider unavailable, provider webhooks, amount mismatch, the sweeper) and a
refund (``refunds.mark_refunded``: provider refund webhooks, the admin's refund, the fulfilment's
compensation). Nothing else writes a negative ADD to those counters (or to a ``StockShard``) (tests/unit/test_release_path.py).

Exactly once, under retries, crashes and races: the release is part of the same transaction as the
order's own change, and that transaction's order update carries ``reservation_released = true`` on the
condition that it was not set. Two paths racing (the sweeper and a refund webhook) cannot both commit
it; a path retried after a crash finds the flag set and gives nothing back twice.
"""

from __future__ import annotations

from typing import Any

from oshi.catalogue import stock
from oshi.kernel.txn import Txn
from oshi.models.gachas import Gacha, StockShard
from oshi.models.orders import Order, OrderStatus
from oshi.models.payments import PurchaseClaim, Spending

ORDER, STOCK, SPENDING, FIRST_TEN = "order", "stock", "spending", "first10"  # the Txn labels

# A missing flag reads as False (the attribute's default), so it counts as "not released" here too.
NOT_RELEASED = Order.reservation_released.does_not_exist() | (Order.reservation_released == False)  # noqa: E712


def release(txn: Txn, order: Order, *, actions: list[Any], condition: Any) -> bool:
    """Add the order's update (``actions`` on ``condition``, label ``order``) to ``txn`` and, unless the
    order as read has released its reservation already, the release: the flag set on the condition that
    it was not, the draws back to the gacha (``stock``) and the amount back to the month (``spending``).
    Returns whether the release is part of ``txn``. The caller commits (``ConditionsFailed`` with
    ``order`` in its labels: the order changed meanwhile, nothing was given back)."""
    if order.reservation_released:
        txn.update(ORDER, Order(order.order_id), actions, condition=condition)
        return False
    txn.update(
        ORDER,
        Order(order.order_id),
        [*actions, Order.reservation_released.set(True)],
        condition=condition & NOT_RELEASED,
    )
    if not (order.gacha_kind == "box" and order.status == OrderStatus.FULFILLED):
        # A box's drawn tickets left the box for good (shown to the fan, maybe the last-one prize with
        # them): a refund after the draw gives the money back, never the tickets.
        shards = stock.decode(order.stock_shards)
        if shards:  # sharded stock: each shard the order reserved on gets its draws back (``stock:k``)
            for k, draws in shards.items():
                txn.update(
                    stock.label(k),
                    StockShard(stock.shard_key(order.gacha_id, k)),
                    [StockShard.sold.add(-draws)],
                )
        else:
            txn.update(STOCK, Gacha(order.gacha_id), [Gacha.sold_draws.add(-int(order.count))])
    if order.first_ten_claim and order.status == OrderStatus.PENDING_PAYMENT:
        # never paid: the fan's first 10-draw discount is theirs to use again
        txn.delete(
            FIRST_TEN,
            PurchaseClaim(order.first_ten_claim),
            condition=PurchaseClaim.order_id == order.order_id,
        )
    if order.spend_period:
        txn.update(
            SPENDING, Spending(order.fan_id, order.spend_period), [Spending.spent.add(-int(order.amount))]
        )
    return True
