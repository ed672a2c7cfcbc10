"""Orders: creation with the stock and spending reservation (the purchase).

The payment transitions (``PENDING_PAYMENT -> PAID | FAILED | EXPIRED``) are ``oshi.commerce.settlement``'s,
apart from this module so the payment webhooks and the sweeper do not load the purchase's imports.

A purchase costs three DynamoDB round trips here (plus the route's rate-limit counter): one BatchGetItem across tables (gacha, user, spending,
idempotency claim), one transaction (order put + stock ADD + spending ADD + pending claim + the VTuber
still approved), and one update that stores the provider's checkout session. On a sharded gacha
(``oshi.catalogue.stock``) the stock ADD goes to a random shard; a full one adds a batch read of the
shards and a second transaction. The pending claim (one
pending order per fan and gacha) is deleted when the order leaves PENDING_PAYMENT, so buying the same
gacha again right after a payment costs no more. The reservation (stock and
spending) is given back exactly once, in the same transaction that moves the order out of
``PENDING_PAYMENT`` (``oshi.commerce.settlement``), by ``oshi.commerce.reservations.release`` (guarded by
``reservation_released``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist

from oshi.catalogue import campaigns, stock, storefront
from oshi.commerce import spending
from oshi.commerce.settlement import AWAITING, close_unpaid
from oshi.draw import fairness
from oshi.kernel import batch, clock, idempotency
from oshi.kernel.errors import (
    FirstTenUsed,
    GachaNotFound,
    GachaNotOnSale,
    IdempotencyKeyReused,
    NotEnoughTickets,
    OrderPending,
    PaymentMethodUnsupported,
    PaymentProviderUnavailable,
    SoldOut,
    SpendingCapExceeded,
    TooManyRequests,
)
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.gachas import PUBLIC_LISTING, Gacha, GachaKind, GachaStatus, StockShard
from oshi.models.orders import Order, OrderStatus
from oshi.models.payments import CAP_PERIOD, PurchaseClaim, Spending
from oshi.models.users import User
from oshi.models.vtubers import Vtuber, VtuberStatus

PROVISIONAL_PAYMENT_WINDOW = timedelta(hours=2)  # until the provider tells us the real expiry
CLAIM_TTL = timedelta(days=8)  # longer than any payment window (konbini: days)
# The reservation transaction's own actions (``_reserve``, plus a shard's ``stock:<k>``); any other failed label
# is ``also_write``'s.
RESERVE_LABELS = frozenset({"order", "stock", "spending", "pending", "first10", "idem", "vtuber"})
# Sharded stock: a full shard costs one batch read of every shard and one more transaction; a purchase that
# loses the race for the room it read that many times in a row is told to retry (429), never "sold out".
SPILL_READS = 4


@dataclass(frozen=True)
class PurchaseRequest:
    fan_id: str
    gacha_id: str
    count: int
    provider: str
    payment_method: str
    idempotency_key: str | None = None
    request_id: str | None = None
    client_seed: str | None = None  # the fan's, for provably fair draws; generated when absent


# --- purchase --------------------------------------------------------------------------------------------


def _price(gacha: Gacha, count: int) -> int:
    return int(gacha.price_single) if count == 1 else int(gacha.price_ten)


def _claim_keys(req: PurchaseRequest) -> tuple[str, str | None]:
    pending = f"pending#{req.fan_id}#{req.gacha_id}"
    idem = f"idem#{req.fan_id}#{req.idempotency_key}" if req.idempotency_key else None
    return pending, idem


def purchase(req: PurchaseRequest, also_write: Callable[[Txn], None] | None = None) -> tuple[Order, bool]:
    """Reserve and start the checkout. Returns (order, created); a retried Idempotency-Key returns the
    first order with created=False. ``also_write`` adds actions to the reservation's transaction (the
    caller's rate-limit counter: ``ConditionsFailed`` is raised as is when one of those fails)."""
    from oshi.commerce.payments import adapter_for  # the provider libraries load only on the purchase path

    idempotency.optional(req.idempotency_key)  # a key that was sent must follow the one rule (400)
    adapter = adapter_for(req.provider)
    if req.payment_method not in adapter.methods:
        raise PaymentMethodUnsupported(details={"provider": req.provider, "methods": sorted(adapter.methods)})
    at = clock.utc_now()
    period = spending.period_of(at)
    pending_key, idem_key = _claim_keys(req)
    first_ten_key = campaigns.first_ten_key(req.fan_id, req.gacha_id) if req.count == 10 else None
    keys: dict[type[Any], list[Any]] = {
        Gacha: [req.gacha_id],
        User: [req.fan_id],
        Spending: [(req.fan_id, CAP_PERIOD), (req.fan_id, period)],
        PurchaseClaim: [k for k in (idem_key, first_ten_key) if k],
    }
    found = batch.get(keys, consistent_read=True)  # one round trip across the four tables
    claims = {c.claim_key: c for c in found[PurchaseClaim]}
    if idem_key and idem_key in claims:
        return _replay(claims[idem_key].order_id, req), False

    gacha = next(iter(found[Gacha]), None)
    if gacha is None or gacha.listing != PUBLIC_LISTING or gacha.status == GachaStatus.DRAFT:
        raise GachaNotFound()
    state = storefront.sale_state(gacha, None, at)  # the VTuber's status is checked in the transaction
    if state not in (storefront.SaleState.ON_SALE, storefront.SaleState.SOLD_OUT):
        raise GachaNotOnSale(details={"state": state.value})
    total = int(gacha.total_stock) if gacha.total_stock is not None else None
    sold = int(gacha.sold_draws or 0)
    is_box = gacha.kind == GachaKind.BOX.value
    if total is not None and sold + req.count > total:
        if is_box and sold < total:
            # A 10-draw on a box with fewer tickets left is refused, never shrunk: the fan sees the price
            # of what they buy before paying (docs/draw.md, "Box gacha").
            raise NotEnoughTickets(details={"remaining": total - sold, "count": req.count})
        raise SoldOut(details={"remaining": max(total - sold, 0)})

    user = next(iter(found[User]), None)
    items = {item.period: item for item in found[Spending]}
    own = items.get(CAP_PERIOD)
    own_cap = int(own.own_cap) if own is not None and own.own_cap is not None else None
    allowance = spending.Allowance(
        spending.monthly_cap(user.birth_date if user else None, own_cap, at),
        int(items[period].spent or 0) if period in items else 0,
        period,
    )
    amount = list_price = _price(gacha, req.count)
    # 初回限定: the fan's first 10-draw on the gacha at the campaign's price, once (claim in the transaction)
    offer = campaigns.first_ten_offer(gacha, at) if first_ten_key else None
    if offer is not None and first_ten_key not in claims:
        amount = int(offer["price_ten"])
    else:
        offer = None
    if allowance.remaining is not None and amount > allowance.remaining:
        raise SpendingCapExceeded(details={**allowance.as_details(), "amount": amount})

    order = Order(
        new_order_id(),
        fan_id=req.fan_id,
        gacha_id=gacha.gacha_id,
        vtuber_id=gacha.vtuber_id,
        count=req.count,
        amount=amount,
        currency="JPY",
        medals_per_draw=int(gacha.medals_per_draw or 0),
        provider=req.provider,
        payment_method=req.payment_method,
        idempotency_key=req.idempotency_key,
        status=OrderStatus.PENDING_PAYMENT,
        awaiting=AWAITING,
        payment_expires_at=at + PROVISIONAL_PAYMENT_WINDOW,
        reservation_released=False,
        client_seed=req.client_seed or fairness.new_client_seed(),  # shown to the fan from now on
        correlation_id=req.request_id,
        created_at=at,
        updated_at=at,
        spend_period=period,
        pending_claim=pending_key,
        version=0,
        gacha_kind=GachaKind.BOX.value if is_box else None,
        list_price=list_price if offer is not None else None,
        discount_campaign_id=offer["campaign_id"] if offer is not None else None,
        first_ten_claim=first_ten_key if offer is not None else None,
    )
    sharded = stock.is_sharded(gacha)
    if sharded:
        # A shard at random; after this container saw every shard full, the shards' read instead (no
        # write bound to fail on a sold-out gacha).
        where = None if stock.seen_sold_out(gacha) else stock.first_choice(gacha, req.count)
        order.stock_shards = stock.encode(where or _spill(gacha, req.count, is_box))
    stale_pending: str | None = None
    spills = 0
    while True:
        try:
            _reserve(order, gacha, allowance, idem_key, stale_pending, at, also_write)
            break
        except ConditionsFailed as failed:
            if {label for label in failed.labels - RESERVE_LABELS if not stock.stock_failed([label])}:
                raise  # the caller's own condition (its rate limit): the caller answers
            if "first10" in failed.labels:  # used by another purchase meanwhile: never sold twice
                raise FirstTenUsed(details={"price_ten": list_price}) from None
            if "idem" in failed.labels and idem_key:
                claim = PurchaseClaim.get(idem_key, consistent_read=True)
                return _replay(claim.order_id, req), False
            if "pending" in failed.labels:
                if stale_pending is not None:  # taken over meanwhile by another purchase of this fan
                    raise OrderPending() from None
                stale_pending = _pending_order_or_stale(pending_key, at)
                continue
            if sharded and stock.stock_failed(failed.labels):
                spills += 1  # a full shard (or raced): place the draws where the shards have room
                if spills > SPILL_READS:
                    raise TooManyRequests(details={"reason": "stock_contended"}) from None
                order.stock_shards = stock.encode(_spill(gacha, req.count, is_box))
                continue
            if "stock" in failed.labels:
                if is_box:  # the tickets went meanwhile: say how many are left
                    left = max(
                        int(total or 0)
                        - int(Gacha.get(gacha.gacha_id, consistent_read=True).sold_draws or 0),
                        0,
                    )
                    if 0 < left < req.count:
                        raise NotEnoughTickets(details={"remaining": left, "count": req.count}) from None
                    raise SoldOut(details={"remaining": left}) from None
                raise (SoldOut() if total is not None else GachaNotOnSale()) from None
            if "vtuber" in failed.labels:
                raise GachaNotOnSale(details={"state": "suspended"}) from None
            if "spending" in failed.labels:
                fresh = spending.allowance(req.fan_id, user.birth_date if user else None, at)
                raise SpendingCapExceeded(details={**fresh.as_details(), "amount": amount}) from None
            raise
    return _start_checkout(order, gacha.title, req.request_id), True


def new_order_id() -> str:
    from oshi.kernel.ids import new_id

    return new_id()


def _reserve(
    order: Order,
    gacha: Gacha,
    allowance: spending.Allowance,
    idem_key: str | None,
    stale_pending: str | None,
    at: datetime,
    also_write: Callable[[Txn], None] | None = None,
) -> None:
    txn = Txn()
    if also_write is not None:
        also_write(txn)
    txn.put("order", order, condition=Order.order_id.does_not_exist())
    count = int(order.count)
    if order.stock_shards:
        # Sharded (oshi.catalogue.stock): the draws on the shards the order names, each within its
        # allocation. The gacha item is not part of the transaction (it would be the hot key again).
        total, n = int(gacha.total_stock or 0), stock.shard_count(gacha)
        for k, draws in stock.decode(order.stock_shards).items():
            cap = stock.allocation(total, n, k) - draws
            txn.update(
                stock.label(k),
                StockShard(stock.shard_key(gacha.gacha_id, k)),
                [StockShard.sold.add(draws)],
                condition=StockShard.sold.does_not_exist() | (StockShard.sold <= cap)
                if cap >= 0
                else StockShard.sold < 0,  # never true: more than the shard holds
            )
    else:
        stock_condition = (
            (Gacha.status == GachaStatus.PUBLISHED) & (Gacha.starts_at <= at) & (Gacha.ends_at > at)
        )
        if gacha.total_stock is None:
            stock_condition &= Gacha.total_stock.does_not_exist()
        else:
            stock_condition &= Gacha.sold_draws <= int(gacha.total_stock) - count
        txn.update("stock", Gacha(gacha.gacha_id), [Gacha.sold_draws.add(count)], condition=stock_condition)
    spend_condition = None
    if allowance.cap is not None:
        spend_condition = Spending.spent.does_not_exist() | (
            Spending.spent <= allowance.cap - int(order.amount)
        )
    txn.update(
        "spending",
        Spending(order.fan_id, allowance.period),
        [Spending.spent.add(int(order.amount)), Spending.updated_at.set(at)],
        condition=spend_condition,
    )
    claim_expiry = at + CLAIM_TTL
    pending_condition: Any = PurchaseClaim.claim_key.does_not_exist()
    if stale_pending:
        pending_condition = PurchaseClaim.order_id == stale_pending  # take over a finished order's claim
    txn.put(
        "pending",
        PurchaseClaim(order.pending_claim, order_id=order.order_id, created_at=at, expires_at=claim_expiry),
        condition=pending_condition,
    )
    if order.first_ten_claim:
        txn.put(
            "first10",
            PurchaseClaim(
                order.first_ten_claim,
                order_id=order.order_id,
                created_at=at,
                expires_at=gacha.ends_at + CLAIM_TTL,
            ),
            condition=PurchaseClaim.claim_key.does_not_exist(),
        )
    if idem_key:
        txn.put(
            "idem",
            PurchaseClaim(idem_key, order_id=order.order_id, created_at=at, expires_at=claim_expiry),
            condition=PurchaseClaim.claim_key.does_not_exist(),
        )
    txn.check("vtuber", Vtuber, gacha.owner_user_id, None, Vtuber.status == VtuberStatus.APPROVED)
    txn.commit()


def _spill(gacha: Gacha, count: int, is_box: bool) -> dict[int, int]:
    """Read every shard (one batch read) and place ``count`` draws where there is room; sold out (or, on a
    box, not enough tickets) only when all the shards together have fewer left."""
    sold = stock.read(gacha)
    plan = stock.plan(gacha, count, sold)
    if plan is not None:
        return plan
    left = sum(stock.remaining(gacha, sold))
    if is_box and 0 < left < count:
        raise NotEnoughTickets(details={"remaining": left, "count": count})
    raise SoldOut(details={"remaining": left})


def _pending_order_or_stale(pending_key: str, at: datetime) -> str:
    """The order holding the pending claim: refuse while it can still be paid, else return its id so
    the claim can be taken over."""
    claim = PurchaseClaim.get(pending_key, consistent_read=True)
    try:
        holder = Order.get(claim.order_id, consistent_read=True)
    except DoesNotExist:
        return str(claim.order_id)
    if holder.status == OrderStatus.PENDING_PAYMENT and (
        holder.payment_expires_at is None or holder.payment_expires_at > at
    ):
        raise OrderPending(
            details={
                "order_id": holder.order_id,
                "redirect_url": holder.redirect_url,
                "status": holder.status,
            }
        )
    return str(holder.order_id)


def _replay(order_id: str, req: PurchaseRequest) -> Order:
    order = Order.get(order_id, consistent_read=True)
    if (order.gacha_id, int(order.count), order.provider, order.payment_method) != (
        req.gacha_id,
        req.count,
        req.provider,
        req.payment_method,
    ):
        raise IdempotencyKeyReused("This Idempotency-Key was already used for a different purchase.")
    if order.status == OrderStatus.PENDING_PAYMENT and not order.redirect_url:
        # The first request crashed between the reservation and the provider call: finish it (the
        # provider call carries an idempotency key derived from the order, so it is not duplicated).
        gacha = Gacha.get(order.gacha_id)
        return _start_checkout(order, gacha.title, req.request_id)
    return order


def _start_checkout(order: Order, title: str, request_id: str | None) -> Order:
    from oshi.commerce.payments import adapter_for

    try:
        checkout = adapter_for(order.provider).create_checkout(
            order, title=title, idempotency_key=f"oshi-checkout-{order.order_id}"
        )
    except PaymentProviderUnavailable:
        close_unpaid(
            order.order_id, OrderStatus.FAILED, "provider_unavailable", actor="system", request_id=request_id
        )
        raise
    order.update(
        actions=[
            Order.provider_session_id.set(checkout.session_id),
            Order.redirect_url.set(checkout.redirect_url),
            Order.payment_expires_at.set(checkout.payment_expires_at),
            Order.updated_at.set(clock.utc_now()),
        ],
        condition=Order.status == OrderStatus.PENDING_PAYMENT,
    )
    return order
