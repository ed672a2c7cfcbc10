"""The local stack's WebSocket API (issue 6) and S3 upload notifications (issue 4), end to end."""

from __future__ import annotations

import json
import time
import uuid

import boto3
import pytest
import requests
from e2e_support import LocalStack
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from oshi.events.definitions import GACHA_COMPLETED, DrawnPrize, GachaCompletedData

pytestmark = pytest.mark.e2e


def websocket_urls(stack: LocalStack) -> tuple[str, str]:
    """(ws url, management url) from the ready summary's WebSocket line."""
    for line in stack.output:
        parts = line.split()
        if parts and parts[0] == "WebSocket":
            return parts[1].split("/?", 1)[0], parts[-1].rstrip(")")
    raise LookupError("no WebSocket line in the summary")


def publish(stack: LocalStack, detail_type: str, data: dict[str, object]) -> None:
    events = boto3.client(
        "events",
        endpoint_url=stack.moto_url,
        region_name="ap-northeast-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    detail = {"metadata": {"event_id": str(uuid.uuid4()), "version": "1"}, "data": data}
    response = events.put_events(
        Entries=[
            {
                "Source": "oshi.gacha",
                "DetailType": detail_type,
                "Detail": json.dumps(detail),
                "EventBusName": "oshi-local-bus",
            }
        ]
    )
    assert response["FailedEntryCount"] == 0


def completed(order_id: str, fan_id: str) -> dict[str, object]:
    """GachaCompleted data as the fulfilment publishes it (the notify consumer parses it with this model)."""
    data = GachaCompletedData(
        order_id=order_id,
        fan_id=fan_id,
        gacha_id="e2e-gacha",
        vtuber_id="e2e-vtuber",
        count=1,
        results=[DrawnPrize(prize_id="p01", name="N prize", rarity="N")],
    )
    return data.model_dump(mode="json")


def test_gacha_completed_is_pushed_to_the_fans_socket(local_stack: LocalStack) -> None:
    ws_url, _ = websocket_urls(local_stack)
    fan = local_stack.demo_user_id("fan")
    with connect(f"{ws_url}/?token={local_stack.demo_token('fan')}") as socket:
        publish(
            local_stack, GACHA_COMPLETED.detail_type, {**completed("e2e-order-1", fan), "status": "FULFILLED"}
        )
        message = json.loads(socket.recv(timeout=10))
    assert message["type"] == "GachaCompleted"
    assert message["order_id"] == "e2e-order-1"
    assert message["data"]["status"] == "FULFILLED"  # fields the consumer does not declare pass through
    assert message["data"]["results"] == [{"prize_id": "p01", "name": "N prize", "rarity": "N"}]


def test_a_socket_without_a_valid_token_is_refused(local_stack: LocalStack) -> None:
    ws_url, _ = websocket_urls(local_stack)
    for query in ("", "?token=forged"):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{ws_url}/{query}")
        assert refused.value.response.status_code == 401


def test_a_closed_socket_is_gone_for_the_management_api(local_stack: LocalStack) -> None:
    _, management = websocket_urls(local_stack)
    assert (
        requests.post(f"{management}/@connections/never-connected", data=b"{}", timeout=5).status_code == 410
    )
    response = requests.post(f"{management}/_local/schedules/reservation-sweeper", timeout=10)
    assert response.status_code == 200 and response.json() == {"result": {"expired": 0}}
    scan = requests.post(f"{management}/_local/schedules/rate-anomaly-scan", timeout=30)
    assert scan.status_code == 200 and scan.json()["result"]["anomalous"] == 0  # demo data: few draws
    assert requests.post(f"{management}/_local/schedules/nope", timeout=5).status_code == 404


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def _asset_status(stack: LocalStack, token: str, asset_id: str) -> dict[str, object]:
    """Poll the VTuber's asset list until the validator has decided (S3 -> SQS -> pump -> validator)."""
    for _ in range(100):
        listed = requests.get(
            f"{stack.api_url}/api/vtuber/assets", headers={"Authorization": f"Bearer {token}"}, timeout=5
        ).json()["items"]
        asset = next(a for a in listed if a["asset_id"] == asset_id)
        if asset["status"] != "pending":
            return dict(asset)
        time.sleep(0.1)
    raise AssertionError(f"asset {asset_id} still pending")


def test_an_upload_posted_to_s3_is_validated_by_the_s3_notification(local_stack: LocalStack) -> None:
    token = local_stack.demo_token("vtuber")
    decided = {}
    for name, data in (("ok.png", PNG), ("renamed.png", EXE)):
        started = requests.post(
            f"{local_stack.api_url}/api/vtuber/upload",
            headers={"Authorization": f"Bearer {token}"},
            json={"filename": name, "content_type": "image/png", "size_bytes": len(data)},
            timeout=5,
        )
        assert started.status_code == 201, started.text
        upload = started.json()
        posted = requests.post(
            upload["upload"]["url"], data=upload["upload"]["fields"], files={"file": (name, data)}, timeout=10
        )
        assert posted.status_code in (200, 201, 204), posted.text
        decided[name] = _asset_status(local_stack, token, upload["asset_id"])
    assert decided["ok.png"]["status"] == "validated"
    assert decided["renamed.png"]["status"] == "rejected"
    assert decided["renamed.png"]["reason_code"] == "unknown_type"  # a renamed executable
