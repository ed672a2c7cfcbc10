"""One way to BatchGetItem: several tables in one round trip, bounded retries with backoff, PynamoDB models out.

DynamoDB may answer a BatchGetItem with part of the keys in ``UnprocessedKeys`` (throttling, the 16 MB
response limit); they must be sent again, and after a pause, or the retry is throttled too. ``get``
resends them up to ``ATTEMPTS`` times in all with exponential backoff and full jitter, then raises
``BatchGetIncomplete`` naming the tables: a caller never sees a partial answer as "not found".

Keys are given per model as PynamoDB's ``Model.batch_get`` takes them (the hash key, or ``(hash, range)``),
duplicates are sent once, and requests hold at most ``MAX_KEYS`` keys (DynamoDB's limit), so up to 100
keys across all tables cost one round trip. The client is ``oshi.kernel.aws.client("dynamodb")``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pynamodb.models import Model


def client(service: str) -> Any:
    """``oshi.kernel.aws.client``, imported on first use: boto3 (with s3transfer) would cost the read-only
    handlers that only call ``get_many`` (PynamoDB) about 0.3x ``import boto3`` at cold start."""
    from oshi.kernel.aws import client as aws_client

    return aws_client(service)


MAX_KEYS = 100  # DynamoDB's limit per BatchGetItem request
ATTEMPTS = 5  # requests per chunk, the first included
BASE_DELAY_SECONDS = 0.05  # backoff before retry n: uniform(0, BASE * 2**n), capped
MAX_DELAY_SECONDS = 1.0

M = TypeVar("M", bound=Model)


class BatchGetIncomplete(RuntimeError):
    """DynamoDB left keys unprocessed after every attempt (sustained throttling): nothing was "not found"."""

    def __init__(self, unprocessed: Mapping[str, Any], attempts: int) -> None:
        self.unprocessed = dict(unprocessed)
        counts = {table: len(request.get("Keys", [])) for table, request in self.unprocessed.items()}
        super().__init__(f"BatchGetItem left keys unprocessed after {attempts} attempts: {counts}")


def _wire_key(model: type[Model], key: Any) -> dict[str, Any]:
    hash_attr = model._hash_key_attribute()
    range_attr = model._range_key_attribute()
    if range_attr is None:
        return {hash_attr.attr_name: {hash_attr.attr_type: hash_attr.serialize(key)}}
    if isinstance(key, str):
        raise ValueError(f"{model.__name__} has a range key: give (hash key, range key), not {key!r}")
    hash_key, range_key = key
    return {
        hash_attr.attr_name: {hash_attr.attr_type: hash_attr.serialize(hash_key)},
        range_attr.attr_name: {range_attr.attr_type: range_attr.serialize(range_key)},
    }


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2**attempt)))  # noqa: S311 - jitter


def get(
    keys: Mapping[type[Model], Iterable[Any]],
    *,
    consistent_read: bool = False,
    attempts: int = ATTEMPTS,
) -> dict[type[Model], list[Any]]:
    """The items found for each model's keys (absent keys are simply missing; order is DynamoDB's)."""
    by_table = {model.Meta.table_name: model for model in keys}
    found: dict[type[Model], list[Any]] = {model: [] for model in keys}
    pending: list[tuple[str, dict[str, Any]]] = []
    for model, model_keys in keys.items():
        seen: set[str] = set()
        for key in model_keys:
            wire = _wire_key(model, key)
            marker = repr(sorted((name, tuple(value.items())) for name, value in wire.items()))
            if marker not in seen:
                seen.add(marker)
                pending.append((model.Meta.table_name, wire))
    for start in range(0, len(pending), MAX_KEYS):
        request: dict[str, Any] = {}
        for table, wire in pending[start : start + MAX_KEYS]:
            request.setdefault(table, {"Keys": [], "ConsistentRead": consistent_read})["Keys"].append(wire)
        for attempt in range(attempts):
            if attempt:
                _backoff(attempt - 1)
            response = client("dynamodb").batch_get_item(RequestItems=request)
            for table, items in response.get("Responses", {}).items():
                model = by_table[table]
                found[model].extend(model.from_raw_data(item) for item in items)
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise BatchGetIncomplete(request, attempts)
    return found


def get_many(model: type[M], keys: Iterable[Any], *, consistent_read: bool = False) -> list[M]:
    """One model's items for ``keys`` (hash keys, or ``(hash, range)`` tuples)."""
    return get({model: keys}, consistent_read=consistent_read)[model]
