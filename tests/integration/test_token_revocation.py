"""Revocation reaches access tokens: after signing out everywhere or an admin suspension, the tokens the
account already holds are refused (401) by the authorizer and by the handlers (a policy API Gateway
cached earlier), and its refresh tokens stop working. Time moves through ``oshi.kernel.clock``."""

from __future__ import annotations

import importlib
import json
import uuid
from typing import Any

import pytest
from support import Api, token_for

from local.apigw import FakeLambdaContext, rest_event
from oshi.identity import revocation, tokens
from oshi.identity.principal import Role
from oshi.web.routes import route_for_handler

PASSWORD = "Correct-horse-9"
T0 = 1_800_000_000.0


class Clock:
    now = T0


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: fake.now)
    revocation.forget()
    yield fake
    revocation.forget()


def _sign_up_and_in(api: Api) -> tuple[str, dict[str, Any]]:
    email = f"fan-{uuid.uuid4().hex[:8]}@example.com"
    registered = api.post(
        "/api/auth/register",
        json_body={
            "email": email,
            "password": PASSWORD,
            "display_name": "Hoshi",
            "birth_date": "2000-01-02",
            "terms_version": "2026-11",
            "accept_terms": True,
        },
    )
    assert registered.status == 201, registered.body
    login = api.post("/api/auth/login", json_body={"email": email, "password": PASSWORD})
    assert login.status == 200, login.body
    return email, login.json()["tokens"]


def _me_through_the_handler_only(access_token: str) -> int:
    """What a handler answers when API Gateway serves a policy it cached before the revocation."""
    caller = tokens.verify_access_token(access_token)
    route = route_for_handler("auth.me")
    event = rest_event(route, authorizer={**caller.to_context(), "principalId": caller.user_id})
    result = importlib.import_module("auth.me").handler(event, FakeLambdaContext(function_name="me"))
    return int(result["statusCode"])


def test_sign_out_everywhere_refuses_the_old_access_token_at_the_authorizer_and_the_handler(
    api: Api, clock: Clock
) -> None:
    email, session = _sign_up_and_in(api)
    access, refresh = session["access_token"], session["refresh_token"]
    assert api.get("/api/me", token=access).status == 200
    assert _me_through_the_handler_only(access) == 200

    clock.now += 60
    assert api.post("/api/auth/logout-all", token=access).status == 200

    refused = api.get("/api/me", token=access)  # the authorizer
    assert refused.status == 401 and refused.json()["error"]["code"] == "UNAUTHORIZED"
    assert _me_through_the_handler_only(access) == 401  # this container: at once
    revocation.forget()  # another container, cold cache: reads the marker
    assert _me_through_the_handler_only(access) == 401
    assert api.post("/api/auth/refresh", json_body={"refresh_token": refresh}).status == 401

    clock.now += 1  # a new sign-in after the revocation works
    again = api.post("/api/auth/login", json_body={"email": email, "password": PASSWORD}).json()["tokens"]
    assert api.get("/api/me", token=again["access_token"]).status == 200
    assert api.post("/api/auth/refresh", json_body={"refresh_token": again["refresh_token"]}).status == 200


def test_a_container_that_cached_the_marker_before_the_revocation_refuses_within_the_cache_time(
    api: Api, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, session = _sign_up_and_in(api)
    access = session["access_token"]
    ages = {"now": 1000.0}
    monkeypatch.setattr(revocation, "_age_clock", lambda: ages["now"])
    assert _me_through_the_handler_only(access) == 200  # caches "no marker"
    stale = dict(revocation._cache)
    api.post("/api/auth/logout-all", token=access)
    revocation._cache.update(stale)  # as if the revocation had happened in another container

    assert _me_through_the_handler_only(access) == 200  # the documented lag...
    ages["now"] += revocation.CACHE_SECONDS
    assert _me_through_the_handler_only(access) == 401  # ...is at most CACHE_SECONDS


def test_an_admin_suspension_refuses_the_accounts_tokens_sign_in_and_refresh(api: Api, clock: Clock) -> None:
    email, session = _sign_up_and_in(api)
    access, refresh = session["access_token"], session["refresh_token"]
    user_id = tokens.verify_access_token(access).user_id
    assert api.get("/api/me", token=access).status == 200

    admin = token_for("admin-1", Role.FAN, Role.ADMIN, mfa=True)
    clock.now += 60
    suspended = api.post(f"/api/admin/users/{user_id}/suspend", token=admin, json_body={"reason": "fraud"})
    assert suspended.status == 200 and suspended.json() == {"user_id": user_id, "suspended": True}

    assert api.get("/api/me", token=access).status == 401
    assert _me_through_the_handler_only(access) == 401
    revocation.forget()
    assert _me_through_the_handler_only(access) == 401
    assert api.post("/api/auth/refresh", json_body={"refresh_token": refresh}).status == 401
    clock.now += 60
    login = api.post("/api/auth/login", json_body={"email": email, "password": PASSWORD})
    assert login.status == 401 and login.json()["error"]["code"] == "INVALID_CREDENTIALS"
    # Other accounts are untouched, and an unknown account is a 404.
    assert api.get("/api/me", token=admin).status == 200
    missing = api.post("/api/admin/users/nobody/suspend", token=admin, json_body={"reason": "x"})
    assert missing.status == 404 and json.loads(missing.body)["error"]["code"] == "USER_NOT_FOUND"


def test_only_an_admin_with_mfa_suspends(api: Api) -> None:
    fan = token_for("fan-1", Role.FAN, mfa=True)
    assert api.post("/api/admin/users/fan-2/suspend", token=fan, json_body={"reason": "x"}).status == 403


def test_the_marker_only_moves_forward(aws: None) -> None:
    later = revocation.revoke_all("u-1", reason=revocation.SUSPENDED, now=T0 + 100)
    assert revocation.revoke_all("u-1", reason=revocation.SIGN_OUT_EVERYWHERE, now=T0) == later
    assert revocation.read_not_before("u-1", consistent=True) == later == int(T0) + 101
