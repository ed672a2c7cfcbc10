"""The exchange shop: VTubers' items for medals, and the trade as ONE DynamoDB transaction.

A trade commits, all or nothing, in a single ``TransactWriteItems``:

- the item: ``sold + q`` (and ``remaining - q`` if the stock is limited) on the conditions that its
  terms are the ones priced (``version``), it is active, the sale window is open and enough stock is left;
- the VTuber: still approved (a suspended VTuber's shop stops selling);
- the fan's count for the item: ``count + q`` on the condition ``count + q <= limit``;
- the medals: ``oshi.rewards.medals.debit`` (balance >= cost, plus the ledger entry);
- the exchange record, keyed by the caller's Idempotency-Key (``attribute_not_exists``): a retried
  trade fails only this condition and gets the first trade's result back, never a second trade;
- the rewards, through ``oshi.rewards.rewardbox`` (keys derived from the exchange id).

The item's terms come from a small in-function cache (they change only with a version bump), so the
happy path is exactly one DynamoDB call. Nothing is decided on that cache: every fact the trade depends
on is a condition of the transaction. Only after a refusal do we read, to tell the caller which rule
refused and by how much (the shortfall of medals, the count so far).

Concurrency is first come, first served: DynamoDB serialises transactions touching the same items;
a ``TransactionConflict`` is retried a few times with jitter, then answered 503 ``TRADE_BUSY`` (safe to
retry with the same key).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from oshi import audit
from oshi.catalogue import vtuber_queries
from oshi.kernel import batch, clock, idempotency, ids
from oshi.kernel.errors import (
    ExchangeClosed,
    ExchangeItemFrozen,
    ExchangeItemInvalid,
    ExchangeItemNotFound,
    ExchangeLimitReached,
    ExchangeNotOpen,
    ExchangeSoldOut,
    IdempotencyKeyReused,
    InsufficientMedals,
    TradeBusy,
)
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.assets import Asset, AssetStatus
from oshi.models.exchange import Exchange, ExchangeCount, ExchangeItem, ExchangeItemStatus
from oshi.models.rewards import MedalBalance, RewardSource
from oshi.models.vtubers import Vtuber, VtuberStatus
from oshi.rewards import medals, rewardbox

MAX_QUANTITY = 10
MAX_COST = 100_000
MAX_PER_USER_LIMIT = 1_000
MAX_STOCK = 10_000_000
MAX_SALE_DAYS = 365
TERMS_CACHE_SECONDS = 300
COMMIT_ATTEMPTS = 6
_RETRYABLE = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}

ITEM, VTUBER, COUNT, EXCHANGE = "exchange-item", "vtuber", "exchange-count", "exchange"


# --- the item's terms: an in-function cache, validated by every trade's conditions ---------------------
_terms: dict[str, tuple[float, ExchangeItem]] = {}


def _load_item(item_id: str) -> ExchangeItem:
    try:
        item = ExchangeItem.get(item_id, consistent_read=True)
    except DoesNotExist:
        _terms.pop(item_id, None)
        raise ExchangeItemNotFound() from None
    _terms[item_id] = (time.monotonic(), item)
    return item


def _terms_of(item_id: str) -> ExchangeItem:
    cached = _terms.get(item_id)
    if cached is not None and time.monotonic() - cached[0] < TERMS_CACHE_SECONDS:
        return cached[1]
    return _load_item(item_id)


def forget_terms() -> None:
    _terms.clear()


# --- creation by the VTuber ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemSpec:
    name: str
    description: str
    cost: int
    per_user_limit: int
    stock: int | None
    starts_at: datetime
    ends_at: datetime
    asset_id: str


def _problem(field: str, message: str, kind: str) -> dict[str, str]:
    return {"field": field, "message": message, "type": kind}


def check_spec(spec: ItemSpec, now: datetime) -> list[dict[str, str]]:
    problems = []
    if not spec.name.strip():
        problems.append(_problem("name", "name the item", "blank"))
    if not 1 <= spec.cost <= MAX_COST:
        problems.append(_problem("cost", f"an item costs 1 to {MAX_COST} medals", "cost_out_of_bounds"))
    if not 1 <= spec.per_user_limit <= MAX_PER_USER_LIMIT:
        problems.append(
            _problem(
                "per_user_limit", f"the limit is 1 to {MAX_PER_USER_LIMIT} per fan", "limit_out_of_bounds"
            )
        )
    if spec.stock is not None and not 1 <= spec.stock <= MAX_STOCK:
        problems.append(_problem("stock", f"stock is 1 to {MAX_STOCK}, or omitted", "stock_out_of_bounds"))
    if spec.starts_at >= spec.ends_at:
        problems.append(_problem("ends_at", "the sale must end after it starts", "window_inverted"))
    elif spec.ends_at <= now:
        problems.append(_problem("ends_at", "the sale window is already over", "window_past"))
    elif (spec.ends_at - spec.starts_at).days > MAX_SALE_DAYS:
        problems.append(_problem("ends_at", f"a sale lasts at most {MAX_SALE_DAYS} days", "window_too_long"))
    return problems


def check_asset(asset: Asset | None, asset_id: str) -> list[dict[str, str]]:
    if asset is None:
        return [_problem("asset_id", f"{asset_id} is not one of your assets", "asset_not_found")]
    if asset.status != AssetStatus.VALIDATED:
        return [_problem("asset_id", f"{asset_id} is {asset.status}, not validated", "asset_not_validated")]
    return []


def create_item(
    user_id: str, spec: ItemSpec, *, raw: Any = None, request_id: str | None = None
) -> ExchangeItem:
    from oshi.catalogue import lineup  # creation only: keeps the trade function's cold start light
    from oshi.catalogue.asset_queries import owned_assets

    vtuber = vtuber_queries.require_approved(user_id)
    now = clock.utc_now()
    asset = owned_assets(vtuber.vtuber_id, {spec.asset_id}).get(spec.asset_id)
    problems = lineup.complete_gacha_fields(raw) + check_spec(spec, now) + check_asset(asset, spec.asset_id)
    if problems or asset is None:
        raise ExchangeItemInvalid(details=problems)
    item = ExchangeItem(
        ids.new_id(),
        vtuber_id=vtuber.vtuber_id,
        owner_user_id=user_id,
        name=spec.name.strip(),
        description=spec.description,
        cost=spec.cost,
        per_user_limit=spec.per_user_limit,
        stock=spec.stock,
        remaining=spec.stock,
        sold=0,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        status=ExchangeItemStatus.ACTIVE.value,
        version=1,
        created_at=now,
        asset_id=asset.asset_id,
        asset_object_key=asset.object_key,
        asset_file_name=asset.filename,
        asset_content_type=asset.detected_type or asset.declared_type,
        asset_size_bytes=int(asset.size_bytes or 0),
    )
    txn = Txn()  # the item and its audit entry commit together (the audit outbox)
    txn.put("item", item, condition=ExchangeItem.item_id.does_not_exist())
    audit.add(
        txn,
        user_id,
        "exchange_item.created",
        f"exchange-item/{item.item_id}",
        after={
            "name": item.name,
            "cost": spec.cost,
            "per_user_limit": spec.per_user_limit,
            "stock": spec.stock,
        },
        request_id=request_id,
    )
    txn.commit()
    return item


# --- the trade -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TradeResult:
    exchange: Exchange
    replayed: bool


def _asset_of(item: ExchangeItem) -> Asset:
    return Asset(
        item.vtuber_id,
        item.asset_id,
        object_key=item.asset_object_key,
        filename=item.asset_file_name,
        declared_type=item.asset_content_type,
        detected_type=item.asset_content_type,
        size_bytes=int(item.asset_size_bytes),
    )


def _build(fan_id: str, item: ExchangeItem, quantity: int, key: str, now: datetime) -> tuple[Txn, Exchange]:
    exchange_id = ids.new_id()
    total = int(item.cost) * quantity
    txn = Txn()
    item_actions: list[Any] = [ExchangeItem.sold.add(quantity)]
    item_condition: Any = (
        (ExchangeItem.version == int(item.version))
        & (ExchangeItem.status == ExchangeItemStatus.ACTIVE.value)
        & (ExchangeItem.starts_at <= now)
        & (ExchangeItem.ends_at > now)
    )
    if item.stock is not None:
        item_actions.append(ExchangeItem.remaining.add(-quantity))
        item_condition = item_condition & (ExchangeItem.remaining >= quantity)
    txn.update(ITEM, ExchangeItem(item.item_id), item_actions, condition=item_condition)
    txn.check(VTUBER, Vtuber, item.owner_user_id, None, Vtuber.status == VtuberStatus.APPROVED.value)
    limit = int(item.per_user_limit)
    txn.update(
        COUNT,
        ExchangeCount(fan_id, item.item_id),
        [ExchangeCount.units.add(quantity), ExchangeCount.updated_at.set(now)],
        condition=ExchangeCount.units.does_not_exist() | (ExchangeCount.units <= limit - quantity),
    )
    medals.debit(txn, fan_id, item.vtuber_id, total, exchange_id, now)
    asset = _asset_of(item)
    rewards = [
        rewardbox.build(
            fan_id=fan_id,
            source=RewardSource.EXCHANGE,
            source_id=exchange_id,
            draw_index=i,
            asset_index=0,
            asset=asset,
            vtuber_id=item.vtuber_id,
            name=item.name,
            at=now,
            item_id=item.item_id,
        )
        for i in range(quantity)
    ]
    record = Exchange(
        fan_id,
        key,
        exchange_id=exchange_id,
        item_id=item.item_id,
        vtuber_id=item.vtuber_id,
        quantity=quantity,
        medals=total,
        reward_ids=[r.reward_id for r in rewards],
        created_at=now,
    )
    txn.put(EXCHANGE, record, condition=Exchange.idempotency_key.does_not_exist())
    for reward in rewards:
        rewardbox.put(txn, reward)
    return txn, record


def _retryable(exc: TransactWriteError) -> bool:
    codes = {reason.code for reason in (exc.cancellation_reasons or []) if reason is not None}
    return bool(codes & _RETRYABLE) or exc.cause_response_code in (
        "TransactionConflictException",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
    )


def _replay(fan_id: str, key: str, item_id: str, quantity: int) -> TradeResult:
    try:
        first = Exchange.get(fan_id, key, consistent_read=True)
    except DoesNotExist:
        raise TradeBusy() from None  # the key's trade is not visible yet (a concurrent twin): retry
    if first.item_id != item_id or int(first.quantity) != quantity:
        raise IdempotencyKeyReused(details={"item_id": first.item_id, "quantity": int(first.quantity)})
    return TradeResult(first, replayed=True)


def _refusal_for_item(item_id: str, stale: ExchangeItem, quantity: int, now: datetime) -> ExchangeItem:
    """Raise why the item refused, or return its fresh terms if they changed (the caller retries)."""
    fresh = _load_item(item_id)
    if fresh.status != ExchangeItemStatus.ACTIVE:
        raise ExchangeClosed()
    if now < fresh.starts_at:
        raise ExchangeNotOpen(details={"starts_at": fresh.starts_at.isoformat()})
    if now >= fresh.ends_at:
        raise ExchangeClosed(details={"ended_at": fresh.ends_at.isoformat()})
    if fresh.remaining is not None and int(fresh.remaining) < quantity:
        raise ExchangeSoldOut(details={"remaining": int(fresh.remaining), "requested": quantity})
    return fresh


def _refuse(failed: ConditionsFailed, fan_id: str, item: ExchangeItem, quantity: int) -> None:
    if VTUBER in failed.labels:
        raise ExchangeClosed("This VTuber's shop is closed.")
    if COUNT in failed.labels:
        count = next(iter(batch.get_many(ExchangeCount, [(fan_id, item.item_id)])), None)
        so_far = int(count.units) if count is not None else 0
        raise ExchangeLimitReached(
            details={"limit": int(item.per_user_limit), "your_count": so_far, "requested": quantity}
        )
    if medals.BALANCE in failed.labels:
        required = int(item.cost) * quantity
        try:
            have = int(MedalBalance.get(fan_id, item.vtuber_id, consistent_read=True).balance or 0)
        except DoesNotExist:
            have = 0
        raise InsufficientMedals(
            details={"required": required, "balance": have, "shortfall": max(required - have, 1)}
        )


def trade(fan_id: str, item_id: str, quantity: int, idempotency_key: str) -> TradeResult:
    key = idempotency.required(idempotency_key)
    item = _terms_of(item_id)
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ExchangeItemInvalid(
            details=[_problem("quantity", f"1 to {MAX_QUANTITY} per trade", "quantity_out_of_bounds")]
        )
    if quantity > int(item.per_user_limit):
        raise ExchangeLimitReached(details={"limit": int(item.per_user_limit), "requested": quantity})
    for attempt in range(COMMIT_ATTEMPTS):
        now = clock.utc_now()
        txn, record = _build(fan_id, item, quantity, key, now)
        try:
            txn.commit()
            return TradeResult(record, replayed=False)
        except ConditionsFailed as failed:
            if EXCHANGE in failed.labels:
                return _replay(fan_id, key, item_id, quantity)
            if ITEM in failed.labels:
                item = _refusal_for_item(item_id, item, quantity, now)
                continue  # the terms changed (or the refusal raced away): price it again
            _refuse(failed, fan_id, item, quantity)
            raise
        except TransactWriteError as exc:
            if not _retryable(exc):
                raise
            time.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 - jitter, not a secret
    raise TradeBusy()


# --- the VTuber's own items: list, edit or withdraw before the sale starts (the console) -----------------
def own_items(user_id: str) -> list[ExchangeItem]:
    vtuber = vtuber_queries.require_approved(user_id)
    keys = [i.item_id for i in ExchangeItem.by_vtuber.query(vtuber.vtuber_id)]
    items = [_load_item(item_id) for item_id in keys]
    return sorted(items, key=lambda i: i.starts_at, reverse=True)


def _own_unstarted(user_id: str, item_id: str, now: datetime) -> tuple[Vtuber, ExchangeItem]:
    vtuber = vtuber_queries.require_approved(user_id)
    item = _load_item(item_id)
    if item.vtuber_id != vtuber.vtuber_id:
        raise ExchangeItemNotFound()  # another VTuber's item: indistinguishable from a missing one
    if item.status != ExchangeItemStatus.ACTIVE or now >= item.starts_at:
        raise ExchangeItemFrozen(details={"starts_at": item.starts_at.isoformat(), "status": item.status})
    return vtuber, item


def _frozen_condition(item: ExchangeItem, now: datetime) -> Any:
    # Trades condition on the version, so a bumped version refuses any trade priced on the old terms.
    return (
        (ExchangeItem.version == int(item.version))
        & (ExchangeItem.status == ExchangeItemStatus.ACTIVE.value)
        & (ExchangeItem.starts_at > now)
    )


def update_item(
    user_id: str,
    item_id: str,
    spec: ItemSpec,
    *,
    version: int | None = None,
    raw: Any = None,
    request_id: str | None = None,
) -> ExchangeItem:
    """New terms for an item whose sale has not started (409 ``EXCHANGE_ITEM_FROZEN`` after it has)."""
    from oshi.catalogue import lineup
    from oshi.catalogue.asset_queries import owned_assets

    now = clock.utc_now()
    vtuber, item = _own_unstarted(user_id, item_id, now)
    if version is not None and version != int(item.version):
        raise ExchangeItemFrozen(
            "The item changed since it was loaded; reload it.", details={"version": item.version}
        )
    asset = owned_assets(vtuber.vtuber_id, {spec.asset_id}).get(spec.asset_id)
    problems = lineup.complete_gacha_fields(raw) + check_spec(spec, now) + check_asset(asset, spec.asset_id)
    if spec.starts_at <= now:
        problems.append(_problem("starts_at", "an edit keeps the start in the future", "start_in_past"))
    if problems or asset is None:
        raise ExchangeItemInvalid(details=problems)
    before = {"name": item.name, "cost": int(item.cost), "stock": item.stock, "version": int(item.version)}
    terms: dict[str, Any] = {
        "name": spec.name.strip(),
        "description": spec.description,
        "cost": spec.cost,
        "per_user_limit": spec.per_user_limit,
        "stock": spec.stock,  # None: unlimited (the attribute is removed)
        "remaining": spec.stock,
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "asset_id": asset.asset_id,
        "asset_object_key": asset.object_key,
        "asset_file_name": asset.filename,
        "asset_content_type": asset.detected_type or asset.declared_type,
        "asset_size_bytes": int(asset.size_bytes or 0),
    }
    attributes = ExchangeItem.get_attributes()
    txn = Txn()  # the new terms and their audit entry commit together (the audit outbox)
    txn.update(
        "item",
        item,
        [
            *(
                attributes[name].remove() if value is None else attributes[name].set(value)
                for name, value in terms.items()
            ),
            ExchangeItem.version.add(1),
        ],
        condition=_frozen_condition(item, now),
    )
    audit.add(
        txn,
        user_id,
        "exchange_item.updated",
        f"exchange-item/{item_id}",
        before=before,
        after={
            "name": terms["name"],
            "cost": spec.cost,
            "stock": spec.stock,
            "version": int(item.version) + 1,
        },
        request_id=request_id,
    )
    try:
        txn.commit()
    except (ConditionsFailed, TransactWriteError) as failed:  # as before: any refused write is a 409
        raise ExchangeItemFrozen() from failed
    _terms.pop(item_id, None)
    # A transaction returns no attributes (an UpdateItem refreshed the object): the caller reads these.
    for name, value in terms.items():
        setattr(item, name, value)
    item.version = int(item.version) + 1
    return item


def withdraw_item(user_id: str, item_id: str, *, request_id: str | None = None) -> ExchangeItem:
    """Take an item off sale before its sale starts; kept for the record (status ``withdrawn``)."""
    now = clock.utc_now()
    _, item = _own_unstarted(user_id, item_id, now)
    txn = Txn()  # the withdrawal and its audit entry commit together (the audit outbox)
    txn.update(
        "item",
        item,
        [ExchangeItem.status.set(ExchangeItemStatus.WITHDRAWN.value), ExchangeItem.version.add(1)],
        condition=_frozen_condition(item, now),
    )
    audit.add(
        txn,
        user_id,
        "exchange_item.withdrawn",
        f"exchange-item/{item_id}",
        before={"status": ExchangeItemStatus.ACTIVE.value},
        after={"status": ExchangeItemStatus.WITHDRAWN.value},
        request_id=request_id,
    )
    try:
        txn.commit()
    except (ConditionsFailed, TransactWriteError) as failed:  # as before: any refused write is a 409
        raise ExchangeItemFrozen() from failed
    _terms.pop(item_id, None)
    item.status = ExchangeItemStatus.WITHDRAWN.value  # a transaction does not refresh the object
    item.version = int(item.version) + 1
    return item
