"""Draw engine throughput: draws per second and the time of one 10-draw, against ``random.choices``.

    .venv/bin/python -m bench.draw_engine [--draws 200000] [--orders 2000]

Prints, for the CSPRNG source (``secrets``) and the verifiable HMAC source (``SeededSource``): draws per second
over one long ``draw_many`` call, and the median time of a whole 10-draw with the guarantee (including building
the source, as the fulfilment does per order); and the same figures for ``random.choices`` over the same integer
weights (Mersenne Twister, float-based: neither secure nor exact, the baseline only), measured in the same run,
with the ratio. These machines are noisy: compare the ratios, not the seconds. No assertions.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "common"))

from oshi.draw.engine import Guarantee, RateTable, SecretsSource, draw_many
from oshi.draw.fairness import SeededSource, new_server_seed

TABLE = RateTable.from_entries(
    [
        ("voice-n-1", "N", 300_000),
        ("voice-n-2", "N", 250_000),
        ("image-n-1", "N", 200_000),
        ("voice-r-1", "R", 120_000),
        ("image-r-1", "R", 80_000),
        ("zip-sr-1", "SR", 30_000),
        ("video-sr-1", "SR", 9_900),
        ("video-ssr-1", "SSR", 10_000),
        ("signed-ur-1", "UR", 100),
    ]
)
GUARANTEE = Guarantee(
    "SR",
    ("N", "R", "SR", "SSR", "UR"),
    RateTable.from_entries(
        [
            ("zip-sr-1", "SR", 600_000),
            ("video-sr-1", "SR", 198_000),
            ("video-ssr-1", "SSR", 200_000),
            ("signed-ur-1", "UR", 2_000),
        ]
    ),
)


def per_second(run: Callable[[int], object], n: int) -> float:
    start = time.perf_counter()
    run(n)
    return n / (time.perf_counter() - start)


def median_us(run: Callable[[int], object], orders: int) -> float:
    times = []
    for nonce in range(orders):
        start = time.perf_counter()
        run(nonce)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=2_000)
    args = parser.parse_args()
    seed = new_server_seed()
    ids = [e.prize_id for e in TABLE.entries]
    weights = [e.ppm for e in TABLE.entries]
    rng = random.Random(1)

    rates = {
        "secrets (SecretsSource)": per_second(lambda n: draw_many(TABLE, n, SecretsSource()), args.draws),
        "HMAC (SeededSource)": per_second(
            lambda n: draw_many(TABLE, n, SeededSource(seed, "fan", "bench", 0)), args.draws
        ),
        "random.choices (baseline)": per_second(lambda n: rng.choices(ids, weights, k=n), args.draws),
    }
    ten = {
        "secrets (SecretsSource)": median_us(
            lambda _: draw_many(TABLE, 10, SecretsSource(), guarantee=GUARANTEE), args.orders
        ),
        "HMAC (SeededSource)": median_us(
            lambda nonce: draw_many(
                TABLE, 10, SeededSource(seed, "fan", "bench", nonce), guarantee=GUARANTEE
            ),
            args.orders,
        ),
        "random.choices (baseline)": median_us(lambda _: rng.choices(ids, weights, k=10), args.orders),
    }
    base_rate, base_ten = rates["random.choices (baseline)"], ten["random.choices (baseline)"]
    print(
        f"draw engine, {args.draws} draws per source, {args.orders} 10-draws (median), Python {sys.version.split()[0]}"
    )
    print(f"{'source':<28}{'draws/s':>12}{'vs choices':>12}{'10-draw us':>12}{'vs choices':>12}")
    for name in rates:
        print(
            f"{name:<28}{rates[name]:>12,.0f}{rates[name] / base_rate:>11.2f}x"
            f"{ten[name]:>12.1f}{ten[name] / base_ten:>11.2f}x"
        )


if __name__ == "__main__":
    main()
