"""PynamoDB conventions: table naming from settings, and the table schema that CDK and tests derive.

Every model declares ``Meta = table_meta("short-name")``. The physical name is
``{app}-{stage}-{short-name}``, bound when the model module is first imported (so set the environment,
or start moto, before importing models).
"""

from __future__ import annotations

import threading
from typing import Any, NamedTuple

import botocore.session
import pynamodb.connection.base
from pynamodb.attributes import Attribute, TTLAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from oshi.kernel import snapstart
from oshi.kernel.settings import get_settings

_sessions = threading.local()


def _shared_session() -> botocore.session.Session:
    """One botocore session per thread for every model. PynamoDB asks ``get_session()`` for a new one per
    model connection, and each new session parses DynamoDB's service model again: 70-300 ms per model on a
    function's first request (a route touching 5 models paid ~1 s; docs/performance.md §1). Sessions stay
    per thread, as PynamoDB keeps them, because client creation is not thread-safe."""
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = botocore.session.get_session()
    return session


pynamodb.connection.base.get_session = _shared_session


def table_meta(short_name: str) -> Any:
    settings = get_settings()

    class Meta:
        table_name = settings.table_name(short_name)
        region = settings.region
        billing_mode = "PAY_PER_REQUEST"

    Meta.short_name = short_name  # type: ignore[attr-defined]
    return Meta


class KeyAttr(NamedTuple):
    name: str
    type: str  # "S" | "N" | "B"


class IndexSpec(NamedTuple):
    name: str
    hash_key: KeyAttr
    range_key: KeyAttr | None
    projection: str  # "ALL" | "KEYS_ONLY"


class TableSpec(NamedTuple):
    short_name: str
    table_name: str
    hash_key: KeyAttr
    range_key: KeyAttr | None
    indexes: tuple[IndexSpec, ...]
    ttl_attribute: str | None


def _key_attr(attr: Attribute[Any]) -> KeyAttr:
    return KeyAttr(name=attr.attr_name, type=attr.attr_type)


def table_spec(model: type[Model]) -> TableSpec:
    """The key schema, indexes and TTL of a model's table: the single source for CDK and test tables."""
    hash_key = range_key = None
    ttl = None
    indexes = []
    for attr in model.get_attributes().values():
        if attr.is_hash_key:
            hash_key = _key_attr(attr)
        elif attr.is_range_key:
            range_key = _key_attr(attr)
        if isinstance(attr, TTLAttribute):
            ttl = attr.attr_name
    for value in vars(model).values():
        if isinstance(value, GlobalSecondaryIndex):
            index_hash = index_range = None
            for attr in value.Meta.attributes.values():
                if attr.is_hash_key:
                    index_hash = _key_attr(attr)
                elif attr.is_range_key:
                    index_range = _key_attr(attr)
            assert index_hash is not None, f"index {value.Meta.index_name} has no hash key"
            projection = (
                "KEYS_ONLY" if type(value.Meta.projection).__name__ == "KeysOnlyProjection" else "ALL"
            )
            indexes.append(IndexSpec(value.Meta.index_name, index_hash, index_range, projection))
    assert hash_key is not None, f"{model.__name__} has no hash key"
    return TableSpec(
        short_name=getattr(model.Meta, "short_name"),  # noqa: B009 - set by table_meta, unknown to mypy
        table_name=model.Meta.table_name,
        hash_key=hash_key,
        range_key=range_key,
        indexes=tuple(indexes),
        ttl_attribute=ttl,
    )


def _models(root: type[Model] = Model) -> list[type[Model]]:
    found = []
    for sub in root.__subclasses__():
        if getattr(getattr(sub, "Meta", None), "short_name", None):
            found.append(sub)
        found.extend(_models(sub))
    return found


def build_clients() -> None:
    """Each imported model's botocore client (PynamoDB builds one per model, on the model's first
    request). Before the snapshot (below), and at the local stack's start: there every thread shares a
    model's client, and threads reaching a model first at once each built it (PynamoDB does not lock)."""
    for model in _models():
        _ = model._get_connection().connection.client


def _prime() -> None:
    """SnapStart: the models' clients. PynamoDB keeps the session per thread; Lambda runs the hook and the
    invocations on the same thread."""
    if "dynamodb" in get_settings().snapstart_primes:
        build_clients()


snapstart.register("pynamodb", _prime)
