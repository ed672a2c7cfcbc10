"""Purchase throughput on one limited gacha: its stock on 1 item vs on N shards, under the same load.

    .venv/bin/python -m bench.stock_shards [--fans 400] [--stock 300] [--shards 8] [--clients 16]
                                           [--item-wcu 20] [--no-item-limit]

In-process moto (with ``local.moto_dynamodb``'s atomic patch, as the local stack runs it) and the Stripe
stand-in; every purchase goes through the local gateway's dispatcher (authorizer, rate limit, handler).
Each run publishes a fresh gacha with ``--stock`` draws, first on the gacha item itself (1 shard), then on
``--shards`` shard items (``oshi.catalogue.stock``), and has ``--fans`` distinct fans buy at once from
``--clients`` threads (every 5th a 10-draw): more draws asked for than the stock, so it sells out.

moto has no per-partition limit: one item takes writes as fast as the process can make them, so on moto
alone the shard count cannot matter. The bench therefore applies DynamoDB's per-item write limit in the
client (a botocore hook on every DynamoDB call): each item admits ``--item-wcu`` write units per second
(default 20: DynamoDB's 1,000 scaled down 50x, so that on this 2-core machine the item, not the machine,
limits the one-item run), a write costs what DynamoDB bills (2
units per started KB in a transaction, 1 outside one; the gacha item's size is measured), and a write
beyond the item's rate waits for it, as the SDK's throttling retries would. ``--no-item-limit`` shows
moto alone. Printed per run: purchases/s, p50/p99, the status mix and the stock accounting: the draws
reserved (shards' sum) equal the accepted orders' draws, then after paying some orders and expiring the
rest (the reservation sweeper), sold + released = reserved, to the unit. Exit status 1 if that fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench.dynamodb_calls import _dynamodb_clients, use_in_process_moto

PAID_PER_RUN = 10  # orders paid through the stand-in's webhook after each run (the rest expire)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


class ItemWriteLimit:
    """DynamoDB's per-item write capacity, applied in the client: each item admits ``units_per_s`` write
    units per second; a write waits until its item has admitted the writes before it."""

    def __init__(self, units_per_s: float, sizes_kb: dict[str, float]) -> None:
        self.units_per_s = units_per_s
        self.sizes_kb = sizes_kb  # table name -> item size in KB for hot items (others: < 1 KB)
        self.next_free: dict[str, float] = {}
        self.lock = threading.Lock()
        self.waited = 0.0

    def _units(self, table: str, transactional: bool) -> int:
        kb = max(1, math.ceil(self.sizes_kb.get(table, 1.0)))
        return kb * (2 if transactional else 1)

    def __call__(self, params: dict[str, Any], model: Any = None, **_: Any) -> None:
        writes: list[tuple[str, int]] = []
        if model.name == "TransactWriteItems":
            for action in params.get("TransactItems", []):
                ((kind, body),) = action.items()
                if kind == "ConditionCheck":
                    continue  # metered as a read of the item (docs/performance.md §6: the VTuber check)
                item = body.get("Key") or body.get("Item", {})  # a Put names its whole (new) item
                key = f"{body['TableName']}:{json.dumps(item, sort_keys=True)[:200]}"
                writes.append((key, self._units(body["TableName"], True)))
        elif model.name in ("UpdateItem", "PutItem", "DeleteItem"):
            key = params.get("Key") or params.get("Item", {})
            writes.append((f"{params['TableName']}:{json.dumps(key, sort_keys=True)[:200]}", 1))
        if not writes:
            return
        now = time.perf_counter()
        with self.lock:
            start = max([now] + [self.next_free.get(key, now) for key, _ in writes])
            for key, units in writes:  # a transaction holds every item it writes
                self.next_free[key] = max(self.next_free.get(key, now), start) + units / self.units_per_s
        if start > now:
            self.waited += start - now
            time.sleep(start - now)


@dataclass
class Run:
    shards: int
    seconds: float
    sold_out_after: float  # seconds from the start to the last accepted purchase
    latencies: list[float]
    statuses: Counter[int]
    draws_accepted: int
    reserved: int
    sold: int
    released: int
    after: int
    stock: int
    item_kb: float
    violations: list[str]

    @property
    def rate(self) -> float:
        """Accepted purchases per second, until the last one (the sale's pace, not the 409 tail's)."""
        return (self.statuses[201] + self.statuses[200]) / self.sold_out_after if self.sold_out_after else 0.0

    @property
    def accounting_ok(self) -> bool:
        return (
            self.reserved == self.draws_accepted <= self.stock
            and self.sold + self.released == self.reserved
            and self.after == self.sold
            and not self.violations
        )


def _seed(stock: int, shards: int, tag: str) -> str:
    from datetime import UTC, datetime

    from oshi.draw import rates
    from oshi.kernel.ids import new_id
    from oshi.models.gachas import PUBLIC_LISTING, Gacha
    from oshi.models.vtubers import Vtuber

    now = datetime.now(UTC)
    vtuber_id, gacha_id = new_id(), new_id()
    Vtuber(
        f"bench-vt-{tag}",
        vtuber_id=vtuber_id,
        status="approved",
        channel_name="Bench",
        channel_url="https://x.example",
        applied_at=now,
        updated_at=now,
    ).save()
    entries = [
        rates.PrizeRate(f"p{i:02d}", rarity, ppm)
        for i, (rarity, ppm) in enumerate(
            [("N", 600_000), ("R", 300_000), ("SR", 90_000), ("SSR", 9_900), ("UR", 100)], 1
        )
    ]
    document = rates.rate_table_document(entries, "SR", 200)  # a real gacha's frozen table, for its size
    Gacha(
        gacha_id,
        vtuber_id=vtuber_id,
        owner_user_id=f"bench-vt-{tag}",
        status="published",
        listing=PUBLIC_LISTING,
        title="限定ガチャ: launch bench",
        description="Voice clips and wallpapers for the launch stream. " * 4,
        price_single=300,
        price_ten=3000,
        medals_per_draw=1,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        total_stock=stock,
        stock_shards=shards if shards > 1 else None,
        sold_draws=0,
        prize_count=len(entries),
        rate_table=document,
        rate_table_version=1,
        rate_table_hash=rates.table_hash(document),
        version=1,
        created_at=now,
        updated_at=now,
        published_at=now,
    ).save()
    return gacha_id


def _item_kb(gacha_id: str) -> float:
    """DynamoDB's item size: attribute names plus values (serialised as stored)."""
    from oshi.models.gachas import Gacha

    raw = Gacha.get(gacha_id).serialize()
    return sum(len(name) + len(json.dumps(value)) for name, value in raw.items()) / 1024


def _fans(count: int, tag: str) -> list[str]:
    from datetime import UTC, datetime

    from oshi.identity import tokens
    from oshi.identity.principal import Caller, Role
    from oshi.models.users import User

    now = datetime.now(UTC)
    found = []
    for i in range(count):
        user_id = f"fan-{tag}-{i:05d}"
        User(
            user_id,
            email=f"{user_id}@example.com",
            email_normalized=f"{user_id}@example.com",
            display_name=user_id,
            birth_date="1990-01-01",
            terms_version="1",
            terms_accepted_at=now,
            created_at=now,
            roles={"fan"},
            password_hash="-",
        ).save()
        found.append(
            tokens.issue_access_token(
                Caller(user_id, frozenset({Role.FAN}), False, email_verified=True), amr=["pwd"]
            )
        )
    return found


def _reserved(gacha_id: str) -> int:
    from oshi.catalogue import stock
    from oshi.models.gachas import Gacha

    gacha = Gacha.get(gacha_id, consistent_read=True)
    if stock.is_sharded(gacha):
        return sum(stock.read(gacha))
    return int(gacha.sold_draws or 0)


def run_once(
    args: argparse.Namespace, shards: int, tag: str, stripe: Any, limit: ItemWriteLimit | None, pool: Any
) -> Run:
    from local.dispatch import dispatch
    from oshi.commerce import settlement
    from oshi.kernel import clock
    from oshi.models.orders import Order

    gacha_id = _seed(args.stock, shards, tag)
    item_kb = _item_kb(gacha_id)
    if limit is not None:
        from oshi.models.gachas import Gacha

        limit.sizes_kb[Gacha.Meta.table_name] = item_kb
    tokens = _fans(args.fans, tag)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    accepted: list[tuple[str, int]] = []
    last_accepted = [0.0]
    lock = threading.Lock()

    def buy(i: int) -> None:
        count = 10 if i % 5 == 0 else 1
        body = json.dumps(
            {"gacha_id": gacha_id, "count": count, "provider": "stripe", "payment_method": "card"}
        )
        headers = {
            "Authorization": f"Bearer {tokens[i]}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"bench-{tag}-{i}",
        }
        began = time.perf_counter()
        with pool.instance() as module:  # one request per Lambda instance, as the local gateway does
            response = dispatch(
                "POST", "/api/gacha/purchase", headers=headers, body=body.encode(), handler_module=module
            )
        ended = time.perf_counter()
        with lock:
            statuses[response.status] += 1
            latencies.append(ended - began)
            if response.status in (200, 201):  # 200: the purchase's own retry found its order (replay)
                accepted.append((str(json.loads(response.body)["order_id"]), count))
                last_accepted[0] = max(last_accepted[0], ended - started)
            if response.status not in (201, 409) and os.environ.get("BENCH_DEBUG"):
                print("DEBUG", response.status, i, response.body[:40], count, file=sys.stderr)

    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as threads:
        list(threads.map(buy, range(args.fans)))
    seconds = time.perf_counter() - started

    if os.environ.get("BENCH_DEBUG"):
        seen = Counter(order_id for order_id, _ in accepted)
        for order_id, n in seen.items():
            if n > 1:
                o = Order.get(order_id)
                print("DEBUG duplicate", order_id, n, o.fan_id, o.idempotency_key, o.count, file=sys.stderr)
    reserved = _reserved(gacha_id)
    # A 200 is a replayed purchase (the handler found its own Idempotency-Key's order); count each order once.
    accepted = list(dict(accepted).items())
    draws_accepted = sum(count for _, count in accepted)
    sold = 0
    for order_id, count in accepted[:PAID_PER_RUN]:  # paid: these draws stay sold
        session_id = Order.get(order_id).provider_session_id
        for _, _, status in stripe.pay(session_id, "success") or []:
            if status == 200:
                sold += count
    expired = settlement.sweep_expired(clock.utc_now() + timedelta(hours=3), limit=10_000)
    released = sum(count for order_id, count in accepted if order_id in set(expired))
    from oshi.models.gachas import Gacha, StockShard
    from tests.invariants import check_stock

    violations = [
        f"{v.rule} {v.subject}: {v.detail}"
        for v in check_stock(
            [Gacha.get(gacha_id, consistent_read=True)],
            [],
            [o for o in Order.scan(consistent_read=True) if o.gacha_id == gacha_id],
            [s for s in StockShard.scan(consistent_read=True) if s.shard_key.startswith(f"{gacha_id}#")],
        )
    ]
    return Run(
        shards,
        seconds,
        last_accepted[0],
        latencies,
        statuses,
        draws_accepted,
        reserved,
        sold,
        released,
        _reserved(gacha_id),
        args.stock,
        item_kb,
        violations,
    )


def _report(run: Run) -> None:
    where = "the gacha item" if run.shards == 1 else f"{run.shards} shard items"
    mix = ", ".join(f"{status}: {n}" for status, n in sorted(run.statuses.items()))
    print(
        f"  {run.shards:2d} shard(s) ({where}): {run.rate:6.1f} purchases/s (sold out after"
        f" {run.sold_out_after:.1f} s), p50 {_percentile(run.latencies, 0.5) * 1000:5.0f} ms,"
        f" p99 {_percentile(run.latencies, 0.99) * 1000:5.0f} ms, all answered in {run.seconds:.1f} s [{mix}]"
    )
    verdict = "ok" if run.accounting_ok else "MISMATCH"
    print(
        f"     stock {run.stock}: reserved {run.reserved} = draws of accepted orders {run.draws_accepted};"
        f" sold {run.sold} + released {run.released} = {run.sold + run.released} (reserved {run.reserved});"
        f" left on the counters {run.after}; stock invariants (tests/invariants.py)"
        f" {'ok' if not run.violations else run.violations}: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fans", type=int, default=400)
    parser.add_argument("--stock", type=int, default=300)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--item-wcu", type=float, default=20.0, help="write units/s per item (DynamoDB: 1,000)"
    )
    parser.add_argument("--no-item-limit", action="store_true", help="moto alone: no per-item write limit")
    args = parser.parse_args()

    use_in_process_moto()
    from local.runner import ROOT

    for path in ("layers/common", "functions"):
        sys.path.insert(0, str(ROOT / path))
    import logging

    logging.disable(logging.WARNING)  # the sweeper and the handlers log each order; figures only
    from moto import mock_aws

    from local import moto_dynamodb
    from local.dispatch import dispatch
    from local.instances import FunctionInstances
    from local.provision import provision
    from local.standins.stripe_standin import StripeStandin
    from oshi.kernel.settings import get_settings, reset_settings

    def deliver(path: str, body: bytes, headers: dict[str, str]) -> int:
        return dispatch("POST", path, headers=headers, body=body).status

    runs: list[Run] = []
    with mock_aws(), moto_dynamodb.installed():
        stripe = StripeStandin("127.0.0.1", 0, deliver=deliver).start()
        os.environ["OSHI_STRIPE_API_BASE"] = stripe.url
        reset_settings()
        provision(get_settings())
        try:
            pool = FunctionInstances("gacha.purchase", args.clients)
            warm = argparse.Namespace(**{**vars(args), "fans": 3, "stock": 50})
            run_once(warm, 1, "warm", stripe, None, pool)
            limit = None if args.no_item_limit else ItemWriteLimit(args.item_wcu, {})
            clients = _dynamodb_clients()
            if limit is not None:
                for client in clients:
                    client.meta.events.register(
                        "before-parameter-build.dynamodb.*", limit, unique_id="item-write-limit"
                    )
            model = (
                "moto alone (no per-item write limit)"
                if limit is None
                else f"per-item write limit {args.item_wcu:g} units/s (DynamoDB: 1,000; x{1000 / args.item_wcu:g} scaled down)"
            )
            print(
                f"{args.fans} fans ({args.clients} clients, every 5th a 10-draw) on one gacha of {args.stock} draws;"
                f" {model}"
            )
            for shards, tag in ((1, "one"), (args.shards, "many")):
                run = run_once(args, shards, tag, stripe, limit, pool)
                runs.append(run)
                _report(run)
            if limit is not None:
                for client in clients:
                    client.meta.events.unregister(
                        "before-parameter-build.dynamodb.*", unique_id="item-write-limit"
                    )
                kb = runs[0].item_kb
                one = args.item_wcu / (2 * max(1, math.ceil(kb)))
                print(
                    f"  model ceilings: the gacha item ({kb:.1f} KB, {2 * max(1, math.ceil(kb))} units a reservation)"
                    f" {one:.0f} purchases/s; a shard (< 1 KB, 2 units) {args.item_wcu / 2:.0f}/s,"
                    f" x{args.shards} = {args.shards * args.item_wcu / 2:.0f}/s"
                )
        finally:
            stripe.stop()
    ratio = runs[1].rate / runs[0].rate if runs[0].rate else float("inf")
    print(f"ratio {args.shards} shards / 1: {ratio:.2f}x purchases/s")
    if not all(run.accounting_ok for run in runs):
        print("stock accounting FAILED", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
