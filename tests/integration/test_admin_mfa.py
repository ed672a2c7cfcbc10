"""Every admin route needs MFA: a password-only admin token gets 403 ``MFA_REQUIRED`` on all of them,
whether the request goes through the authorizer (the gateway path) or reaches the handler directly."""

from __future__ import annotations

import importlib
import json
import re

import pytest
from support import Api, token_for

from local.apigw import FakeLambdaContext, rest_event
from oshi.identity.principal import Caller, Role
from oshi.web.routes import ADMIN_PREFIX, ROUTES, Route

ADMIN_ROUTES = [route for route in ROUTES if route.path.startswith(ADMIN_PREFIX)]


def _concrete(route: Route) -> tuple[str, dict[str, str]]:
    parameters = {name: f"{name}-1" for name in re.findall(r"\{(\w+)\}", route.path)}
    return route.path.format(**parameters), parameters


def test_the_sweep_covers_the_admin_routes_we_know_of() -> None:
    paths = {route.path for route in ADMIN_ROUTES}
    assert {"/api/admin/vtubers", "/api/admin/reconciliation", "/api/admin/medals/report"} <= paths


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_a_password_only_admin_is_refused_through_the_authorizer(api: Api, route: Route) -> None:
    path, _ = _concrete(route)
    password_only = token_for("admin-pwd", Role.FAN, Role.ADMIN)
    response = api.call(
        route.method, path, token=password_only, json_body={} if route.method != "GET" else None
    )
    assert response.status == 403, (route.path, response.status, response.body)
    assert response.json()["error"]["code"] == "MFA_REQUIRED"


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_a_password_only_admin_is_refused_by_the_handler_itself(aws: None, route: Route) -> None:
    """Defence in depth: even with an authorizer context that lets it through (a cached policy, a
    misconfigured stage), the handler refuses before reading anything."""
    path, parameters = _concrete(route)
    caller = Caller(user_id="admin-pwd", roles=frozenset({Role.FAN, Role.ADMIN}), mfa=False)
    event = rest_event(
        route,
        path=path,
        path_parameters=parameters,
        headers={"Content-Type": "application/json"},
        body=None if route.method == "GET" else "{}",
        authorizer={**caller.to_context(), "principalId": caller.user_id},
    )
    result = importlib.import_module(route.handler).handler(event, FakeLambdaContext(function_name="h"))
    assert result["statusCode"] == 403, (route.path, result)
    assert json.loads(result["body"])["error"]["code"] == "MFA_REQUIRED"


def test_an_admin_route_without_mfa_cannot_be_declared() -> None:
    with pytest.raises(ValueError, match="mfa=True"):
        Route("GET", "/api/admin/new-report", "system.new_report", "x", roles=frozenset({Role.ADMIN}))
    with pytest.raises(ValueError, match="mfa=True"):
        Route("GET", "/api/admin/new-report", "system.new_report", "x", mfa=True)  # fans too


def test_the_seeded_demo_admin_reaches_admin_routes_with_the_printed_totp_code(api: Api) -> None:
    """What `make run` prints works: password, then ``python -m local.totp``'s code, then admin reads."""
    from local.seed import DEMO_PASSWORD, seed
    from local.totp import current_code

    seed()
    login = api.post("/api/auth/login", json_body={"email": "admin@oshi.local", "password": DEMO_PASSWORD})
    assert login.status == 200, login.body
    assert login.json()["mfa_required"] is True
    challenge = login.json()["challenge"]
    verified = api.post("/api/auth/mfa/verify", json_body={"challenge": challenge, "code": current_code()})
    assert verified.status == 200, verified.body
    token = verified.json()["access_token"]
    for path in ("/api/admin/vtubers", "/api/admin/reconciliation", "/api/admin/medals/report"):
        assert api.get(path, token=token).status == 200, path
