"""The console's session (docs/console.md): its own refresh cookie, usable from its own origin only.

Browsers do not isolate cookies by port, so the console (``X-Oshi-Client: console``) gets
``oshi_console_refresh`` and only ``settings.console_url`` may use it; the console's origin in turn is
refused for the fan app's ``oshi_refresh``.
"""

from __future__ import annotations

import uuid

import pytest
from support import Api

from local.dispatch import HttpResponse

PASSWORD = "Correct-horse-9"
CONSOLE_ORIGIN = "http://127.0.0.1:3001"  # Settings.console_url's default
CONSOLE = {"X-Oshi-Client": "console", "Host": "127.0.0.1:3001", "Origin": CONSOLE_ORIGIN}


@pytest.fixture
def api(module_aws: None) -> Api:
    return Api()


def _signed_up(api: Api) -> str:
    email = f"vt-{uuid.uuid4().hex[:10]}@example.com"
    body = {
        "email": email,
        "password": PASSWORD,
        "display_name": "Hoshi",
        "birth_date": "2000-05-06",
        "terms_version": "2026-11",
        "accept_terms": True,
    }
    assert api.post("/api/auth/register", json_body=body).status == 201
    return email


def _login(api: Api, email: str, headers: dict[str, str]) -> HttpResponse:
    return api.post("/api/auth/login", json_body={"email": email, "password": PASSWORD}, headers=headers)


def _set_cookie(response: HttpResponse) -> tuple[str, str]:
    raw = response.headers.get("Set-Cookie") or ""
    name, _, value = raw.split(";")[0].partition("=")
    return name, value


def test_console_sign_in_sets_the_console_cookie_and_refreshes_from_it(api: Api) -> None:
    response = _login(api, _signed_up(api), CONSOLE)
    assert response.status == 200, response.body
    assert response.json()["tokens"]["refresh_token"] is None
    name, token = _set_cookie(response)
    assert name == "oshi_console_refresh" and token
    assert "HttpOnly" in response.headers["Set-Cookie"]
    # The fan cookie is ignored by the console; the console cookie refreshes.
    fan_only = api.post(
        "/api/auth/refresh", json_body={}, headers={**CONSOLE, "Cookie": f"oshi_refresh={token}"}
    )
    assert fan_only.status == 401  # no token: the fan cookie is not read
    refreshed = api.post(
        "/api/auth/refresh", json_body={}, headers={**CONSOLE, "Cookie": f"oshi_console_refresh={token}"}
    )
    assert refreshed.status == 200, refreshed.body
    assert _set_cookie(refreshed)[0] == "oshi_console_refresh"
    logout = api.post(
        "/api/auth/logout",
        json_body={},
        headers={**CONSOLE, "Cookie": f"oshi_console_refresh={_set_cookie(refreshed)[1]}"},
    )
    assert logout.status == 200
    assert logout.headers["Set-Cookie"].startswith("oshi_console_refresh=;")


@pytest.mark.parametrize(
    "headers",
    [
        # The fan app's origin (and any other) may not use the console cookie, even same-origin by Host.
        {"X-Oshi-Client": "console", "Host": "localhost:3000", "Origin": "http://localhost:3000"},
        {"X-Oshi-Client": "console", "Host": "127.0.0.1:3001"},  # no Origin at all
        # The console's origin never gets the fan cookie, even when it is the request's own Host.
        {"X-Oshi-Client": "web", "Host": "127.0.0.1:3001", "Origin": CONSOLE_ORIGIN},
    ],
)
def test_the_cookies_do_not_cross_origins(api: Api, headers: dict[str, str]) -> None:
    email = _signed_up(api)
    response = _login(api, email, headers)
    assert response.status == 403, response.body
    assert response.json()["error"]["code"] == "CSRF_REJECTED"
    assert "Set-Cookie" not in response.headers
