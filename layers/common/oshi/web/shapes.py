"""Bodies a handler builds in JSON form itself, checked against the pydantic models that document them.

A route answers with a ``JsonObject`` (``oshi.web.response``) built by a plain function, so its cold start
imports no pydantic (``oshi.web.binding``). Its ``Endpoint(__name__, response_model="pkg.mod:Model")`` names
the model ``docs/openapi.json`` documents, imported only to generate that document or to check. With
``OSHI_CHECK_RESPONSES=1`` (set by the test suite and the local stack) every such answer (a 200 or the
route's success code) must be exactly what the model would send: the same fields, values and formats,
nothing missing and nothing extra.
"""

from __future__ import annotations

import importlib
import json
import os
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel


def checking() -> bool:
    return os.environ.get("OSHI_CHECK_RESPONSES") == "1"


def resolve(reference: type[BaseModel] | str) -> type[BaseModel]:
    """The model a ``"package.module:Name"`` reference names (a class is returned as it is)."""
    if not isinstance(reference, str):
        return reference
    module, _, name = reference.partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module), name)
    return model


class ShapeMismatch(AssertionError):
    """A hand-built body that its documented model would have sent differently."""


def check(reference: type[BaseModel] | str, body: Any) -> None:
    text = body if isinstance(body, str) else json.dumps(body)
    sent = json.loads(text)
    model = resolve(reference)
    expected = model.model_validate_json(text).model_dump(mode="json", by_alias=True)
    if sent != expected:
        where, ours, theirs = _difference(sent, expected)
        raise ShapeMismatch(f"{reference} at {where or '/'}: sent {ours!r}, the model would send {theirs!r}")


def _difference(sent: Any, expected: Any, where: str = "") -> tuple[str, Any, Any]:
    """The first place two unequal JSON values differ: its path and both values there."""
    if isinstance(sent, dict) and isinstance(expected, dict) and sent.keys() == expected.keys():
        key = next(k for k in sent if sent[k] != expected[k])
        return _difference(sent[key], expected[key], f"{where}/{key}")
    if isinstance(sent, list) and isinstance(expected, list) and len(sent) == len(expected):
        index = next(i for i, (a, b) in enumerate(zip(sent, expected, strict=True)) if a != b)
        return _difference(sent[index], expected[index], f"{where}/{index}")
    if isinstance(sent, dict) and isinstance(expected, dict):
        return where, sorted(sent), sorted(expected)  # field names differ
    return where, sent, expected


def json_datetime(moment: datetime) -> str:
    """A datetime as pydantic writes a plain ``datetime`` field in JSON ("...Z" for UTC); an ``IsoDateTime``
    field is ``moment.isoformat()`` ("...+00:00")."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
