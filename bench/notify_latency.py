"""WebSocket notification latency on the local stack: ``GachaCompleted`` published -> message received.

Starts ``python -m local`` (as the e2e tests do), connects the demo fan to the local WebSocket API,
publishes N ``GachaCompleted`` events on the bus (moto) one at a time and times each until the client
receives its message (bus rule -> SQS -> pump -> gacha.notify -> @connections -> socket).

    .venv/bin/python -m bench.notify_latency [N]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import uuid
from pathlib import Path

import boto3
from websockets.sync.client import connect

from oshi.events.definitions import GACHA_COMPLETED, DrawnPrize, GachaCompletedData

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from e2e_support import running_local_stack  # noqa: E402 - the tests' helper that starts the stack


def websocket_url(output: list[str]) -> str:
    for line in output:
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "WebSocket":
            return parts[1].split("/?", 1)[0]
    raise LookupError("no WebSocket line in the local stack's summary")


def gacha_completed(bus: str, fan_id: str, order_id: str) -> dict[str, object]:
    """A GachaCompleted entry as the fulfilment publishes it (the declared model; its id from the order)."""
    data = GachaCompletedData(
        order_id=order_id,
        fan_id=fan_id,
        gacha_id="bench-gacha",
        vtuber_id="bench-vtuber",
        count=1,
        results=[DrawnPrize(prize_id="p01", name="N prize", rarity="N")],
    )
    event = GACHA_COMPLETED.event(data, correlation_id=order_id)
    return {
        "Source": "oshi.gacha",
        "DetailType": event.detail_type,
        "Detail": json.dumps(event.detail()),
        "EventBusName": bus,
    }


def main(count: int = 50) -> None:
    with running_local_stack() as stack:
        events = boto3.client(
            "events",
            endpoint_url=stack.moto_url,
            region_name="ap-northeast-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        fan_id, token = stack.demo_user_id("fan"), stack.demo_token("fan")
        latencies: list[float] = []
        with connect(f"{websocket_url(stack.output)}/?token={token}") as socket:
            for _ in range(count):
                order_id = f"bench-{uuid.uuid4()}"
                started = time.perf_counter()
                events.put_events(Entries=[gacha_completed("oshi-local-bus", fan_id, order_id)])
                while True:
                    message = json.loads(socket.recv(timeout=10))
                    if message.get("order_id") == order_id:
                        break
                latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * len(latencies)) - 1)]
    print(
        f"GachaCompleted -> WebSocket message, local stack, n={count}: "
        f"p50 {statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms, max {latencies[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
