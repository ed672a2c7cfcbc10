"""Request bodies checked without pydantic: a write route's cold start imports no pydantic either.

A handler names its body model by reference, ``Endpoint(__name__, body_model="gacha.purchase_schemas:
PurchaseIn")``, and imports it only for the type checker (``if TYPE_CHECKING:``). ``docs/openapi.json`` and
every refusal still come from the pydantic model; what a request is checked against at run time is the
model's *light spec*, written to ``request_bodies.json`` next to this module by ``make openapi`` from the
model itself (``describe``; a test fails when the file is stale).

A spec exists only for a flat model: fields of type ``str``, ``int``, ``bool``, a ``Literal`` of those, or a
``StrEnum``, optional or not, with ``min_length``/``max_length``/``pattern``/``ge``/``le``/``gt``/``lt``,
``strict``, a constant default and ``AfterValidator`` functions; ``extra`` "forbid" or "ignore"; no
aliases, no model or field validators of the class. Like ``binding._fast_check``, the light check accepts
only what pydantic certainly accepts, as the same values; anything else (a ``"5"`` for an int, a pattern on
non-ASCII text, every refusal) goes to pydantic, so a 422 is pydantic's own. The handler gets a
``CheckedBody``: the model's fields as attributes, defaults filled, enums as members.
``tests/unit/test_light_bodies.py`` checks the light check against pydantic, model by model.
"""

from __future__ import annotations

import enum
import importlib
import json
import re
from collections.abc import Callable
from functools import cache, cached_property
from pathlib import Path
from types import NoneType, SimpleNamespace, UnionType
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

SPECS_FILE = Path(__file__).with_name("request_bodies.json")
Spec = dict[str, Any]
_REFUSED: tuple[bool, Any] = (False, None)


class CheckedBody(SimpleNamespace):
    """A body the light check accepted: its fields as attributes, as the model would hold them."""


def _import(reference: str) -> Any:
    module, _, name = reference.partition(":")
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


@cache
def _specs() -> dict[str, Spec]:
    specs: dict[str, Spec] = json.loads(SPECS_FILE.read_text()) if SPECS_FILE.exists() else {}
    return specs


class BodyModel:
    """A handler's body model by reference: checked by its light spec, or by the model (imported then)."""

    def __init__(self, reference: str) -> None:
        self.reference = reference
        self.name = reference.rpartition(":")[2]

    def __repr__(self) -> str:
        return f"BodyModel({self.reference!r})"

    def model(self) -> type[BaseModel]:
        model: type[BaseModel] = _import(self.reference)
        return model

    @cached_property
    def check(self) -> Callable[[Any], tuple[bool, Any]] | None:
        spec = _specs().get(self.reference)
        return None if spec is None else _body_check(spec)


# --- checking a body against a spec --------------------------------------------------------------------------
def _body_check(spec: Spec) -> Callable[[Any], tuple[bool, Any]]:
    fields = {name: _field_check(field) for name, field in spec["fields"].items()}
    forbid = spec["extra"] == "forbid"

    def check(value: Any) -> tuple[bool, Any]:
        if type(value) is not dict or (forbid and not value.keys() <= fields.keys()):
            return _REFUSED
        checked = {}
        for name, field_check in fields.items():
            accepted, checked[name] = field_check(value.get(name, _ABSENT))
            if not accepted:
                return _REFUSED
        return True, CheckedBody(**checked)

    return check


_ABSENT: Any = object()
_SCALARS = {"str": str, "int": int, "bool": bool}


def _field_check(field: Spec) -> Callable[[Any], tuple[bool, Any]]:
    kind = field["type"]
    required, nullable = "default" not in field, field.get("nullable", False)
    members: dict[Any, Any] = {}
    if kind == "enum":
        members = {member.value: member for member in _import(field["enum"])}
    elif kind == "literal":
        members = {(type(v), v): v for v in field["values"]}
    pattern = re.compile(field["pattern"]) if "pattern" in field else None
    low, high = field.get("min_length", 0), field.get("max_length")
    bounds = [(op, field[name]) for name, op in _BOUNDS.items() if name in field]
    afters = [_import(reference) for reference in field.get("after", ())]
    default = field.get("default")
    if kind == "enum" and default is not None:
        default = members[default]

    def check(value: Any) -> tuple[bool, Any]:
        if value is _ABSENT:
            return _REFUSED if required else (True, default)
        if value is None:
            return (True, None) if nullable else _REFUSED
        if kind == "enum":
            member = members.get(value) if type(value) is str else None
            return _REFUSED if member is None else _after(member)
        if kind == "literal":
            found = type(value) in _SCALARS.values() and (type(value), value) in members
            return _after(value) if found else _REFUSED
        # Exact types: a bool is not an int here, nor "5" a 5 (pydantic decides those)
        if kind == "str":
            return _after(value) if type(value) is str and _fits(value) else _REFUSED
        if kind == "int":
            within = type(value) is int and all(holds(value, limit) for holds, limit in bounds)
            return _after(value) if within else _REFUSED
        if type(value) is not bool:
            return _REFUSED
        return _after(value)

    def _fits(value: str) -> bool:
        if len(value) < low or (high is not None and len(value) > high):
            return False
        # pydantic matches patterns with Rust's regex engine: the same answer on printable ASCII
        return pattern is None or bool(value.isascii() and value.isprintable() and pattern.search(value))

    def _after(value: Any) -> tuple[bool, Any]:
        for function in afters:
            try:
                value = function(value)
            except (ValueError, AssertionError):
                return _REFUSED  # pydantic runs the same function and words the 422
        return True, value

    return check


_BOUNDS: dict[str, Callable[[int, int], bool]] = {
    "ge": int.__ge__,
    "le": int.__le__,
    "gt": int.__gt__,
    "lt": int.__lt__,
}


# --- a model's spec (generation: imports pydantic) ---------------------------------------------------------
class NotLight(Exception):
    """The model has something the light check does not know: its bodies are checked by pydantic."""


def describe(model: type[BaseModel]) -> Spec | None:
    """The light spec of ``model``, or None when it has anything the light check does not model."""
    try:
        return _describe(model)
    except NotLight:
        return None


def _describe(model: type[BaseModel]) -> Spec:
    config = model.model_config
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or decorators.model_validators or decorators.root_validators:
        raise NotLight("validators of the class")
    if decorators.field_serializers or decorators.model_serializers or decorators.computed_fields:
        raise NotLight("serializers")
    extra = config.get("extra") or "ignore"
    if extra not in ("forbid", "ignore") or not config.keys() <= _HARMLESS_CONFIG:
        raise NotLight(f"config {config}")
    return {"extra": extra, "fields": {name: _describe_field(f) for name, f in model.model_fields.items()}}


# Settings that change no accepted value (str_strip_whitespace, strict, aliases... would)
_HARMLESS_CONFIG = {"extra", "frozen", "title", "json_schema_extra", "defer_build"}


def _describe_field(info: FieldInfo) -> Spec:
    from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
    from pydantic import AfterValidator, Strict
    from pydantic_core import PydanticUndefined

    if info.alias or info.validation_alias or info.default_factory is not None:
        raise NotLight("alias or default factory")
    field: Spec = {}
    annotation, metadata = info.annotation, list(info.metadata)
    if get_origin(annotation) in (Union, UnionType):
        others = [arg for arg in get_args(annotation) if arg is not NoneType]
        if len(others) != 1 or len(others) == len(get_args(annotation)):
            raise NotLight(f"union {annotation}")
        field["nullable"] = True
        (annotation,) = others
    if get_origin(annotation) is Annotated:  # Optional[Annotated[int, Strict()]]
        annotation, *inner = get_args(annotation)
        metadata += inner
    if annotation in (str, int, bool):
        field["type"] = annotation.__name__
    elif get_origin(annotation) is Literal and all(type(v) in (str, int, bool) for v in get_args(annotation)):
        field["type"], field["values"] = "literal", list(get_args(annotation))
    elif isinstance(annotation, type) and issubclass(annotation, enum.StrEnum):
        field["type"], field["enum"] = "enum", f"{annotation.__module__}:{annotation.__qualname__}"
    else:
        raise NotLight(f"type {annotation}")
    limits = {MinLen: "min_length", MaxLen: "max_length", Ge: "ge", Le: "le", Gt: "gt", Lt: "lt"}
    for item in metadata:
        if type(item) in limits:
            name = limits[type(item)]
            if name.endswith("length") != (field["type"] == "str") or (
                name in _BOUNDS and field["type"] != "int"
            ):
                raise NotLight(f"{name} on {field['type']}")
            field[name] = getattr(item, name)
        elif isinstance(item, Strict) or item is None:
            continue  # strict only refuses more: the light check accepts exact types only anyway
        elif isinstance(item, AfterValidator) and _importable(item.func):
            field.setdefault("after", []).append(f"{item.func.__module__}:{item.func.__qualname__}")
        elif type(item).__name__ == "_PydanticGeneralMetadata" and set(vars(item)) <= {"pattern"}:
            if field["type"] != "str":
                raise NotLight("pattern on a non-string")
            field["pattern"] = item.pattern
        else:
            raise NotLight(f"metadata {item!r}")
    if info.default is not PydanticUndefined:
        default = info.default.value if isinstance(info.default, enum.Enum) else info.default
        if type(default) not in (str, int, bool, NoneType):
            raise NotLight(f"default {default!r}")
        field["default"] = default
    return field


def _importable(function: Any) -> bool:
    try:
        return bool(_import(f"{function.__module__}:{function.__qualname__}") is function)
    except (AttributeError, ImportError):
        return False


def generate(references: list[str]) -> dict[str, Spec]:
    """The specs file's content for these body models (those with a spec)."""
    specs = {}
    for reference in sorted(set(references)):
        spec = describe(BodyModel(reference).model())
        if spec is not None:
            specs[reference] = spec
    return specs
