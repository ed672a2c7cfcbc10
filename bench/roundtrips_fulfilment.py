"""DynamoDB round trips (and transaction size) of one fulfilment, for a 1-draw and a 10-draw.

    .venv/bin/python -m bench.roundtrips_fulfilment

In-process moto. The worst case lineup for the transaction size: 10 prizes, every one limited and
granting MAX_ASSETS_PER_PRIZE assets. The gacha configuration is loaded once (a warm container), then
each fulfilment is counted with the botocore ``before-call.dynamodb.*`` hook of bench.roundtrips_payment.
"""

from __future__ import annotations

import time
from typing import Any

from bench.dynamodb_calls import use_in_process_moto


def seed_gacha(kind: str = "rate") -> str:
    """``kind``: rate (10 limited prizes), ceiling (the same, unlimited, with a ceiling of 10) or box
    (10 prizes x 10 tickets and a last-one prize, every prize granting MAX_ASSETS_PER_PRIZE assets)."""
    from datetime import UTC, datetime, timedelta

    from oshi.catalogue.lineup import MAX_ASSETS_PER_PRIZE
    from oshi.draw import box as boxes
    from oshi.draw import fairness_store, rates
    from oshi.kernel.ids import new_id
    from oshi.models.assets import Asset
    from oshi.models.gachas import PUBLIC_LISTING, Gacha, Prize

    now = datetime.now(UTC)
    vtuber_id, gacha_id = new_id(), new_id()
    rarities = ["N"] * 6 + ["R"] * 2 + ["SR", "SSR"]
    entries = rates.lineup([(r, 100_000) for r in rarities])
    document = rates.rate_table_document(entries, "SR", 10 if kind == "ceiling" else None)
    box = None
    if kind == "box":
        box = boxes.Box(
            tuple(boxes.BoxPrize(e.prize_id, e.rarity, 10) for e in entries), (boxes.LAST_ONE_ID, "UR")
        )
        document = box.document()
    gacha = Gacha(
        gacha_id,
        vtuber_id=vtuber_id,
        owner_user_id="bench-vt",
        status="published",
        listing=PUBLIC_LISTING,
        title="Bench gacha",
        price_single=300,
        price_ten=3000,
        medals_per_draw=1,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        sold_draws=0,
        prize_count=len(entries),
        kind="box" if box is not None else None,
        total_stock=box.total if box is not None else None,
        rate_table=document,
        rate_table_version=1,
        rate_table_hash=rates.table_hash(document),
        version=1,
        created_at=now,
        updated_at=now,
    )
    gacha.save()
    lineup = [(e.prize_id, e.rarity, e.ppm) for e in entries]
    if box is not None:
        lineup.append((boxes.LAST_ONE_ID, "UR", 0))
    for i, (prize_id, rarity, ppm) in enumerate(lineup):
        asset_ids = [f"a{i:02d}{j}" for j in range(MAX_ASSETS_PER_PRIZE)]
        for asset_id in asset_ids:
            Asset(
                vtuber_id,
                asset_id,
                owner_user_id="bench-vt",
                object_key=f"uploads/{vtuber_id}/{asset_id}",
                filename=f"{asset_id}.png",
                declared_type="image/png",
                declared_bytes=1000,
                status="validated",
                size_bytes=1000,
                detected_type="image/png",
                created_at=now,
            ).save()
        limited = kind == "rate"
        Prize(
            gacha_id,
            prize_id,
            position=i,
            name=f"Prize {i}",
            rarity=rarity,
            rate_ppm=ppm,
            asset_ids=asset_ids,
            stock=1_000_000 if limited else None,
            remaining=1_000_000 if limited else None,
        ).save()
    fairness_store.on_published(gacha, now)
    if box is not None:
        fairness_store.reset_box(gacha_id, document, now)
    return gacha_id


def paid(gacha_id: str, fan_id: str, count: int) -> Any:
    from datetime import UTC, datetime

    from oshi.kernel.ids import new_id
    from oshi.models.gachas import Gacha
    from oshi.models.orders import Order

    gacha = Gacha.get(gacha_id)
    now = datetime.now(UTC)
    order = Order(
        new_id(),
        fan_id=fan_id,
        gacha_id=gacha_id,
        vtuber_id=gacha.vtuber_id,
        count=count,
        amount=300 * count,
        medals_per_draw=1,
        provider="stripe",
        status="PAID",
        created_at=now,
        updated_at=now,
        paid_at=now,
    )
    order.save()
    return order


def measure(kind: str = "rate") -> dict[str, Any]:
    """Per count: the DynamoDB calls and the transaction's actions. For a box: 1-draw, 10-draw, and the
    10-draw that takes the last ticket (with the last-one prize)."""
    from bench.dynamodb_calls import count_dynamodb_calls
    from oshi.fulfilment import fulfil
    from oshi.kernel.txn import Txn

    gacha_id = seed_gacha(kind)
    warm = paid(gacha_id, "bench-fan", 1)
    fulfil.fulfil(warm.order_id, fan_id=warm.fan_id, gacha_id=gacha_id)  # loads and caches the config
    sizes: list[int] = []
    real_commit = Txn.commit

    def sized(self: Txn) -> None:
        sizes.append(len(self))
        real_commit(self)

    Txn.commit = sized  # type: ignore[method-assign]
    figures: dict[str, Any] = {}
    runs: list[tuple[str, int]] = [("1-draw", 1), ("10-draw", 10)]
    if kind == "box":  # 100 tickets: 1 + 1 (warm) + 10 taken, then 78 more, then the last 10
        runs += [("(fill)", 10)] * 7 + [("(fill)", 8), ("10-draw, last ticket", 10)]
    try:
        for name, count in runs:
            order = paid(gacha_id, "bench-fan", count)
            with count_dynamodb_calls() as calls:
                started = time.perf_counter()
                outcome = fulfil.fulfil(order.order_id, fan_id=order.fan_id, gacha_id=gacha_id)
                elapsed = time.perf_counter() - started
            assert outcome.status == "fulfilled", outcome
            if not name.startswith("("):
                figures[name] = {"calls": list(calls), "actions": sizes[-1], "ms": elapsed * 1000}
    finally:
        Txn.commit = real_commit  # type: ignore[method-assign]
    return figures


def main() -> None:
    use_in_process_moto()
    from moto import mock_aws

    from local.provision import provision
    from oshi.kernel.settings import get_settings, reset_settings

    with mock_aws():
        reset_settings()
        provision(get_settings())
        results = {kind: measure(kind) for kind in ("rate", "ceiling", "box")}
    for kind, figures in results.items():
        for name, f in figures.items():
            print(
                f"{kind:8} {name:21} {len(f['calls'])} DynamoDB round trips ({', '.join(f['calls'])}); "
                f"transaction of {f['actions']} actions; {f['ms']:.1f} ms in-process on moto"
            )


if __name__ == "__main__":
    main()
