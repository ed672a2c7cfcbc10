"""The walking skeleton: a route through the authorizer and its handler, in-process against moto."""

from __future__ import annotations

from support import Api, token_for

from local.apigw import FakeLambdaContext, rest_event
from oshi.web.routes import route_for_handler


def test_health_handler_called_directly_with_an_api_gateway_event() -> None:
    import system.health

    result = system.health.handler(rest_event(route_for_handler("system.health")), FakeLambdaContext())
    assert result["statusCode"] == 200
    assert result["body"] == '{"status":"ok","stage":"test"}'


def test_me_returns_the_caller_seen_by_the_authorizer(api: Api, fan_token: str) -> None:
    response = api.get("/api/me", token=fan_token)
    assert response.status == 200
    assert response.json() == {"user_id": "fan-1", "roles": ["fan"], "mfa": False}


def test_me_without_a_token_is_401_with_the_common_error_shape(api: Api) -> None:
    response = api.get("/api/me")
    assert response.status == 401
    assert response.json() == {"error": {"code": "UNAUTHORIZED", "message": "Sign in to continue."}}


def test_me_with_a_garbage_token_is_401(api: Api) -> None:
    response = api.get("/api/me", token="not-a-jwt")
    assert response.status == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_me_called_directly_without_authorizer_context_is_refused(aws: None) -> None:
    # Defence in depth: even if the gateway were misconfigured, the handler checks the route's rule.
    import auth.me

    result = auth.me.handler(rest_event(route_for_handler("auth.me")), FakeLambdaContext())
    assert result["statusCode"] == 401


def test_unknown_route_is_404_json(api: Api) -> None:
    response = api.get("/api/nope")
    assert response.status == 404
    assert response.json()["error"]["code"] == "ROUTE_NOT_FOUND"


def test_wrong_method_is_405(api: Api) -> None:
    response = api.call("DELETE", "/api/health")
    assert response.status == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_admin_token_shows_roles_and_mfa(api: Api, admin_token: str) -> None:
    response = api.get("/api/me", token=admin_token)
    assert response.json() == {"user_id": "admin-1", "roles": ["admin", "fan"], "mfa": True}


def test_token_signed_by_another_key_is_refused(api: Api) -> None:
    from oshi.identity import tokens

    token = token_for("fan-2")
    tokens.forget_keys()
    # Replace the public key the authorizer trusts: the old signature no longer verifies.
    from oshi.kernel.aws import client
    from oshi.kernel.settings import get_settings

    _, public_value = tokens.key_secrets("local-1", *tokens.generate_key_pair())
    client("secretsmanager").put_secret_value(
        SecretId=get_settings().jwt_public_keys_secret, SecretString=public_value
    )
    assert api.get("/api/me", token=token).status == 401
