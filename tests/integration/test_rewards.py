"""The reward box: listing, ownership of downloads, signed URLs (S3 locally, CloudFront on AWS), rate limit."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from exchange_support import create_item, fan, give_medals, put_reward, shop, trade
from support import Api
from vtuber_support import PNG

from bench.dynamodb_calls import count_dynamodb_calls
from local.dispatch import HttpResponse
from oshi.kernel import clock
from oshi.kernel.aws import client
from oshi.kernel.ids import new_id
from oshi.kernel.settings import get_settings, reset_settings
from oshi.models.exchange import DownloadRecord
from oshi.models.rewards import Reward
from oshi.rewards import downloads, exchange
from oshi.web.routes import DOWNLOAD_URL_LIMIT


@pytest.fixture(autouse=True)
def _fresh() -> None:
    exchange.forget_terms()
    downloads.forget_key()


def page(api: Api, token: str, query: str = "") -> dict:
    response = api.get(f"/api/rewards/list{query}", token=token)
    assert response.status == 200, response.body
    return dict(response.json())


def download(api: Api, token: str, reward_id: str) -> HttpResponse:
    return api.post("/api/rewards/download-url", token=token, json_body={"reward_id": reward_id})


# --- listing ---------------------------------------------------------------------------------------------
def test_list_is_newest_first_paginated_and_filtered(api: Api) -> None:
    s = shop(api)
    other = shop(api, "vt-2")
    gacha_rewards = [put_reward("fan-1", s, name=f"clip {i}") for i in range(5)]
    theirs = put_reward("fan-1", other, name="other vtuber")
    item = create_item(api, s, cost=1)
    give_medals("fan-1", s.vt.vtuber_id, 10)
    traded = trade(api, fan("fan-1"), item["item_id"]).json()["reward_ids"][0]
    put_reward("fan-2", s, name="not yours")

    everything = page(api, fan("fan-1"), "?limit=50")
    ids = [r["reward_id"] for r in everything["items"]]
    assert ids == [traded, theirs.reward_id, *[r.reward_id for r in reversed(gacha_rewards)]]
    assert everything["next_cursor"] is None
    first = everything["items"][0]
    assert (first["source"], first["type"], first["size_bytes"], first["download_count"]) == (
        "exchange",
        "image/png",
        len(PNG),
        0,
    )

    seen: list[str] = []
    cursor = ""
    while True:
        got = page(api, fan("fan-1"), f"?limit=3{cursor}")
        seen += [r["reward_id"] for r in got["items"]]
        if not got["next_cursor"]:
            break
        cursor = f"&cursor={got['next_cursor']}"
    assert seen == ids

    gacha_only = page(api, fan("fan-1"), "?source=gacha&limit=2")
    assert [r["source"] for r in gacha_only["items"]] == ["gacha", "gacha"] and gacha_only["next_cursor"]
    by_vtuber = page(api, fan("fan-1"), f"?vtuber_id={s.vt.vtuber_id}&source=gacha&limit=50")
    assert [r["reward_id"] for r in by_vtuber["items"]] == [r.reward_id for r in reversed(gacha_rewards)]
    by_other = page(api, fan("fan-1"), f"?vtuber_id={other.vt.vtuber_id}")
    assert [r["name"] for r in by_other["items"]] == ["other vtuber"]


def test_cursors_are_checked(api: Api) -> None:
    s = shop(api)
    for _ in range(3):
        put_reward("fan-1", s)
        put_reward("fan-2", s)
    cursor = page(api, fan("fan-2"), "?limit=1")["next_cursor"]
    stolen = api.get(f"/api/rewards/list?cursor={cursor}", token=fan("fan-1"))
    assert (stolen.status, stolen.json()["error"]["code"]) == (400, "INVALID_CURSOR")
    junk = api.get("/api/rewards/list?cursor=bm90LWEtY3Vyc29y", token=fan("fan-1"))
    assert junk.status == 400


def test_revoked_rewards_are_not_listed_and_not_downloadable(api: Api) -> None:
    s = shop(api)
    kept = put_reward("fan-1", s, name="kept")
    refunded = put_reward("fan-1", s, name="refunded")
    refunded.update(actions=[Reward.revoked.set(True)])  # what the refund does
    assert [r["name"] for r in page(api, fan("fan-1"))["items"]] == ["kept"]
    response = download(api, fan("fan-1"), refunded.reward_id)
    assert (response.status, response.json()["error"]["code"]) == (404, "REWARD_NOT_FOUND")
    assert download(api, fan("fan-1"), kept.reward_id).status == 200


# --- downloads ---------------------------------------------------------------------------------------------
def test_owner_gets_a_short_lived_attachment_url_and_the_download_is_recorded(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = shop(api)
    reward = put_reward("fan-1", s)
    issued_at = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr(clock, "now", issued_at.timestamp)  # the expiry is exact, however slow the machine
    with count_dynamodb_calls() as calls:
        response = download(api, fan("fan-1"), reward.reward_id)
    assert response.status == 200, response.body
    # the caller's revocation marker (a cold container; then cached 30 s), rate limit, owned-and-counted
    # update, record
    assert calls.total == 4, dict(calls.calls)
    out = response.json()
    assert response.headers["Cache-Control"] == "no-store"
    query = parse_qs(urlsplit(out["url"]).query)
    assert query["X-Amz-Expires"] == [str(downloads.URL_TTL_SECONDS)]  # moto does not enforce expiry
    assert query["response-content-disposition"] == ['attachment; filename="a.png"']
    expires_at = datetime.fromisoformat(out["expires_at"])
    assert (expires_at - issued_at).total_seconds() == downloads.URL_TTL_SECONDS
    assert urlsplit(out["url"]).path.endswith(reward.object_key)

    [record] = list(DownloadRecord.query("fan-1"))
    assert (record.reward_id, record.via) == (reward.reward_id, "s3")
    assert page(api, fan("fan-1"))["items"][0]["download_count"] == 1
    assert download(api, fan("fan-1"), reward.reward_id).status == 200  # re-issuing always works
    assert page(api, fan("fan-1"))["items"][0]["download_count"] == 2


def test_the_signed_url_serves_the_file_with_ranges(api: Api) -> None:
    s = shop(api)
    reward = put_reward("fan-1", s)
    url = download(api, fan("fan-1"), reward.reward_id).json()["url"]
    whole = requests.get(url, timeout=10)
    assert whole.status_code == 200 and whole.content == PNG
    assert whole.headers["Content-Disposition"] == 'attachment; filename="a.png"'
    part = requests.get(url, headers={"Range": "bytes=8-15"}, timeout=10)
    assert part.status_code == 206 and part.content == PNG[8:16]


def test_nobody_else_learns_a_reward_exists(api: Api) -> None:
    s = shop(api)
    reward = put_reward("fan-1", s)
    theirs = download(api, fan("fan-2"), reward.reward_id)
    made_up = download(api, fan("fan-2"), f"{new_id()}#000#00")
    assert theirs.status == made_up.status == 404
    assert theirs.json() == made_up.json()
    assert list(DownloadRecord.scan()) == []
    assert Reward.get("fan-1", reward.reward_id).download_count == 0
    malformed = download(api, fan("fan-1"), "../../etc/passwd")
    assert malformed.status == 422


def test_file_names_are_encoded_per_rfc_6266() -> None:
    assert downloads.content_disposition("voice.mp3") == 'attachment; filename="voice.mp3"'
    header = downloads.content_disposition("おはよう ボイス.mp3")
    assert header.startswith('attachment; filename="')
    fallback = header.split('"')[1]
    assert fallback.isascii() and fallback.endswith(".mp3")
    encoded = header.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "おはよう ボイス.mp3" and " " not in encoded
    assert downloads.content_disposition('a"b\\c.png') == (
        "attachment; filename=\"a_b_c.png\"; filename*=UTF-8''a%22b_c.png"
    )


def test_download_urls_are_rate_limited_per_fan(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    s = shop(api)
    reward = put_reward("fan-1", s)
    other = put_reward("fan-2", s)
    at = 60 * 31_666_667 + 20.0  # 20 s into a minute
    monkeypatch.setattr(clock, "now", lambda: at)
    for _ in range(DOWNLOAD_URL_LIMIT.max_hits):
        assert download(api, fan("fan-1"), reward.reward_id).status == 200
    limited = download(api, fan("fan-1"), reward.reward_id)
    assert (limited.status, limited.json()["error"]["code"]) == (429, "RATE_LIMITED")
    assert limited.headers["Retry-After"] == "40"
    assert download(api, fan("fan-2"), other.reward_id).status == 200  # per fan
    monkeypatch.setattr(clock, "now", lambda: at + 40)
    assert download(api, fan("fan-1"), reward.reward_id).status == 200  # the next window


# --- CloudFront (the AWS path) ------------------------------------------------------------------------------
@pytest.fixture
def cdn(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    client("secretsmanager").create_secret(Name=get_settings().cdn_signing_key_secret, SecretString=pem)
    monkeypatch.setenv("OSHI_CDN_DOMAIN", "cdn.oshi.example")
    monkeypatch.setenv("OSHI_CDN_KEY_PAIR_ID", "K2TESTKEYPAIR")
    reset_settings()
    downloads.forget_key()
    yield key
    monkeypatch.delenv("OSHI_CDN_DOMAIN")
    monkeypatch.delenv("OSHI_CDN_KEY_PAIR_ID")
    reset_settings()
    downloads.forget_key()


def _cf_b64decode(value: str) -> bytes:
    return base64.b64decode(value.replace("-", "+").replace("_", "=").replace("~", "/"))


def test_on_aws_the_url_is_a_cloudfront_signed_url(api: Api, cdn: rsa.RSAPrivateKey) -> None:
    s = shop(api)
    reward = put_reward("fan-1", s)
    response = download(api, fan("fan-1"), reward.reward_id)
    assert response.status == 200, response.body
    out = response.json()
    parts = urlsplit(out["url"])
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "cdn.oshi.example", "/" + reward.object_key)
    query = parse_qs(parts.query)
    assert query["Key-Pair-Id"] == ["K2TESTKEYPAIR"]
    assert query["response-content-disposition"] == ['attachment; filename="a.png"']
    expires = int(query["Expires"][0])
    assert expires == int(datetime.fromisoformat(out["expires_at"]).timestamp())
    assert 0 < expires - clock.now() <= downloads.URL_TTL_SECONDS + 1
    # the canned policy CloudFront will check: this exact URL, until Expires, signed by our key
    unsigned = out["url"].split("&Expires=")[0]
    policy = json.dumps(
        {"Statement": [{"Resource": unsigned, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}]},
        separators=(",", ":"),
    ).encode()
    cdn.public_key().verify(_cf_b64decode(query["Signature"][0]), policy, padding.PKCS1v15(), hashes.SHA1())
    assert [r.via for r in DownloadRecord.query("fan-1")] == ["cloudfront"]
