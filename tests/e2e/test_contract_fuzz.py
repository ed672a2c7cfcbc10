"""Schemathesis against the local stack, from the API's own OpenAPI document.

For every route, generated requests (valid ones, and invalid ones per the schema) are sent over HTTP with
a fan's token. Nothing may answer 5xx, every response must match its documented schema and status codes,
and every error must have the common error shape. The stack is this module's own (fuzzing changes data).

    FUZZ_EXAMPLES=100 .venv/bin/pytest tests/e2e/test_contract_fuzz.py -s -p no:cacheprovider

prints how many cases ran per operation (docs/reliability.md quotes it).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from e2e_support import LocalStack, running_local_stack
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from oshi.web.routes import ROUTES, Route

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
CASES: Counter[str] = Counter()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fuzz")]
SESSION_ENDING = {
    "auth.logout_all",
    "auth.sessions_revoke_others",
    "auth.password_change",
    "auth.mfa_disable",
    "auth.account_delete",
}


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[LocalStack]:
    with running_local_stack() as stack:
        yield stack
    print(f"\nschemathesis: {sum(CASES.values())} cases over {len(CASES)} operations")
    for operation, count in sorted(CASES.items()):
        print(f"  {count:5}  {operation}")


@pytest.fixture(scope="module")
def api_schema(fuzz_stack: LocalStack) -> Any:
    document = requests.get(f"{fuzz_stack.api_url}/api/openapi.json", timeout=30).json()
    return schemathesis.openapi.from_dict(document)


def common_error_shape(response: Any) -> None:
    if response.status_code < 400:
        return
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"].get("code"), str) and body["error"]["code"].isupper(), body
    assert isinstance(body["error"].get("message"), str), body


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_5xx_and_every_response_matches_the_contract(
    route: Route, mode: GenerationMode, api_schema: Any, fuzz_stack: LocalStack
) -> None:
    operation = api_schema[route.path][route.method]
    # Signing out everywhere revokes the caller's tokens: fuzz it as another account, so the fan's token
    # stays valid for the routes after it.
    # The same for the account routes that end the caller's other sessions, or the account (issue 18).
    account = "minor" if route.handler in SESSION_ENDING else "fan"
    headers = {"Authorization": f"Bearer {fuzz_stack.demo_token(account)}"}
    session = requests.Session()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        CASES[f"{route.method} {route.path}"] += 1
        response = case.call(base_url=fuzz_stack.api_url, session=session, headers=headers, timeout=30)
        case.validate_response(response, checks=CHECKS)
        common_error_shape(response)

    try:
        run()
    except Unsatisfiable:
        # Nothing in this operation's schema can be made invalid (no parameters, no body).
        assert mode is GenerationMode.NEGATIVE, "positive cases can always be generated"
