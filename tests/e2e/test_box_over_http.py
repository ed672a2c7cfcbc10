"""A box gacha bought out over HTTP on the local stack (issue 20): 30 fans buy a box of 100 tickets at once
(purchase -> stand-in pays -> signed webhook -> fulfilment consumer), then exactly 100 tickets are drawn,
per prize exactly the box's counts, one last-one prize, and tools/verify_draws.py replays the whole box
from the seed revealed once it is empty."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from e2e_support import ROOT, LocalStack, verify_email
from requests.adapters import HTTPAdapter
from test_payment_over_http import standin_url

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

FANS = 30
COUNTS = (3, 12, 25, 60)  # A賞 .. D賞: 100 tickets


class FromAddress(HTTPAdapter):
    """Each fan calls from its own loopback address, as fans do from their own IPs (the sign-in limit
    is per source IP)."""

    def __init__(self, ip: str) -> None:
        self.ip = ip
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.ip, 0)
        super().init_poolmanager(*args, **kwargs)


def fan_session(n: int) -> requests.Session:
    session = requests.Session()
    adapter = FromAddress(f"127.0.{20 + n // 200}.{10 + n % 200}")
    session.mount("http://", adapter)
    return session


def sign_up(http: requests.Session, stack: LocalStack) -> str:
    email, password = f"box-{uuid.uuid4().hex[:10]}@example.com", "Correct-horse-9"
    registered = http.post(
        f"{stack.api_url}/api/auth/register",
        json={
            "email": email,
            "password": password,
            "display_name": "箱推し",
            "birth_date": "1995-05-05",
            "terms_version": "2026-11",
            "accept_terms": True,
        },
        timeout=20,
    )
    assert registered.status_code == 201, registered.text
    verify_email(stack, email)  # only a verified address may buy (issue 18)
    login = http.post(
        f"{stack.api_url}/api/auth/login", json={"email": email, "password": password}, timeout=20
    )
    assert login.status_code == 200, login.text
    return str(login.json()["tokens"]["access_token"])


def create_box(http: requests.Session, stack: LocalStack) -> tuple[str, datetime]:
    auth = {"Authorization": f"Bearer {stack.demo_token('vtuber')}"}
    assets = http.get(f"{stack.api_url}/api/vtuber/assets", headers=auth).json()["items"]
    asset = next(a["asset_id"] for a in assets if a["status"] == "validated")
    starts = datetime.now(UTC) + timedelta(seconds=4)
    body = {
        "title": "一番くじ: e2e box",
        "description": "100 tickets",
        "kind": "box",
        "price_single": 500,
        "price_ten": 5000,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(days=1)).isoformat(),
        "prizes": [
            {
                "name": f"{chr(65 + i)}賞",
                "rarity": ("UR", "SR", "R", "N")[i],
                "tickets": n,
                "asset_ids": [asset],
            }
            for i, n in enumerate(COUNTS)
        ],
        "last_one": {"name": "ラストワン賞", "rarity": "UR", "asset_ids": [asset]},
        "publish": True,
    }
    created = http.post(f"{stack.api_url}/api/vtuber/gacha/create", json=body, headers=auth)
    assert created.status_code == 201, created.text
    return str(created.json()["gacha_id"]), starts


def buy_until_sold_out(
    http: requests.Session, stack: LocalStack, token: str, gacha_id: str, count: int, bought: list[str]
) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    stripe = standin_url(stack, "Stripe")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        response = http.post(
            f"{stack.api_url}/api/gacha/purchase",
            json={"gacha_id": gacha_id, "count": count, "provider": "stripe", "payment_method": "card"},
            headers=auth,
            timeout=30,
        )
        if response.status_code == 201:
            order = response.json()
            session_id = order["redirect_url"].rsplit("/", 1)[1]
            paid = http.post(f"{stripe}/_demo/pay/{session_id}", data={"outcome": "success"}, timeout=30)
            assert [d["status"] for d in paid.json()["delivered"]] == [200], paid.text
            bought.append(order["order_id"])
            continue
        code = response.json().get("error", {}).get("code")
        if code == "SOLD_OUT":
            return
        if code == "NOT_ENOUGH_TICKETS":  # fewer than ten left: buy singles (our documented rule)
            count = 1
            continue
        if code in ("RATE_LIMITED", "ORDER_PENDING"):
            time.sleep(float(response.headers.get("Retry-After", "0.5")))
            continue
        raise AssertionError(f"unexpected purchase answer {response.status_code}: {response.text}")
    raise AssertionError("the box did not sell out in time")


def test_thirty_fans_buy_out_a_box_of_100_and_the_verifier_replays_it(
    local_stack: LocalStack, http: requests.Session, tmp_path: Path
) -> None:
    sessions = [fan_session(n) for n in range(FANS)]
    tokens = [sign_up(s, local_stack) for s in sessions]
    gacha_id, starts = create_box(http, local_stack)
    time.sleep(max((starts - datetime.now(UTC)).total_seconds() + 0.5, 0))

    bought: list[list[str]] = [[] for _ in range(FANS)]
    errors: list[BaseException] = []

    def fan(n: int) -> None:
        try:
            buy_until_sold_out(sessions[n], local_stack, tokens[n], gacha_id, 10 if n < 6 else 1, bought[n])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fan, args=(n,)) for n in range(FANS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [], errors

    deadline = time.monotonic() + 120
    while True:
        box = http.get(f"{local_stack.api_url}/api/gachas/{gacha_id}/box").json()
        if box["drawn"] == 100 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert box["drawn"] == 100 and box["remaining"] == 0 and box["sold_out"] is True, box
    assert box["last_one"]["awarded"] is True

    # every fan's orders: exactly 100 tickets, the box's counts per prize, one last-one prize
    items: list[dict[str, Any]] = []
    for n in range(FANS):
        for order_id in bought[n]:
            order = (
                sessions[n]
                .get(
                    f"{local_stack.api_url}/api/gacha/orders/{order_id}",
                    headers={"Authorization": f"Bearer {tokens[n]}"},
                )
                .json()
            )
            assert order["status"] == "FULFILLED", order
            items += order["results"]["items"]
    tickets = [i for i in items if i["table"] == "box"]
    assert len(tickets) == 100 and sorted(i["ticket"] for i in tickets) == list(range(100))
    assert Counter(i["name"] for i in tickets) == {f"{chr(65 + i)}賞": n for i, n in enumerate(COUNTS)}
    assert [i["name"] for i in items if i["table"] == "last_one"] == ["ラストワン賞"]

    # sold out: the seed is revealed, and the standalone verifier replays the whole box
    log = http.get(f"{local_stack.api_url}/api/gachas/{gacha_id}/box/draws")
    assert log.status_code == 200, log.text
    document = log.json()
    assert document["tickets_drawn"] == 100 and len(document["orders"]) == sum(len(b) for b in bought)
    path = tmp_path / "box.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    replay = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "verify_draws.py"),
            str(path),
            "--box",
            "--server-seed",
            document["server_seed"],
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert "tickets drawn 100 of 100" in replay.stdout
    assert "last-one prize last  OK" in replay.stdout
