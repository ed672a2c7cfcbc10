"""Injected DynamoDB faults: the k-th call of a flow fails once, before it is sent or after DynamoDB applied
it (a crash between two steps); ``retry`` repeats a flow the way the real system would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from bench.dynamodb_calls import _dynamodb_clients

F = TypeVar("F")

ATTEMPTS = 6


class _TestReads:
    active = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        self.active = True
        try:
            yield
        finally:
            self.active = False


TEST_READS = _TestReads()


class Fault:
    """Fails the k-th DynamoDB call once: ``before`` it is sent, or ``after`` DynamoDB applied it."""

    def __init__(self, k: int, when: str) -> None:
        self.k, self.when, self.seen, self.fired = k, when, 0, False

    def __call__(self, model: Any = None, **_: Any) -> None:
        if TEST_READS.active:
            return  # the test's own look-ups are not part of the flow
        self.seen += 1
        if self.fired or self.seen - 1 != self.k:
            return
        self.fired = True
        if self.when == "before":
            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "injected"}}
            raise ClientError(error, model.name)
        raise RuntimeError(f"injected crash after {model.name} succeeded")


@contextmanager
def injected(fault: F) -> Iterator[F]:
    """``fault`` (a botocore event handler with a ``when``: before/after) on every DynamoDB client."""
    clients = _dynamodb_clients()
    event = f"{'before' if fault.when == 'before' else 'after'}-call.dynamodb.*"
    for client in clients:
        client.meta.events.register(event, fault, unique_id="fault-injection")
    try:
        yield fault
    finally:
        for client in clients:
            client.meta.events.unregister(event, unique_id="fault-injection")


def retry(action: Any, ok: Any) -> Any:
    for _ in range(ATTEMPTS):
        try:
            result = action()
        except Exception:  # noqa: BLE001 - an injected fault escaping a consumer is a failed invocation
            continue
        if ok(result):
            return result
    raise AssertionError("still failing after the retries")
