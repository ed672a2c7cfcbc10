"""Per-caller rate limits (routes declare them; oshi.web.api applies them before reading the body)."""

from __future__ import annotations

from support import Api
from vtuber_support import approved, request_upload, signed_in_again

from oshi.kernel import clock
from oshi.models.assets import Asset
from oshi.web.routes import LOGIN_LIMIT, UPLOAD_LIMIT


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
