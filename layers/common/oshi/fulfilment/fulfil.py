"""Fulfil one paid order: draw with the committed seed, then ONE transaction writes everything (docs/engine.md).

Round trips on a warm container: one consistent BatchGetItem (the order and the fan's nonce counter)
and one TransactWriteItems. The gacha's configuration (rate table, prizes, assets, decrypted seed) is
cached per container: it is frozen once the sale starts, and the transaction re-checks the two things
that can still change (the gacha is still published at that rate-table version; limited stock left).

The transaction: order ``PAID -> FULFILLED`` (condition: still ``PAID``) with results and proofs, the
gacha check, medals credit + ledger entry, one reward put per granted asset (keys from order id + draw
index + asset index), one conditional stock decrement per limited prize drawn, the nonce counter
(condition: the value we drew with) and the stats counter. A 10-draw is at most
``5 + 10 + 10 * MAX_ASSETS_PER_PRIZE = 65`` actions (lineup caps assets per prize at 5).

A lost race is retried here: the order already fulfilled -> done; a limited prize gone -> re-read its
stock and redraw without it; the nonce used by another order of the fan -> re-read and redraw. What
cannot be fulfilled at all (gacha suspended, everything sold out, inconsistent data) is compensated by a
refund through the provider (``oshi.commerce.refunds``).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from oshi.catalogue import campaigns
from oshi.draw import box as boxes
from oshi.draw import engine, fairness, fairness_store
from oshi.events.bus import publish
from oshi.kernel import batch, clock
from oshi.kernel.errors import RefundFailed
from oshi.kernel.observability import logger, metrics
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.assets import Asset
from oshi.models.fairness import FairnessRecord
from oshi.models.gachas import Gacha, GachaStatus, Prize
from oshi.models.orders import Order, OrderStatus
from oshi.models.rewards import RewardSource
from oshi.rewards import medals, rewardbox

MAX_ATTEMPTS = 6
# A box is one item every fulfilment of the gacha takes tickets from: under many concurrent buyers of one
# box, losing that race is expected and cheap (re-read, redraw), so it gets more attempts, with jitter.
MAX_BOX_RACES = 40
ACTOR = "system:fulfilment"


class PermanentFailure(Exception):
    """This order can never be fulfilled as paid: compensate with a refund."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class FulfilmentContended(Exception):
    """Lost too many races in a row: transient, the queue redelivers."""


@dataclass
class PrizeInfo:
    prize_id: str
    name: str
    rarity: str
    asset_ids: tuple[str, ...]


@dataclass
class GachaConfig:
    gacha_id: str
    vtuber_id: str
    rate_table_version: int
    rate_table_hash: str
    table: engine.RateTable | None  # None for a box
    guarantee: engine.Guarantee | None
    prizes: dict[str, PrizeInfo]
    assets: dict[str, Asset]
    seed: bytes
    commitment: str
    remaining: dict[str, int] = field(default_factory=dict)  # limited prizes: units left, as last seen
    ceiling: engine.Ceiling | None = None
    box: boxes.Box | None = None


@dataclass(frozen=True)
class FanState:
    """What the one consistent read gives besides the order: the fan's nonce and ceiling counter, and the
    box's state (read along in the same BatchGetItem, so a box costs no extra round trip)."""

    nonce: int
    since_top: int
    box_drawn: int | None = None
    box_remaining: dict[str, int] | None = None


_configs: dict[str, GachaConfig] = {}


def forget_configs() -> None:
    _configs.clear()
    campaigns.forget()


# --- reads --------------------------------------------------------------------------------------------------


def _read_order_and_nonce(order_id: str, fan_id: str, gacha_id: str) -> tuple[Order | None, FanState]:
    """One consistent BatchGetItem: the order, the fan's nonce counter for the gacha (with the ceiling
    counter on the same item) and, for a box, the box's state (absent for rate gachas: no extra cost)."""
    nonce_key, box_key = fairness_store.nonce_key(fan_id, gacha_id), fairness_store.box_key(gacha_id)
    found = batch.get({Order: [order_id], FairnessRecord: [nonce_key, box_key]}, consistent_read=True)
    order = next(iter(found[Order]), None)
    records = {(r.pk, r.sk): r for r in found[FairnessRecord]}
    nonce, box = records.get(nonce_key), records.get(box_key)
    state = FanState(
        nonce=int(nonce.next_nonce or 0) if nonce is not None else 0,
        since_top=int(nonce.since_top or 0) if nonce is not None else 0,
        box_drawn=int(box.box_drawn) if box is not None and box.box_drawn is not None else None,
        box_remaining={k: int(v) for k, v in (box.box_remaining or {}).items()} if box is not None else None,
    )
    return order, state


def _load_config(gacha_id: str) -> GachaConfig:
    try:
        gacha = Gacha.get(gacha_id, consistent_read=True)
    except DoesNotExist:
        raise PermanentFailure("gacha_missing") from None
    if gacha.status != GachaStatus.PUBLISHED:
        raise PermanentFailure(f"gacha_{gacha.status}")
    table: engine.RateTable | None = None
    guarantee: engine.Guarantee | None = None
    ceiling: engine.Ceiling | None = None
    box: boxes.Box | None = None
    try:
        if boxes.is_box_document(gacha.rate_table):
            box = boxes.from_document(gacha.rate_table)
        else:
            table, guarantee = fairness.tables_from_document(gacha.rate_table)
            ceiling = fairness.ceiling_from_document(gacha.rate_table)
    except ValueError as exc:
        raise PermanentFailure(f"rate_table_invalid: {exc}") from None
    prizes = list(Prize.query(gacha_id, consistent_read=True))
    infos = {
        p.prize_id: PrizeInfo(p.prize_id, p.name, p.rarity, tuple(str(a) for a in p.asset_ids))
        for p in prizes
    }
    if box is not None:
        wanted = {p.prize_id for p in box.prizes} | ({box.last_one[0]} if box.last_one else set())
        missing = wanted - set(infos)
    else:
        assert table is not None
        missing = set(table.prize_ids - set(infos))
    if guarantee is not None:
        missing |= guarantee.table.prize_ids - set(infos)
    if missing:
        raise PermanentFailure(f"prizes_missing: {sorted(missing)}")
    asset_ids = sorted({a for p in prizes for a in p.asset_ids})
    assets = {a.asset_id: a for a in batch.get_many(Asset, [(gacha.vtuber_id, a) for a in asset_ids])}
    if set(asset_ids) - set(assets):
        raise PermanentFailure(f"assets_missing: {sorted(set(asset_ids) - set(assets))}")
    seed, commitment = fairness_store.server_seed(gacha_id)
    config = GachaConfig(
        gacha_id=gacha_id,
        vtuber_id=gacha.vtuber_id,
        rate_table_version=int(gacha.rate_table_version),
        rate_table_hash=gacha.rate_table_hash,
        table=table,
        guarantee=guarantee,
        prizes=infos,
        assets=assets,
        seed=seed,
        commitment=commitment,
        remaining={p.prize_id: int(p.remaining) for p in prizes if p.remaining is not None},
        ceiling=ceiling,
        box=box,
    )
    _configs[gacha_id] = config
    return config


def _config(gacha_id: str) -> GachaConfig:
    return _configs.get(gacha_id) or _load_config(gacha_id)


def _refresh_stock(config: GachaConfig, prize_ids: set[str]) -> None:
    for prize_id in prize_ids:
        prize = Prize.get(config.gacha_id, prize_id, consistent_read=True)
        config.remaining[prize_id] = int(prize.remaining or 0)


# --- the plan and its transaction -----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # fulfilled | done | not_paid | missing | refunded | refund_due
    order: Order | None = None


def _results(
    order: Order,
    config: GachaConfig,
    client_seed: str,
    nonce: int,
    draws: tuple[engine.Draw, ...],
    since_top: int = 0,
) -> dict[str, Any]:
    assert config.table is not None
    proof = fairness.OrderProof(
        commitment=config.commitment,
        table=config.table,
        guarantee=config.guarantee,
        fan_id=order.fan_id,
        client_seed=client_seed,
        nonce=nonce,
        draws=draws,
        gacha_id=order.gacha_id,
        order_id=order.order_id,
        ceiling=config.ceiling,
        ceiling_before=since_top,
    )
    items = [
        {
            "slot": d.slot,
            "prize_id": d.prize_id,
            "name": config.prizes[d.prize_id].name,
            "rarity": d.rarity,
            "table": d.table.value,
            "assets": len(config.prizes[d.prize_id].asset_ids),
            "ticket": None,
            "position": None,
        }
        for d in draws
    ]
    # every key of OrderResults, so the order page sends back exactly what is stored
    return {"items": items, "proof": proof.to_json(), "ceiling": None, "campaign": None}


@dataclass(frozen=True)
class Granted:
    """One prize the order receives: a drawn slot, or the box's last-one prize (index = count)."""

    index: int
    prize_id: str
    rarity: str


def _draw_rate(
    order: Order, config: GachaConfig, state: FanState, client_seed: str
) -> tuple[dict[str, Any], list[Granted], tuple[engine.Draw, ...], int | None]:
    assert config.table is not None
    source = fairness.SeededSource(config.seed, order.fan_id, client_seed, state.nonce)
    try:
        draws = engine.draw_many(
            config.table,
            int(order.count),
            source,
            guarantee=config.guarantee,
            remaining=config.remaining,
            ceiling=config.ceiling,
            since_top=state.since_top,
        )
    except engine.SoldOut:
        raise PermanentFailure("sold_out") from None
    results = _results(order, config, client_seed, state.nonce, draws, state.since_top)
    since_top = None
    if config.ceiling is not None:
        since_top = config.ceiling.after(state.since_top, (d.rarity for d in draws))
        results["ceiling"] = {"before": state.since_top, "after": since_top, "draws": config.ceiling.draws}
    return results, [Granted(d.slot, d.prize_id, d.rarity) for d in draws], draws, since_top


@dataclass(frozen=True)
class BoxTake:
    drawn: int
    taken: int
    remaining: dict[str, int]
    last_one: bool
    proof: dict[str, Any]


def _draw_box(
    order: Order, config: GachaConfig, state: FanState, client_seed: str
) -> tuple[dict[str, Any], list[Granted], BoxTake]:
    box = config.box
    assert box is not None
    if state.box_drawn is None or state.box_remaining is None:
        raise PermanentFailure("box_state_missing")
    source = fairness.SeededSource(config.seed, order.fan_id, client_seed, state.nonce)
    count = int(order.count)
    try:
        draws, after = boxes.draw(box, state.box_remaining, state.box_drawn, count, source)
    except boxes.NotEnoughTickets:
        raise PermanentFailure("sold_out") from None
    except boxes.BoxError as exc:
        raise PermanentFailure(f"box_invalid: {exc}") from None
    last = boxes.takes_last(box, draws)
    proof = boxes.order_document(
        box=box,
        commitment=config.commitment,
        fan_id=order.fan_id,
        client_seed=client_seed,
        nonce=state.nonce,
        remaining_before=state.box_remaining,
        draws=draws,
        gacha_id=order.gacha_id,
        order_id=order.order_id,
    )
    granted = [Granted(d.slot, d.prize_id, box.rarity_of(d.prize_id)) for d in draws]
    items: list[dict[str, Any]] = [
        {
            "slot": d.slot,
            "prize_id": d.prize_id,
            "name": config.prizes[d.prize_id].name,
            "rarity": box.rarity_of(d.prize_id),
            "table": engine.TableKind.BOX.value,
            "assets": len(config.prizes[d.prize_id].asset_ids),
            "ticket": d.ticket,
            "position": d.position,
        }
        for d in draws
    ]
    if last and box.last_one is not None:
        last_id, last_rarity = box.last_one
        granted.append(Granted(count, last_id, last_rarity))
        items.append(
            {
                "slot": count,
                "prize_id": last_id,
                "name": config.prizes[last_id].name,
                "rarity": last_rarity,
                "table": engine.TableKind.LAST_ONE.value,
                "assets": len(config.prizes[last_id].asset_ids),
                "ticket": None,
                "position": box.total - 1,
            }
        )
    take = BoxTake(state.box_drawn, count, after, last, proof)
    return {"items": items, "proof": proof, "ceiling": None, "campaign": None}, granted, take


def _build(
    order: Order, config: GachaConfig, state: FanState, at: datetime
) -> tuple[Txn, dict[str, Any], int]:
    client_seed = order.client_seed or fairness.new_client_seed()
    count = int(order.count)
    draws: tuple[engine.Draw, ...] = ()
    take: BoxTake | None = None
    since_top: int | None = None
    if config.box is not None:
        results, granted, take = _draw_box(order, config, state, client_seed)
    else:
        results, granted, draws, since_top = _draw_rate(order, config, state, client_seed)
    # A campaign's multiplier in force when the order was paid (cached: campaigns freeze before they start)
    multiplier, campaign_id = campaigns.multiplier_at(order.vtuber_id, order.gacha_id, order.paid_at)
    medals_awarded = count * int(order.medals_per_draw or 0) * multiplier
    if campaign_id is not None:
        results["campaign"] = {"campaign_id": campaign_id, "medal_multiplier": multiplier}

    txn = Txn()
    txn.update(
        "order",
        Order(order.order_id),
        actions=[
            Order.status.set(OrderStatus.FULFILLED),
            Order.results.set(results),
            Order.medals_awarded.set(medals_awarded),
            Order.medal_multiplier.set(multiplier),
            *([Order.medal_campaign_id.set(campaign_id)] if campaign_id else []),
            Order.client_seed.set(client_seed),
            Order.nonce.set(state.nonce),
            Order.fulfilled_at.set(at),
            Order.updated_at.set(at),
            Order.version.add(1),
        ],
        condition=(Order.status == OrderStatus.PAID) & Order.refund_due.does_not_exist(),
    )
    txn.check(
        "gacha",
        Gacha,
        config.gacha_id,
        None,
        (Gacha.status == GachaStatus.PUBLISHED) & (Gacha.rate_table_version == config.rate_table_version),
    )
    if medals_awarded > 0:
        medals.credit(
            txn,
            order.fan_id,
            order.vtuber_id,
            medals_awarded,
            order.order_id,
            at,
            multiplier=multiplier if campaign_id else None,
            campaign_id=campaign_id,
        )
    for g in granted:
        prize = config.prizes[g.prize_id]
        for asset_index, asset_id in enumerate(prize.asset_ids):
            reward = rewardbox.build(
                fan_id=order.fan_id,
                source=RewardSource.GACHA,
                source_id=order.order_id,
                draw_index=g.index,
                asset_index=asset_index,
                asset=config.assets[asset_id],
                vtuber_id=order.vtuber_id,
                name=prize.name,
                at=at,
                gacha_id=order.gacha_id,
                prize_id=g.prize_id,
                rarity=g.rarity,
            )
            rewardbox.put(txn, reward)
    if take is not None:
        fairness_store.box_update(
            txn,
            config.gacha_id,
            take.drawn,
            take.taken,
            take.remaining,
            at,
            last_one=(order.order_id, order.fan_id) if take.last_one else None,
        )
        fairness_store.box_log_put(
            txn, config.gacha_id, take.drawn, order.order_id, order.fan_id, take.proof, at
        )
        fairness_store.nonce_update(txn, order.fan_id, order.gacha_id, state.nonce, at)
        return txn, results, medals_awarded
    for prize_id, n in sorted(Counter(d.prize_id for d in draws if d.prize_id in config.remaining).items()):
        txn.update(
            f"stock:{prize_id}",
            Prize(config.gacha_id, prize_id),
            actions=[Prize.remaining.add(-n)],
            condition=Prize.remaining >= n,
        )
    fairness_store.nonce_update(txn, order.fan_id, order.gacha_id, state.nonce, at, since_top=since_top)
    fairness_store.stats_update(txn, order.gacha_id, draws, at)
    return txn, results, medals_awarded


def fulfil(
    order_id: str,
    *,
    fan_id: str | None = None,
    gacha_id: str | None = None,
    redelivered: bool = False,
    correlation_id: str | None = None,
) -> Outcome:
    """Fulfil ``order_id`` exactly once; safe to call any number of times, concurrently."""
    if fan_id is None or gacha_id is None:
        try:
            known = Order.get(order_id, consistent_read=True)
        except DoesNotExist:
            return Outcome("missing")
        fan_id, gacha_id = known.fan_id, known.gacha_id
    attempts = box_races = 0
    while attempts < MAX_ATTEMPTS:
        attempts += 1
        order, state = _read_order_and_nonce(order_id, fan_id, gacha_id)
        if order is None:
            logger.warning("PaymentCompleted for an unknown order", extra={"order_id": order_id})
            return Outcome("missing")
        if order.status == OrderStatus.FULFILLED:
            if redelivered:  # the publish after the commit may have failed: say it again (same event id)
                _publish_completed(order)
            return Outcome("done", order)
        if order.status != OrderStatus.PAID:
            logger.info("order not fulfillable", extra={"order_id": order_id, "status": order.status})
            return Outcome("not_paid" if order.status != OrderStatus.REFUNDED else "done", order)
        if order.refund_due is not None:  # already being refunded (a compensation): never drawn now
            return Outcome("refund_due", order)
        try:
            if order.fan_id != fan_id or order.gacha_id != gacha_id:
                raise PermanentFailure("event_does_not_match_order")
            config = _config(order.gacha_id)
            at = clock.utc_now()
            txn, results, medals_awarded = _build(order, config, state, at)
            txn.commit()
        except PermanentFailure as failure:
            return _compensate(order, failure.reason)
        except ConditionsFailed as failed:
            box_lost = bool(failed.labels & {fairness_store.BOX_LABEL, fairness_store.BOX_LOG_LABEL})
            if box_lost and box_races < MAX_BOX_RACES:
                box_races += 1
                attempts -= 1  # another order took tickets first: redraw from what is left
                _jitter(box_races)
            _after_lost_race(order.gacha_id, failed.labels)
            continue
        except TransactWriteError as exc:  # a conflicting transaction on one of the items: try again
            logger.info("fulfilment transaction conflict", extra={"order_id": order_id, "error": str(exc)})
            cached = _configs.get(gacha_id)
            if cached is not None and cached.box is not None and box_races < MAX_BOX_RACES:
                box_races += 1
                attempts -= 1  # two buyers of one box committing at once: expected, try again
                _jitter(box_races)
            continue
        for prize_id, n in Counter(item["prize_id"] for item in results["items"]).items():
            if prize_id in config.remaining:
                config.remaining[prize_id] -= n
        order.status = OrderStatus.FULFILLED
        order.results = results
        order.medals_awarded = medals_awarded
        order.nonce = state.nonce
        order.fulfilled_at = at
        metrics.add_metric(name="OrdersFulfilled", unit="Count", value=1)
        if order.paid_at is not None:  # paid (webhook accepted) -> drawn: alarmed at p99 > 3 s (infra)
            latency_ms = max(0.0, (at - order.paid_at).total_seconds() * 1000)
            metrics.add_metric(name="FulfilmentLatencyMs", unit="Milliseconds", value=latency_ms)
        _publish_completed(order)
        return Outcome("fulfilled", order)
    raise FulfilmentContended(f"order {order_id}: lost {MAX_ATTEMPTS} races in a row")


def _jitter(races: int) -> None:
    """Spread the buyers of one box apart after a lost race (a few ms, growing): not a secret."""
    time.sleep(random.uniform(0, 0.002 * races))  # noqa: S311


def _after_lost_race(gacha_id: str, labels: set[str]) -> None:
    box_labels = {fairness_store.BOX_LABEL, fairness_store.BOX_LOG_LABEL, fairness_store.NONCE_LABEL}
    if "order" in labels or labels <= box_labels:
        return  # re-read: fulfilled by another delivery, the fan's other order took the nonce, or tickets went
    if "gacha" in labels:
        _configs.pop(gacha_id, None)  # suspended or re-rated: reload (a suspension becomes a refund)
    config = _configs.get(gacha_id)
    stock = {label.split(":", 1)[1] for label in labels if label.startswith("stock:")}
    if config is not None and stock:
        _refresh_stock(config, stock)
    unexpected = labels - {"order", "gacha"} - box_labels - {f"stock:{p}" for p in stock}
    if unexpected:
        raise RuntimeError(f"fulfilment conditions failed unexpectedly: {sorted(unexpected)}")


def _publish_completed(order: Order) -> None:
    # oshi.events.definitions imports pydantic: loaded by a fulfilment that happened, not at the cold start
    # of the admins' retry route (a write route imports no pydantic, oshi.web.light_bodies); the consumer
    # imports it anyway to read its events
    from oshi.events.definitions import GACHA_COMPLETED, DrawnPrize, GachaCompletedData

    items = order.drawn_items()
    publish(
        [
            GACHA_COMPLETED.event(
                GachaCompletedData(
                    order_id=order.order_id,
                    fan_id=order.fan_id,
                    gacha_id=order.gacha_id,
                    vtuber_id=order.vtuber_id,
                    count=int(order.count),
                    results=[
                        DrawnPrize(prize_id=i["prize_id"], name=i["name"], rarity=i["rarity"]) for i in items
                    ],
                ),
                correlation_id=order.correlation_id or order.order_id,
            )
        ]
    )


def _compensate(order: Order, reason: str) -> Outcome:
    """A paid order that can never be fulfilled: the money it holds is owed back (``oshi.commerce.refunds``,
    the one rule for money that will not be fulfilled). One refund attempt here; a refusal is left to the
    refund consumer's retries (then its DLQ alarm and the admins' pending-refund list), not to this queue."""
    from oshi.commerce import refunds

    logger.warning("fulfilment impossible: refunding", extra={"order_id": order.order_id, "reason": reason})
    metrics.add_metric(name="FulfilmentCompensated", unit="Count", value=1)
    owing = refunds.owe(
        order,
        reason=f"fulfilment_failed: {reason}",
        amount=int(order.amount),
        currency=order.currency,
        payment_id=None,
        actor=ACTOR,
        request_id=None,
    )
    if owing.refund_due is None:  # fulfilled or refunded meanwhile: nothing to compensate
        return Outcome("done", owing)
    try:
        refunded = refunds.settle_due(order.order_id, actor=ACTOR, last_attempt=False)
    except RefundFailed:
        metrics.add_metric(name="CompensationRefundFailed", unit="Count", value=1)
        return Outcome("refund_due", owing)  # RefundDue was published: the refund consumer retries
    return Outcome("refunded" if refunded.status == OrderStatus.REFUNDED else "done", refunded)
