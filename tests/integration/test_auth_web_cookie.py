"""The fan app's session: the refresh token in an HttpOnly cookie, with CSRF defence (docs/auth.md).

``X-Oshi-Client: web`` opts in: sign-in sets ``oshi_refresh`` and answers ``refresh_token: null``,
refresh and logout read the cookie from ``{}``, logout clears it. Without the header the cookie is
ignored; with it, a foreign ``Origin`` is 403 ``CSRF_REJECTED`` and nothing changes.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support import Api

from local.dispatch import HttpResponse
from oshi.identity import mfa, refresh_tokens, tokens
from oshi.identity.refresh_tokens import REFRESH_TOKEN_SECONDS

PASSWORD = "Correct-horse-9"
T0 = 1_800_000_000.0
WEB = {"X-Oshi-Client": "web", "Host": "fans.example", "Origin": "https://fans.example"}


@pytest.fixture
def api(module_aws: None, monkeypatch: pytest.MonkeyPatch) -> Api:
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: T0)
    return Api()


def _signed_up(api: Api) -> str:
    email = f"fan-{uuid.uuid4().hex[:10]}@example.com"
    body = {
        "email": email,
        "password": PASSWORD,
        "display_name": "Hoshi",
        "birth_date": "2004-05-06",
        "terms_version": "2026-11",
        "accept_terms": True,
    }
    assert api.post("/api/auth/register", json_body=body).status == 201
    return email


def _cookie(response: HttpResponse) -> dict[str, str]:
    """The Set-Cookie header as {name: value, attribute (lower case): value or ""}."""
    raw = response.headers.get("Set-Cookie")
    assert raw, f"no Set-Cookie in {response.headers}"
    first, *attributes = (part.strip() for part in raw.split(";"))
    name, _, value = first.partition("=")
    parsed = {"name": name, "value": value}
    for attribute in attributes:
        key, _, val = attribute.partition("=")
        parsed[key.lower()] = val
    return parsed


def _web_login(api: Api, email: str, **headers: str) -> HttpResponse:
    return api.post(
        "/api/auth/login", json_body={"email": email, "password": PASSWORD}, headers={**WEB, **headers}
    )


def _post(api: Api, path: str, cookie: str | None, body: Any = None, **headers: str) -> HttpResponse:
    all_headers = {**WEB, **headers}
    if cookie is not None:
        all_headers["Cookie"] = f"theme=dark; oshi_refresh={cookie}"
    return api.post(path, json_body={} if body is None else body, headers=all_headers)


def _family_revoked(token: str) -> bool:
    family = refresh_tokens.family_of(token)
    assert family is not None
    return bool(family.revoked)


def test_web_login_sets_the_http_only_cookie_and_leaves_the_body_token_null(api: Api) -> None:
    response = _web_login(api, _signed_up(api))
    assert response.status == 200, response.body
    assert response.json()["tokens"]["refresh_token"] is None
    assert response.json()["tokens"]["access_token"]
    cookie = _cookie(response)
    assert cookie["name"] == "oshi_refresh"
    assert {"httponly", "secure"} <= cookie.keys()
    assert (cookie["samesite"], cookie["path"], cookie["max-age"]) == (
        "Strict",
        "/api/auth",
        str(REFRESH_TOKEN_SECONDS),
    )
    assert refresh_tokens.family_of(cookie["value"]) is not None, "the cookie holds a live refresh token"


def test_refresh_from_the_cookie_rotates_it_and_the_old_one_is_dead(api: Api) -> None:
    first = _cookie(_web_login(api, _signed_up(api)))["value"]
    refreshed = _post(api, "/api/auth/refresh", first)
    assert refreshed.status == 200, refreshed.body
    assert refreshed.json()["refresh_token"] is None
    assert tokens.verify_access_token(refreshed.json()["access_token"]).user_id
    second = _cookie(refreshed)["value"]
    assert second != first
    # Past the grace window the old cookie value is a reuse: the family is revoked.
    api_later = Api()
    later = T0 + refresh_tokens.GRACE_SECONDS + 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("oshi.kernel.clock.now", lambda: later)
        reused = _post(api_later, "/api/auth/refresh", first)
    assert (reused.status, reused.json()["error"]["code"]) == (401, "REFRESH_TOKEN_REUSED")
    assert _family_revoked(second)


def test_logout_from_the_cookie_revokes_the_family_and_clears_the_cookie(api: Api) -> None:
    token = _cookie(_web_login(api, _signed_up(api)))["value"]
    response = _post(api, "/api/auth/logout", token)
    assert (response.status, response.json()) == (200, {"signed_out": True})
    cleared = _cookie(response)
    assert (cleared["name"], cleared["value"], cleared["max-age"], cleared["path"]) == (
        "oshi_refresh",
        "",
        "0",
        "/api/auth",
    )
    assert _family_revoked(token)
    after = _post(api, "/api/auth/refresh", token)
    assert (after.status, after.json()["error"]["code"]) == (401, "INVALID_REFRESH_TOKEN")


def test_the_cookie_is_ignored_without_the_client_header(api: Api) -> None:
    token = _cookie(_web_login(api, _signed_up(api)))["value"]
    headers = {"Cookie": f"oshi_refresh={token}", "Origin": "https://fans.example"}
    refresh = api.post("/api/auth/refresh", json_body={}, headers=headers)
    assert (refresh.status, refresh.json()["error"]["code"]) == (422, "VALIDATION_FAILED")
    logout = api.post("/api/auth/logout", json_body={}, headers=headers)
    assert (logout.status, logout.json()["error"]["code"]) == (422, "VALIDATION_FAILED")
    assert "Set-Cookie" not in logout.headers
    assert not _family_revoked(token), "a request without X-Oshi-Client must not use the cookie"


@pytest.mark.parametrize("path", ["/api/auth/refresh", "/api/auth/logout"])
def test_a_foreign_origin_is_refused_and_changes_nothing(api: Api, path: str) -> None:
    token = _cookie(_web_login(api, _signed_up(api)))["value"]
    response = _post(api, path, token, Origin="https://evil.example")
    assert (response.status, response.json()["error"]["code"]) == (403, "CSRF_REJECTED")
    assert "Set-Cookie" not in response.headers
    assert not _family_revoked(token)
    # The token still works from the real site: the refused request did not rotate or revoke it.
    assert _post(api, "/api/auth/refresh", token).status == 200


def test_a_foreign_origin_cannot_sign_in_through_the_web_flow(api: Api) -> None:
    response = _web_login(api, _signed_up(api), Origin="https://evil.example")
    assert (response.status, response.json()["error"]["code"]) == (403, "CSRF_REJECTED")
    assert "Set-Cookie" not in response.headers


def test_origin_may_be_the_configured_site_or_the_request_host(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = _signed_up(api)
    monkeypatch.setenv("OSHI_FRONTEND_URL", "https://app.example")
    from oshi.kernel.settings import reset_settings

    reset_settings()
    try:
        # The site's origin reaches an API host of another name (CloudFront in front of API Gateway).
        assert (
            _web_login(api, email, Host="abc.execute-api.example", Origin="https://app.example").status == 200
        )
        # No Origin header (same-origin GET-like requests in some browsers): the custom header suffices.
        no_origin = api.post(
            "/api/auth/login",
            json_body={"email": email, "password": PASSWORD},
            headers={"X-Oshi-Client": "web"},
        )
        assert no_origin.status == 200
        refused = _web_login(api, email, Host="abc.execute-api.example", Origin="http://app.example")
        assert refused.status == 403, "a different scheme is a different origin"
    finally:
        monkeypatch.delenv("OSHI_FRONTEND_URL")
        reset_settings()


def test_web_refresh_without_a_cookie_is_401(api: Api) -> None:
    response = _post(api, "/api/auth/refresh", None)
    assert (response.status, response.json()["error"]["code"]) == (401, "INVALID_REFRESH_TOKEN")
    logout = _post(api, "/api/auth/logout", None)
    assert logout.status == 200 and _cookie(logout)["max-age"] == "0"


def test_the_body_flow_is_unchanged_for_api_clients(api: Api) -> None:
    email = _signed_up(api)
    login = api.post("/api/auth/login", json_body={"email": email, "password": PASSWORD})
    assert login.status == 200 and "Set-Cookie" not in login.headers
    token = login.json()["tokens"]["refresh_token"]
    assert isinstance(token, str) and len(token) >= 16
    refreshed = api.post("/api/auth/refresh", json_body={"refresh_token": token})
    assert refreshed.status == 200 and "Set-Cookie" not in refreshed.headers
    new_token = refreshed.json()["refresh_token"]
    assert isinstance(new_token, str) and new_token != token
    logout = api.post("/api/auth/logout", json_body={"refresh_token": new_token})
    assert logout.status == 200 and "Set-Cookie" not in logout.headers
    assert _family_revoked(new_token)


def test_mfa_verify_in_the_web_flow_sets_the_cookie(api: Api) -> None:
    email = _signed_up(api)
    pair = api.post("/api/auth/login", json_body={"email": email, "password": PASSWORD}).json()["tokens"]
    secret = api.post("/api/auth/mfa/setup", token=pair["access_token"]).json()["secret"]
    step = mfa.step_at(T0)
    enable = api.post(
        "/api/auth/mfa/enable", token=pair["access_token"], json_body={"code": mfa.code_at_step(secret, step)}
    )
    assert enable.status == 200
    login = _web_login(api, email)
    assert login.json()["mfa_required"] is True and "Set-Cookie" not in login.headers
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("oshi.kernel.clock.now", lambda: T0 + 30)
        verified = api.post(
            "/api/auth/mfa/verify",
            json_body={"challenge": login.json()["challenge"], "code": mfa.code_at_step(secret, step + 1)},
            headers=WEB,
        )
    assert verified.status == 200, verified.body
    assert verified.json()["refresh_token"] is None and verified.json()["amr"] == ["pwd", "mfa"]
    family = refresh_tokens.family_of(_cookie(verified)["value"])
    assert family is not None and not family.revoked
