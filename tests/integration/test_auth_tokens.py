"""Attacks on the access token and on the authorizer's decisions: each one its own test.

Every forged token below is sent through the real authorizer (``api`` fixture) and must get the same
401 ``UNAUTHORIZED`` a missing token gets; role and MFA rules come from the route table, enforced by
``oshi.web.access`` in the authorizer policy and again in the handler.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from support import Api, token_for

from local.apigw import FakeLambdaContext, method_arn, policy_allows, rest_event, token_authorizer_event
from oshi.identity import tokens
from oshi.identity.principal import Caller, Role
from oshi.kernel.settings import get_settings
from oshi.web.api import Endpoint
from oshi.web.routes import ROUTES, Route


@pytest.fixture
def api(module_aws: None) -> Api:
    return Api()


@pytest.fixture
def aws(module_aws: None) -> None:
    """Overrides the per-test moto of conftest with the module's shared one."""


def _claims(**overrides: Any) -> dict[str, Any]:
    settings = get_settings()
    now = int(time.time())
    claims = {
        "sub": "fan-1",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "typ": "access",
        "roles": ["fan"],
        "amr": ["pwd"],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(claims: dict[str, Any], kid: str = "local-1") -> str:
    """Signed with the real provisioned private key: only the claims are wrong."""
    active_kid, key = tokens._private_key()
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid or active_kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _assert_refused(api: Api, token: str) -> None:
    response = api.get("/api/me", token=token)
    assert response.status == 401, response.body
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_a_well_formed_token_is_accepted(api: Api) -> None:
    assert api.get("/api/me", token=_signed(_claims())).status == 200


def test_me_without_an_account_record_is_just_the_session(api: Api) -> None:
    """A token whose subject has no user item (a service or test token): the session's fields only, the
    account's fields absent rather than null (``MeOut`` leaves them out)."""
    response = api.get("/api/me", token=_signed(_claims()))
    assert response.status == 200, response.body
    assert response.json() == {"user_id": "fan-1", "roles": ["fan"], "mfa": False}


def test_alg_none_is_refused(api: Api) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "local-1"}).encode())
    payload = _b64(json.dumps(_claims(roles=["fan", "admin"])).encode())
    _assert_refused(api, f"{header}.{payload}.")


def test_token_signed_with_another_key_under_the_real_kid_is_refused(api: Api) -> None:
    attacker = ec.generate_private_key(ec.SECP256R1())
    forged = jwt.encode(_claims(roles=["admin"]), attacker, algorithm="ES256", headers={"kid": "local-1"})
    _assert_refused(api, forged)


def test_wrong_audience_is_refused(api: Api) -> None:
    _assert_refused(api, _signed(_claims(aud="some-other-api")))


def test_wrong_issuer_is_refused(api: Api) -> None:
    _assert_refused(api, _signed(_claims(iss="https://evil.example")))


def test_expired_token_is_refused(api: Api) -> None:
    past = int(time.time()) - 3600
    _assert_refused(api, _signed(_claims(iat=past, nbf=past, exp=past + 900)))


def test_token_not_yet_valid_is_refused(api: Api) -> None:
    future = int(time.time()) + 3600
    _assert_refused(api, _signed(_claims(nbf=future, iat=future, exp=future + 900)))


def test_missing_required_claim_is_refused(api: Api) -> None:
    _assert_refused(api, _signed(_claims(exp=None)))


def test_tampered_claims_are_refused(api: Api) -> None:
    header, _, signature = _signed(_claims()).split(".")
    escalated = _b64(json.dumps(_claims(roles=["fan", "admin"], amr=["pwd", "mfa"])).encode())
    _assert_refused(api, f"{header}.{escalated}.{signature}")


def test_hs256_signed_with_the_public_key_is_refused(api: Api) -> None:
    # Key confusion: the attacker knows the public key and uses its PEM as an HMAC secret.
    public_pem = next(iter(tokens._public_keys().values())).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "local-1"}).encode())
    payload = _b64(json.dumps(_claims(roles=["admin"])).encode())
    import hashlib
    import hmac

    signature = _b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    _assert_refused(api, f"{header}.{payload}.{signature}")


def test_unknown_kid_is_refused(api: Api) -> None:
    _assert_refused(api, _signed(_claims(), kid="not-a-key"))


def test_token_of_another_kind_is_refused_as_an_access_token(api: Api) -> None:
    _assert_refused(api, _signed(_claims(typ="refresh")))
    _assert_refused(api, tokens.issue_mfa_challenge("fan-1"))


def test_refresh_token_used_as_an_access_token_is_refused(api: Api) -> None:
    api.post(
        "/api/auth/register",
        json_body={
            "email": "r@example.com",
            "password": "Correct-horse-9",
            "display_name": "R",
            "birth_date": "2001-02-03",
            "terms_version": "2026-11",
            "accept_terms": True,
        },
    )
    login = api.post("/api/auth/login", json_body={"email": "r@example.com", "password": "Correct-horse-9"})
    _assert_refused(api, login.json()["tokens"]["refresh_token"])


def test_access_token_is_refused_as_an_mfa_challenge(aws: None) -> None:
    with pytest.raises(tokens.InvalidToken):
        tokens.verify_mfa_challenge(token_for("fan-1"))


# --- function-level authorisation: rules from the route, one place (oshi.web.access) --------------------------
ADMIN_ONLY = Route(
    "POST",
    "/api/admin/things/{thing_id}",
    "tests.admin_only",
    "admin",
    roles=frozenset({Role.ADMIN}),
    mfa=True,
)
VTUBER_WRITE = Route(
    "POST",
    "/api/vtuber/things",
    "tests.vtuber_write",
    "vtuber write",
    roles=frozenset({Role.VTUBER}),
    mfa=True,
)


def _authorize(monkeypatch: pytest.MonkeyPatch, token: str, route: Route, path: str) -> dict[str, Any]:
    import auth.authorizer

    monkeypatch.setattr(auth.authorizer, "ROUTES", (*ROUTES, ADMIN_ONLY, VTUBER_WRITE))
    return auth.authorizer.handler(
        token_authorizer_event(f"Bearer {token}", route, path), FakeLambdaContext()
    )


def test_fan_calling_an_admin_route_is_denied_by_the_authorizer_policy(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fan = token_for("fan-1", Role.FAN, mfa=True)
    path = "/api/admin/things/t1"
    policy = _authorize(monkeypatch, fan, ADMIN_ONLY, path)
    assert not policy_allows(policy, method_arn("POST", path))
    # ...and the cached policy still allows the fan's own routes (it is not specific to the first route).
    assert policy_allows(policy, method_arn("GET", "/api/me"))


def test_admin_with_mfa_is_allowed_by_the_policy(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = token_for("admin-1", Role.FAN, Role.ADMIN, mfa=True)
    path = "/api/admin/things/t1"
    assert policy_allows(_authorize(monkeypatch, admin, ADMIN_ONLY, path), method_arn("POST", path))


def test_allowed_resources_lists_only_routes_the_roles_allow() -> None:
    import auth.authorizer

    arn = method_arn("GET", "/api/me")
    fan = Caller("fan-1", frozenset({Role.FAN}))
    resources = auth.authorizer.allowed_resources(arn, fan)
    assert any(r.endswith("/GET/api/me") for r in resources)
    assert not any("/api/auth/login" in r for r in resources), "public routes need no policy"


def test_fan_calling_an_admin_route_is_refused_by_the_handler_too(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = _endpoint_for(monkeypatch, ADMIN_ONLY)
    status, body = _call(endpoint, Caller("fan-1", frozenset({Role.FAN}), mfa=True))
    assert (status, body["error"]["code"]) == (403, "FORBIDDEN")


def test_vtuber_without_mfa_is_refused_on_an_mfa_route(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    vtuber = token_for("vt-1", Role.FAN, Role.VTUBER, mfa=False)
    policy = _authorize(monkeypatch, vtuber, VTUBER_WRITE, "/api/vtuber/things")
    # The policy allows the route (it is cached per token for every route), the handler refuses precisely.
    assert policy_allows(policy, method_arn("POST", "/api/vtuber/things"))
    endpoint = _endpoint_for(monkeypatch, VTUBER_WRITE)
    status, body = _call(endpoint, Caller.from_context(policy["context"]))
    assert (status, body["error"]["code"]) == (403, "MFA_REQUIRED")


def test_vtuber_with_mfa_passes_the_mfa_route(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = _endpoint_for(monkeypatch, VTUBER_WRITE)
    status, body = _call(endpoint, Caller("vt-1", frozenset({Role.VTUBER}), mfa=True))
    assert (status, body) == (200, {"ok": True})


def _endpoint_for(monkeypatch: pytest.MonkeyPatch, route: Route) -> Endpoint:
    monkeypatch.setattr("oshi.web.api.route_for_handler", lambda _: route)
    endpoint = Endpoint(route.handler)

    @endpoint
    def write() -> dict[str, bool]:
        return {"ok": True}

    return endpoint


def _call(endpoint: Endpoint, caller: Caller | None) -> tuple[int, dict[str, Any]]:
    event = rest_event(
        endpoint.route,
        path=endpoint.route.path.replace("{thing_id}", "t1"),
        path_parameters={"thing_id": "t1"} if "{" in endpoint.route.path else None,
        authorizer=caller.to_context() if caller else None,
    )
    result = endpoint.lambda_handler(event, FakeLambdaContext())
    return result["statusCode"], json.loads(result["body"])


@pytest.mark.parametrize("curve", [ec.SECP256R1()])
def test_tokens_are_signed_as_pyjwt_signs_them_and_pyjwt_verifies_them(curve: ec.EllipticCurve) -> None:
    """``tokens._encode`` (cryptography only, so issuers need not import PyJWT) writes the header and claims
    PyJWT writes, byte for byte, and a signature PyJWT verifies; a changed byte fails verification."""
    key = ec.generate_private_key(curve)
    claims = {
        "sub": "u-1",
        "iss": "i",
        "aud": "a",
        "iat": 1,
        "nbf": 1,
        "exp": 2**40,
        "roles": ["fan"],
        "ev": True,
    }
    claims["name"] = "推しメン"  # non-ASCII: escaped as PyJWT's json.dumps does
    ours = tokens._encode(claims, key, "kid-1")
    theirs = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "kid-1"})
    assert ours.split(".")[:2] == theirs.split(".")[:2]
    assert jwt.get_unverified_header(ours) == {"alg": "ES256", "kid": "kid-1", "typ": "JWT"}
    decoded = jwt.decode(ours, key.public_key(), algorithms=["ES256"], audience="a", issuer="i")
    assert decoded == claims
    head, body, signature = ours.split(".")
    forged = f"{head}.{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BA'}"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, key.public_key(), algorithms=["ES256"], audience="a", issuer="i")
