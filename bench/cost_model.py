"""Cost per draw on AWS, from the measured request counts and AWS list prices for Tokyo.

    .venv/bin/python -m bench.cost_model [--lambda-ms 150] [--memory-mb 512]

The DynamoDB round trips per operation are the exact counts that the round-trip benches measure and the
tests assert (bench.roundtrips_payment, bench.roundtrips_fulfilment, bench.roundtrips_exchange); the
capacity units below derive from them and the item sizes (docs/performance.md shows the arithmetic).
Lambda durations are NOT measured here (in-process runs against moto time moto, not DynamoDB): they are an
assumption you can change with --lambda-ms; the Lambda share of the total is small either way.

Prices: ap-northeast-1 list prices as the team knew them on 2026-11-29, with no internet on the build
machine to re-check them. Verify on https://aws.amazon.com/pricing before quoting a figure to anyone.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

# USD, ap-northeast-1 (Tokyo), on-demand list prices; see the module docstring.
PRICE = {
    "api_request": 4.25 / 1e6,  # REST API, first 333 M requests a month
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm": 0.0000133334,
    "dynamodb_wru": 0.715 / 1e6,  # on-demand write request unit (after the Nov 2024 price cut)
    "dynamodb_rru": 0.1425 / 1e6,  # on-demand read request unit
    "eventbridge_event": 1.00 / 1e6,  # custom events
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB chunk
    "logs_gb": 0.76,  # CloudWatch Logs ingestion
}
USD_JPY = 150.0  # for the yen column only
LOG_KB_PER_INVOCATION = 2.0


@dataclass(frozen=True)
class Flow:
    """What one order costs on AWS, end to end (purchase, payment webhook, draw, notification, one poll)."""

    name: str
    api_requests: int
    lambda_invocations: int
    wru: float
    rru: float
    events: int
    sqs_requests: int


def flows() -> list[Flow]:
    # Purchase (3 round trips): BatchGet 4 items (4 RRU, consistent) + transaction of 5 items <= 1 KB
    #   (2 WRU each; the gacha item ~2 KB: 4) and the rate-limit counter (2, in the transaction since
    #   issue 21) + the session update (2 WRU) = 18 WRU.
    # Webhook (2 round trips, issue 21): GetItem order (1 RRU) + one transaction: event claim 2, order
    #   update 4 (~1-2 KB), claim delete 2, audit outbox put 2 = 10 WRU. The audit chainer, per entry:
    #   chained put 2 + pending delete 2 (in its transaction) = 4 WRU, reads amortised over its batch.
    #   Transactions cost twice: fewer round trips, more write units (was 6 WRU + 1 RRU in 6 calls).
    # Fulfilment (2 round trips): BatchGet order + nonce (2 RRU), one transaction: order (results, ~2 KB
    #   for 1 draw, ~6 KB for 10: x2), medal balance 2, ledger 2, rewards 2 each, nonce 2, stats 2,
    #   limited-prize stock 2 (counted once).
    # Notify: reads the fan's connections (1 RRU). Poll GET order: 1 RRU. Authorizer: no DynamoDB.
    single = Flow(
        "1 single draw",
        3,
        6,
        wru=18 + 10 + 4 + (4 + 2 + 2 + 2 + 2 + 2 + 2),
        rru=4 + 1 + 2 + 1 + 1,
        events=2,
        sqs_requests=6,
    )
    ten = Flow(
        "1 ten-draw",
        3,
        6,
        wru=18 + 10 + 4 + (12 + 2 + 2 + 10 * 2 + 2 + 2 + 2),
        rru=4 + 1 + 2 + 1 + 2,
        events=2,
        sqs_requests=6,
    )
    trade = Flow("1 exchange trade", 1, 2, wru=2 * 6, rru=0, events=0, sqs_requests=0)
    return [single, ten, trade]


def cost(flow: Flow, lambda_ms: float, memory_mb: int) -> dict[str, float]:
    gb_seconds = flow.lambda_invocations * (lambda_ms / 1000) * (memory_mb / 1024)
    parts = {
        "api": flow.api_requests * PRICE["api_request"],
        "lambda": flow.lambda_invocations * PRICE["lambda_request"]
        + gb_seconds * PRICE["lambda_gb_second_arm"],
        "dynamodb": flow.wru * PRICE["dynamodb_wru"] + flow.rru * PRICE["dynamodb_rru"],
        "events": flow.events * PRICE["eventbridge_event"] + flow.sqs_requests * PRICE["sqs_request"],
        "logs": flow.lambda_invocations * LOG_KB_PER_INVOCATION / 1024 / 1024 * PRICE["logs_gb"],
    }
    parts["total"] = sum(parts.values())
    return parts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lambda-ms", type=float, default=150.0, help="assumed mean billed duration")
    parser.add_argument("--memory-mb", type=int, default=512)
    args = parser.parse_args()
    print(
        f"cost model (Tokyo list prices, see docstring; Lambda {args.lambda_ms:.0f} ms at {args.memory_mb} MB)"
    )
    print(
        f"{'per 1,000':22} {'API':>8} {'Lambda':>8} {'DynamoDB':>9} {'EB+SQS':>8} {'Logs':>7} {'total $':>9} {'yen':>7}"
    )
    by_name = {}
    for flow in flows():
        c = {k: v * 1000 for k, v in cost(flow, args.lambda_ms, args.memory_mb).items()}
        by_name[flow.name] = c
        print(
            f"{flow.name:22} {c['api']:8.4f} {c['lambda']:8.4f} {c['dynamodb']:9.4f} {c['events']:8.4f}"
            f" {c['logs']:7.4f} {c['total']:9.4f} {c['total'] * USD_JPY:7.1f}"
        )
    # Launch spike: 100,000 fans in 10 minutes, half buying a single draw and half a ten-draw.
    fans = 100_000
    spike = fans / 2 / 1000 * (by_name["1 single draw"]["total"] + by_name["1 ten-draw"]["total"])
    print(
        f"launch spike: {fans:,} fans in 10 min (half single, half ten-draw): ${spike:.2f} (~{spike * USD_JPY:,.0f} yen)"
    )
    print(f"  = {fans / 600:.0f} purchases/s on average; see docs/performance.md for the hot-key limit")


if __name__ == "__main__":
    main()
