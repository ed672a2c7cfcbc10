"""``python -m bench`` (``make bench``): run every benchmark and print its figures.

    .venv/bin/python -m bench            # everything (about 10 minutes on 2 cores)
    .venv/bin/python -m bench --quick    # in-process ones only (no local stack)

Each benchmark is also runnable alone (``python -m bench.<name> --help``); docs/performance.md lists
the figures and how to read them.
"""

from __future__ import annotations

import subprocess
import sys
import time

IN_PROCESS = (
    ("bench.cold_start", []),  # 1. cold start of every handler, against import boto3
    ("bench.stack_chunks", []),  # 1. why every function enters through oshi.kernel.entry
    ("bench.auth_cold_start", []),
    ("bench.authorizer_revocation", []),  # 7. the revocation check's cost
    ("bench.moto_memory", ["--orders", "500"]),  # 8. local stack memory (N=5000 by hand: ~15 min)
    ("bench.roundtrips_payment", []),  # 2. DynamoDB round trips per operation
    ("bench.roundtrips_fulfilment", []),
    ("bench.roundtrips_exchange", []),
    ("bench.draw_engine", []),  # 3. draws per second against random.choices
    ("bench.cost_model", []),  # 5. cost per 1,000 draws and at a launch spike
    ("bench.stock_shards", []),  # 6. one limited gacha: its stock on 1 item vs 8 shards
    ("bench.web_bundle", []),  # 7. the fan app's first-load JS per route (gzip), from web/fan/out
)
LOCAL_STACK = (
    ("bench.draw_latency", ["100"]),  # 4. webhook accepted -> fulfilled
    ("bench.exchange_load", ["--trades", "100", "--clients", "1,10,50"]),
    ("bench.notify_latency", []),
    ("bench.hot_key", []),  # 6. many fans, one limited gacha
    ("bench.launch", ["--fans", "100", "--stock", "600"]),  # 9. a scripted launch, invariants checked
)


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    for module, args in IN_PROCESS + (() if quick else LOCAL_STACK):
        print(f"\n== {module} {' '.join(args)} ==", flush=True)
        started = time.perf_counter()
        # Each in a fresh interpreter: benches set their own environment (moto, stage) at import.
        subprocess.run([sys.executable, "-m", module, *args], check=True)
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)


main()
