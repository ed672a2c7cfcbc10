"""The local stack, started once per test session in a subprocess, exactly as `make run` starts it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from e2e_support import LocalStack, running_local_stack


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    try:
        with running_local_stack() as stack:
            yield stack
    except RuntimeError as failed:
        pytest.fail(str(failed))


@pytest.fixture
def http() -> requests.Session:
    return requests.Session()
