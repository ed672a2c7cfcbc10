"""Test set-up: a fake AWS environment before anything imports boto3 clients or models.

``aws`` gives each test a fresh in-process moto with every table, bus, queue, bucket and secret created
by the same ``local.provision`` the local stack uses. ``api`` calls routes through ``local.dispatch``:
the real authorizer, then the route's real handler, exactly as the local gateway and API Gateway do.
"""

from __future__ import annotations

import os

# Before any project import: models bind table names from the settings at import time.
for _name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_REGION": "ap-northeast-1",
        "OSHI_STAGE": "test",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "OshiGacha",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from moto import mock_aws

from local.dispatch import HttpResponse, dispatch
from local.provision import provision
from oshi import tokens
from oshi.access import Caller
from oshi.aws import reset_clients
from oshi.routes import Role
from oshi.settings import get_settings, reset_settings


@pytest.fixture
def aws() -> Iterator[None]:
    reset_settings()
    with mock_aws():
        reset_clients()
        tokens.forget_keys()
        provision(get_settings())
        yield
    reset_clients()
    tokens.forget_keys()


@dataclass
class Api:
    """In-process HTTP-like calls through the local gateway's dispatcher."""

    def call(
        self,
        method: str,
        target: str,
        *,
        token: str | None = None,
        json_body: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        raw = body.encode() if isinstance(body, str) else body
        if json_body is not None:
            raw = json.dumps(json_body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        return dispatch(method, target, headers=all_headers, body=raw)

    def get(self, target: str, **kwargs: Any) -> HttpResponse:
        return self.call("GET", target, **kwargs)

    def post(self, target: str, **kwargs: Any) -> HttpResponse:
        return self.call("POST", target, **kwargs)


@pytest.fixture
def api(aws: None) -> Api:
    return Api()


def token_for(user_id: str, *roles: Role, mfa: bool = False) -> str:
    """An access token signed with the provisioned key, for tests that need a caller but not the login flow."""
    caller = Caller(user_id=user_id, roles=frozenset(roles or (Role.FAN,)), mfa=mfa)
    return tokens.issue_access_token(caller, amr=["pwd", "mfa"] if mfa else ["pwd"])


@pytest.fixture
def fan_token(aws: None) -> str:
    return token_for("fan-1", Role.FAN)


@pytest.fixture
def admin_token(aws: None) -> str:
    return token_for("admin-1", Role.FAN, Role.ADMIN, mfa=True)
