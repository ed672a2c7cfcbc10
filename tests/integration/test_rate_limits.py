"""Per-caller rate limits (routes declare them; oshi.web.api applies them before reading the body)."""

from __future__ import annotations

from payment_support import fan, gacha_on_sale, purchase, standins_fixture  # noqa: F401
from support import Api
from vtuber_support import approved, request_upload, signed_in_again

from local.standins import Standins
from oshi.kernel import clock
from oshi.models.assets import Asset
from oshi.models.gachas import Gacha
from oshi.models.orders import Order
from oshi.models.ratelimit import RateLimitCounter
from oshi.web.routes import LOGIN_LIMIT, PURCHASE_LIMIT, UPLOAD_LIMIT


def test_sign_in_is_limited_per_source_ip_with_retry_after(api: Api, monkeypatch) -> None:
    # One fixed window, 20 s into a minute: the loop's password checks are slow enough that, on the real
    # clock, the requests could straddle a minute boundary and land in two windows.
    at = 60 * 31_666_667 + 20.0
    monkeypatch.setattr(clock, "now", lambda: at)
    body = {"email": "nobody@example.com", "password": "Wrong-password-1"}
    for _ in range(LOGIN_LIMIT.max_hits):
        assert api.post("/api/auth/login", json_body=body).status == 401
    limited = api.post("/api/auth/login", json_body=body)
    assert (limited.status, limited.json()["error"]["code"]) == (429, "RATE_LIMITED")
    assert limited.headers["Retry-After"] == str(LOGIN_LIMIT.window_seconds - 20)
    # The limit is decided before the body is read: a malformed body is refused the same way.
    assert (
        api.post("/api/auth/login", body=b"{not json", headers={"Content-Type": "application/json"}).status
        == 429
    )
    # Another client (another IP) is not affected.
    assert Api().post("/api/auth/login", json_body=body).status == 401


def test_uploads_are_limited_per_vtuber_and_a_refused_request_reserves_nothing(api: Api, monkeypatch) -> None:
    vt = approved(api)
    monkeypatch.setattr(clock, "now", lambda: 1_900_000_000.0)  # one fixed window
    vt = signed_in_again(vt)  # a token issued at the moved clock (tokens expire by the same clock)
    for _ in range(UPLOAD_LIMIT.max_hits):
        assert request_upload(api, vt).status == 201
    limited = request_upload(api, vt)
    assert limited.status == 429 and "Retry-After" in limited.headers
    assert len(list(Asset.query(vt.vtuber_id))) == UPLOAD_LIMIT.max_hits
    monkeypatch.setattr(clock, "now", lambda: 1_900_000_000.0 + UPLOAD_LIMIT.window_seconds)
    vt = signed_in_again(vt)
    assert request_upload(api, vt).status == 201, "the next window accepts again"


def test_the_purchase_limit_is_counted_in_its_transaction_and_every_request_counts_once(
    api: Api, standins: Standins, monkeypatch
) -> None:
    """Issue 21: the purchase counts its caller limit inside the reservation's transaction (no round trip
    of its own); requests that write nothing (a replay, a refusal, a bad body) are counted after them."""
    on_sale = gacha_on_sale(api, total_stock=100)
    other = gacha_on_sale(api, total_stock=100, user_id="vt-2")
    token = fan("fan-1")
    at = (clock.now() // 60 + 1) * 60 + 20.0  # 20 s into the next window: one fixed window, token valid
    monkeypatch.setattr(clock, "now", lambda: at)
    assert purchase(api, token, on_sale.gacha_id, key="k-1").status == 201  # counted in the transaction
    assert purchase(api, token, on_sale.gacha_id, key="k-1").status == 200  # a replay: counted after
    assert purchase(api, token, on_sale.gacha_id).status == 409  # ORDER_PENDING: counted after
    bad = api.post("/api/gacha/purchase", token=token, json_body={"gacha_id": on_sale.gacha_id, "count": 7})
    assert bad.status == 422  # refused before the handler: counted after
    window = int(at // PURCHASE_LIMIT.window_seconds) * PURCHASE_LIMIT.window_seconds
    counter = RateLimitCounter.get(f"gacha.purchase#fan-1#{window}")
    assert int(counter.hits) == 4
    for _ in range(PURCHASE_LIMIT.max_hits - 4):
        assert purchase(api, token, on_sale.gacha_id).status == 409
    limited = purchase(api, token, other.gacha_id, key="k-2")  # would succeed: refused by the counter
    assert (limited.status, limited.json()["error"]["code"]) == (429, "RATE_LIMITED")
    assert limited.headers["Retry-After"] == str(PURCHASE_LIMIT.window_seconds - 20)
    assert [o.gacha_id for o in Order.scan()] == [on_sale.gacha_id]  # the refused one wrote nothing
    assert int(Gacha.get(other.gacha_id).sold_draws or 0) == 0
    assert int(RateLimitCounter.get(counter.key).hits) == PURCHASE_LIMIT.max_hits
