"""Count DynamoDB round trips: the botocore ``before-call.dynamodb.*`` hook on every DynamoDB client.

Used by the round-trip benches (which print the counts) and by the tests (which assert them exactly).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class CallCounter(list[str]):
    """The names of the DynamoDB API calls made, in order (``list.append`` is atomic: thread-safe)."""

    def __call__(self, model: Any = None, **_: Any) -> None:
        self.append(getattr(model, "name", "?"))

    @property
    def calls(self) -> Counter[str]:
        return Counter(self)

    @property
    def total(self) -> int:
        return len(self)


def _dynamodb_clients() -> list[Any]:
    """Every botocore client that talks to DynamoDB here: each model's PynamoDB connection, the shared
    transaction connection (oshi.kernel.txn) and boto3's (oshi.kernel.aws)."""
    from oshi.kernel import aws, txn
    from oshi.kernel.settings import get_settings
    from oshi.models import all_models

    clients = [model._get_connection().connection.client for model in all_models()]
    clients += [txn._connection(get_settings().region).client, aws.client("dynamodb")]
    return list({id(c): c for c in clients}.values())


@contextmanager
def count_dynamodb_calls() -> Iterator[CallCounter]:
    counter = CallCounter()
    clients = _dynamodb_clients()
    for client in clients:
        client.meta.events.register("before-call.dynamodb.*", counter, unique_id="dynamodb-call-counter")
    try:
        yield counter
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb.*", unique_id="dynamodb-call-counter")


def use_in_process_moto() -> None:
    """The environment the in-process benches need before any project import (as tests/conftest.py sets)."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "ap-northeast-1",
            "AWS_REGION": "ap-northeast-1",
            "OSHI_STAGE": "test",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
