"""Test set-up (helpers for test modules live in support.py): a fake AWS environment before anything imports boto3 clients or models.

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
        # Hand-built read bodies must be exactly what their documented models send (oshi.web.shapes).
        "OSHI_CHECK_RESPONSES": "1",
    }
)

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from moto import mock_aws
from support import Api, token_for

from local.provision import provision
from oshi.identity import mfa, refresh_tokens, revocation, tokens
from oshi.identity.principal import Role
from oshi.kernel.aws import reset_clients
from oshi.kernel.settings import get_settings, reset_settings


@contextmanager
def emulated_aws() -> Iterator[None]:
    """A fresh in-process moto with every resource provisioned, and no cached clients or keys."""
    reset_settings()
    with mock_aws():
        reset_clients()
        tokens.forget_keys()
        mfa.forget_keys()
        refresh_tokens.forget_key()
        revocation.forget()
        provision(get_settings())
        yield
    reset_clients()
    tokens.forget_keys()
    mfa.forget_keys()
    refresh_tokens.forget_key()
    revocation.forget()


@pytest.fixture
def aws() -> Iterator[None]:
    with emulated_aws():
        yield


@pytest.fixture(scope="module")
def module_aws() -> Iterator[None]:
    """One emulated AWS for a whole module: for tests that only read, or that never collide (faster)."""
    with emulated_aws():
        yield


@pytest.fixture
def api(aws: None) -> Api:
    return Api()


@pytest.fixture
def fan_token(aws: None) -> str:
    return token_for("fan-1", Role.FAN)


@pytest.fixture
def admin_token(aws: None) -> str:
    return token_for("admin-1", Role.FAN, Role.ADMIN, mfa=True)


@pytest.fixture
def atomic_moto() -> Iterator[None]:
    """DynamoDB applies each write and transaction atomically; in-process moto does not (a thread can
    switch between its condition check and its write, a read can iterate a table another thread is
    changing, and a cancelled transaction restored a deep copy of whole tables). The same patch the local
    stack runs on (``local.moto_dynamodb``), so the test exercises our conditions, not moto's races."""
    from local.moto_dynamodb import installed

    with installed():
        yield
