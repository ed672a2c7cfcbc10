"""Settings, the route table and the access rule: the pieces every handler relies on."""

from __future__ import annotations

import importlib

import pytest

from oshi.identity.principal import Caller, Role
from oshi.kernel.errors import Forbidden, MfaRequired, Unauthorized
from oshi.kernel.settings import Settings, SettingsError
from oshi.web.access import Decision, decide, require
from oshi.web.routes import ROUTES, Access, Route, match, route_for_handler


def test_settings_derive_every_resource_name_from_stage() -> None:
    settings = Settings.from_env({"OSHI_STAGE": "prod", "AWS_REGION": "ap-northeast-1"})
    assert settings.table_name("audit") == "oshi-prod-audit"
    assert settings.bus_name == "oshi-prod-bus"
    assert settings.content_bucket == "oshi-prod-content"
    assert Settings.from_env(settings.to_env() | {"AWS_REGION": "ap-northeast-1"}) == settings


@pytest.mark.parametrize(
    "env",
    [{"OSHI_STAGE": "staging"}, {"OSHI_APP_NAME": "Bad Name"}, {"AWS_REGION": "tokyo"}],
)
def test_invalid_settings_fail_at_cold_start(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_every_route_is_unique_and_served_by_a_module_that_declares_it() -> None:
    assert len({(r.method, r.path) for r in ROUTES}) == len(ROUTES)
    assert len({r.handler for r in ROUTES}) == len(ROUTES), "one Lambda per route"
    for route in ROUTES:
        module = importlib.import_module(route.handler)
        assert callable(module.handler)
        assert module.endpoint.route is route


def test_route_lookup_by_unknown_module_names_the_fix() -> None:
    with pytest.raises(LookupError, match=r"add it to oshi\.web\.routes\.ROUTES"):
        route_for_handler("nowhere.nothing")


def test_match_finds_route_params_and_tells_405_from_404() -> None:
    route, params, _ = match("GET", "/api/me")
    assert route is route_for_handler("auth.me") and params == {}
    assert match("DELETE", "/api/me") == (None, {}, True)
    assert match("GET", "/api/unknown") == (None, {}, False)


def test_literal_segments_win_over_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    from oshi.web import routes

    by_id = Route("GET", "/api/things/{thing_id}", "x.by_id", "one")
    new = Route("GET", "/api/things/new", "x.new", "form")
    monkeypatch.setattr(routes, "_BY_SPECIFICITY", sorted([by_id, new], key=lambda r: r.path.count("{")))
    assert routes.match("GET", "/api/things/new")[0] is new
    assert routes.match("GET", "/api/things/abc") == (by_id, {"thing_id": "abc"}, True)


ADMIN_ONLY = Route("POST", "/api/admin/x", "x.admin", "admin", roles=frozenset({Role.ADMIN}), mfa=True)
PUBLIC = Route("GET", "/api/p", "x.p", "public", access=Access.PUBLIC)


@pytest.mark.parametrize(
    ("route", "caller", "expected"),
    [
        (PUBLIC, None, Decision.ALLOW),
        (ADMIN_ONLY, None, Decision.SIGN_IN),
        (ADMIN_ONLY, Caller("f", frozenset({Role.FAN}), mfa=True), Decision.WRONG_ROLE),
        (ADMIN_ONLY, Caller("a", frozenset({Role.ADMIN}), mfa=False), Decision.NEEDS_MFA),
        (ADMIN_ONLY, Caller("a", frozenset({Role.ADMIN}), mfa=True), Decision.ALLOW),
    ],
)
def test_access_decisions(route: Route, caller: Caller | None, expected: Decision) -> None:
    assert decide(route, caller) is expected


def test_require_raises_the_error_the_caller_sees() -> None:
    with pytest.raises(Unauthorized):
        require(ADMIN_ONLY, None)
    with pytest.raises(Forbidden) as wrong_role:
        require(ADMIN_ONLY, Caller("f", frozenset({Role.FAN})))
    assert wrong_role.value.code == "FORBIDDEN"
    with pytest.raises(MfaRequired):
        require(ADMIN_ONLY, Caller("a", frozenset({Role.ADMIN})))


def test_caller_survives_the_authorizer_context_round_trip() -> None:
    caller = Caller("u-1", frozenset({Role.FAN, Role.VTUBER}), mfa=True)
    assert Caller.from_context(caller.to_context()) == caller
    assert Caller.from_context({"user_id": "u", "roles": "fan,superuser"}) == Caller(
        "u", frozenset({Role.FAN})
    )
    assert Caller.from_context({}) is None
