"""Memory and internal errors of moto's DynamoDB while N paid orders are drawn (issue: `make run` grew
to 17.7 GB after ~1,000 orders).

    .venv/bin/python -m bench.moto_memory --orders 5000             # with local.moto_dynamodb (make run's)
    .venv/bin/python -m bench.moto_memory --orders 300 --unpatched  # moto as shipped, for the "before"
    .venv/bin/python -m bench.moto_memory --orders 1000 --server    # through a moto server, as make run

In-process moto by default; ``--server`` starts moto's threaded server in this process (as ``make run``
does) and points every client at it over HTTP, so internal errors become 500s the SDK retries.

Every table provisioned, a gacha on sale (created through the API), then N PAID
orders (4 in 5 single draws, 1 in 5 ten-draws: ~2.8 draws per order) fulfilled by the real
``gacha.fulfil`` consumer from ``--workers`` threads, as the local pump's consumers run concurrently.
Prints the process RSS before and after (and at every 10%), the orders and draws done, and the internal
errors: exceptions raised inside moto's DynamoDB backend that are not DynamoDB errors (what the moto
server answers with a 500 and the SDK retries), and SQS records the consumer failed.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.dynamodb_calls import use_in_process_moto

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class InternalErrors:
    """Counts non-DynamoDB exceptions out of the backend's item methods (outermost wrapper)."""

    def __init__(self) -> None:
        self.count = 0
        self.samples: list[str] = []
        self._lock = threading.Lock()

    def wrap(self, backend_class: Any, names: tuple[str, ...]) -> None:
        from moto.core.exceptions import JsonRESTError

        for name in names:
            original = getattr(backend_class, name)

            def counted(self_: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
                try:
                    return __original(self_, *args, **kwargs)
                except JsonRESTError:
                    raise
                except Exception as exc:
                    with self._lock:
                        self.count += 1
                        if len(self.samples) < 3:
                            self.samples.append(f"{type(exc).__name__}: {exc}")
                    raise

            setattr(backend_class, name, counted)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--unpatched", action="store_true", help="moto as shipped (the 'before')")
    parser.add_argument("--server", action="store_true", help="through a moto server over HTTP")
    args = parser.parse_args()
    use_in_process_moto()
    server = None
    if args.server:
        import logging
        import os

        from moto.server import ThreadedMotoServer

        from local.runner import free_port

        port = free_port()
        os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    for path in ("layers/common", "functions", ".", "tests", "tests/integration"):
        sys.path.insert(0, str(ROOT / path))

    from moto import mock_aws
    from moto.dynamodb.models import DynamoDBBackend

    from local import moto_dynamodb

    if not args.unpatched:
        moto_dynamodb.install()
    errors = InternalErrors()
    errors.wrap(DynamoDBBackend, ("transact_write_items", *moto_dynamodb.LOCKED_METHODS))

    if server is not None:
        server.start()
    with contextlib.nullcontext() if server is not None else mock_aws():
        from draw_support import deliver, on_sale, paid_order
        from support import Api

        from local.provision import provision
        from oshi.identity import tokens
        from oshi.kernel.aws import reset_clients
        from oshi.kernel.settings import get_settings

        reset_clients()
        tokens.forget_keys()
        provision(get_settings())
        sale = on_sale(Api(), total_stock=10 * args.orders + 100)
        for i in range(5):  # warm-up: imports, caches, first allocations (not counted)
            deliver(paid_order(sale, fan_id="warm-up", count=10 if i == 0 else 1))

        before = rss_mb()
        started = time.perf_counter()
        failed = 0
        draws = 0
        lock = threading.Lock()

        def one(i: int) -> None:
            nonlocal failed, draws
            count = 10 if i % 5 == 0 else 1
            order = paid_order(sale, fan_id=f"fan-{i % 200}", count=count)
            lost = deliver(order)
            with lock:
                failed += len(lost)
                draws += count

        mode = ("unpatched moto" if args.unpatched else "local.moto_dynamodb") + (
            " (moto server)" if server is not None else " (in-process)"
        )
        print(f"{mode}: {args.orders} paid orders, {args.workers} workers; RSS before {before:.0f} MB")
        step = max(1, args.orders // 10)
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            for done_upto in range(0, args.orders, step):
                list(pool.map(one, range(done_upto, min(args.orders, done_upto + step))))
                print(
                    f"  {min(args.orders, done_upto + step):6d} orders  RSS {rss_mb():7.0f} MB"
                    f"  {time.perf_counter() - started:6.0f} s",
                    flush=True,
                )
        after = rss_mb()
        print(f"orders {args.orders}, draws {draws}, failed SQS records {failed}")
        print(f"RSS before {before:.0f} MB, after {after:.0f} MB, growth {after - before:.0f} MB")
        print(f"growth per 1,000 orders {1000 * (after - before) / args.orders:.0f} MB")
        print(f"internal errors in moto's DynamoDB backend: {errors.count}")
        for sample in errors.samples:
            print(f"  e.g. {sample[:160]}")


if __name__ == "__main__":
    main()
