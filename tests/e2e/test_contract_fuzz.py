"""Schemathesis against the local stack, from the API's own OpenAPI document.

Every operation gets generated requests (valid and invalid per the schema), sent over HTTP with a fan's
token. Nothing may answer 5xx, every response must match its documented schema and status codes, and
every error must have the common error shape. The stack is this module's own (fuzzing changes data).

    FUZZ_EXAMPLES=200 .venv/bin/pytest tests/e2e/test_contract_fuzz.py -s -p no:cacheprovider

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
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
CASES: Counter[str] = Counter()

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fuzz")]


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


schema = schemathesis.pytest.from_fixture("api_schema")


def common_error_shape(response: Any) -> None:
    if response.status_code < 400:
        return
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"].get("code"), str) and body["error"]["code"].isupper(), body
    assert isinstance(body["error"].get("message"), str), body


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_5xx_and_every_response_matches_the_contract(case: Any, fuzz_stack: LocalStack) -> None:
    CASES[f"{case.method} {case.path}"] += 1
    token = fuzz_stack.demo_token("fan")
    response = case.call(
        base_url=fuzz_stack.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
    common_error_shape(response)
