"""Request bodies checked without pydantic: a write route's cold start imports no pydantic either.

A handler names its body model by reference, ``Endpoint(__name__, body_model="gacha.purchase_schemas:
PurchaseIn")``, and imports it only for the type checker (``if TYPE_CHECKING:``). ``docs/openapi.json`` and
every refusal still come from the pydantic model; what a request is checked against at run time is the
model's *light spec*, written to ``request_bodies.json`` next to this module by ``make openapi`` from the
model itself (``describe``; a test fails when the file is stale).

A spec exists only for a model the light check models: fields of type ``str``, ``int``, ``bool``, a
``Literal`` of those, a ``StrEnum``, ``date``, ``datetime`` (RFC 3339 with an offset), a nested model or a
``list`` of any of these, optional or not, with ``min_length``/``max_length``/``pattern``/``ge``/``le``/
``gt``/``lt``, ``strict`` and a constant default; ``extra`` "forbid" or "ignore"; no aliases. Validators are
plain module functions, so the light check can call them too: ``Annotated[str, BeforeValidator(f)]``
(one, on a required field), ``AfterValidator(f)`` (a check: a function that changes the value leaves the
body to pydantic) and ``_name = model_validator(mode="before" | "after")(f)`` (before: a check of the raw
object, which must return it as it is). A classmethod validator makes the model
pydantic's alone. Like ``binding._fast_check``, the light check accepts only what pydantic certainly
accepts, as the same values; anything else (a ``"5"`` for an int, a pattern on non-ASCII text, a naive
datetime, every refusal) goes to pydantic, so a 422 is pydantic's own. The handler gets a ``CheckedBody``:
the model's fields as attributes, defaults filled, enums as members, nested models as ``CheckedBody``.
``tests/unit/test_light_bodies.py`` checks the light check against pydantic, model by model.
"""

from __future__ import annotations

import enum
import importlib
import json
import re
from collections.abc import Callable
from datetime import date, datetime
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

    # In a handler's annotation, where the model's name resolves to this: ``Model | None``, ``Annotated``
    # and ``Optional`` need something callable.
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{self.reference} is checked by reference: it cannot be built here")

    def __or__(self, other: Any) -> Any:
        return Union[self, other]  # noqa: UP007 - the | operator is what is being defined

    def __ror__(self, other: Any) -> Any:
        return Union[other, self]  # noqa: UP007

    def model(self) -> type[BaseModel]:
        model: type[BaseModel] = _import(self.reference)
        return model

    @cached_property
    def check(self) -> Callable[[Any], tuple[bool, Any]] | None:
        spec = _specs().get(self.reference)
        return None if spec is None else _body_check(spec)


# --- checking a body against a spec --------------------------------------------------------------------------
Check = Callable[[Any], tuple[bool, Any]]
_ABSENT: Any = object()
_SCALARS = (str, int, bool)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# RFC 3339 with an offset, as the web apps send it; a naive time or another layout goes to pydantic
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_BOUNDS: dict[str, Callable[[int, int], bool]] = {
    "ge": int.__ge__,
    "le": int.__le__,
    "gt": int.__gt__,
    "lt": int.__lt__,
}


def _body_check(spec: Spec) -> Check:
    """A model: an object with these fields (unknown ones refused or dropped), then its own checks."""
    fields = {name: _field_check(field) for name, field in spec["fields"].items()}
    forbid = spec["extra"] == "forbid"
    befores = [_import(reference) for reference in spec.get("before", ())]
    afters = [_import(reference) for reference in spec.get("after", ())]

    def check(value: Any) -> tuple[bool, Any]:
        try:
            # checks of the raw object: one that changes it leaves the body to pydantic
            if any(function(value) is not value for function in befores):
                return _REFUSED
        except (ValueError, AssertionError):
            return _REFUSED
        if type(value) is not dict or (forbid and not value.keys() <= fields.keys()):
            return _REFUSED
        checked = {}
        for name, field_check in fields.items():
            accepted, checked[name] = field_check(value.get(name, _ABSENT))
            if not accepted:
                return _REFUSED
        body = CheckedBody(**checked)
        for function in afters:
            try:
                function(body)
            except (ValueError, AssertionError):
                return _REFUSED  # pydantic runs the same function and words the 422
        return True, body

    return check


def _field_check(field: Spec) -> Check:
    """A field: absent (its default), null (when optional), or a value of its type."""
    required, nullable = "default" not in field, field.get("nullable", False)
    default = field.get("default")
    if field["type"] == "enum" and default is not None:
        default = _import(field["enum"])(default)
    value_check = _value_check(field)

    def check(value: Any) -> tuple[bool, Any]:
        if value is _ABSENT:
            return _REFUSED if required else (True, default)
        if value is None:
            return (True, None) if nullable else _REFUSED
        return value_check(value)

    return check


def _value_check(spec: Spec) -> Check:
    """A value of the spec's type: its ``before`` functions, the type and limits, then its ``after`` checks."""
    befores = [_import(reference) for reference in spec.get("before", ())]
    afters = [_import(reference) for reference in spec.get("after", ())]
    typed = _typed_check(spec)

    def check(value: Any) -> tuple[bool, Any]:
        try:
            for function in befores:
                value = function(value)
            accepted, value = typed(value)
            if not accepted:
                return _REFUSED
            for function in afters:
                # a check, not a transformation: a function that changes the value is left to pydantic
                if function(value) != value:
                    return _REFUSED
        except (ValueError, AssertionError):
            return _REFUSED  # pydantic runs the same functions and words the 422
        return True, value

    return check


def _typed_check(spec: Spec) -> Check:
    """The type and its limits alone. Exact types: a bool is not an int here, nor "5" a 5 (pydantic
    decides those)."""
    kind = spec["type"]
    if kind == "model":
        return _body_check(spec["model"])
    if kind == "list":
        items = _value_check(spec["items"])
        low, high = spec.get("min_length", 0), spec.get("max_length")

        def check_list(value: Any) -> tuple[bool, Any]:
            if type(value) is not list or len(value) < low or (high is not None and len(value) > high):
                return _REFUSED
            checked = [items(item) for item in value]
            return (True, [v for _, v in checked]) if all(ok for ok, _ in checked) else _REFUSED

        return check_list
    if kind == "enum":
        members = {member.value: member for member in _import(spec["enum"])}
        return lambda value: (True, members[value]) if type(value) is str and value in members else _REFUSED
    if kind == "literal":
        values = {(type(v), v) for v in spec["values"]}
        return lambda value: (
            (True, value) if type(value) in _SCALARS and (type(value), value) in values else _REFUSED
        )
    if kind in ("date", "datetime"):
        layout, parse = (_DATE, date.fromisoformat) if kind == "date" else (_DATETIME, datetime.fromisoformat)
        return lambda value: (
            (True, parse(value)) if type(value) is str and layout.fullmatch(value) else _REFUSED
        )
    if kind == "bool":
        return lambda value: (True, value) if type(value) is bool else _REFUSED
    if kind == "int":
        bounds = [(op, spec[name]) for name, op in _BOUNDS.items() if name in spec]
        return lambda value: (
            (True, value)
            if type(value) is int and all(holds(value, limit) for holds, limit in bounds)
            else _REFUSED
        )
    pattern = re.compile(spec["pattern"]) if "pattern" in spec else None
    low, high = spec.get("min_length", 0), spec.get("max_length")

    def check_str(value: Any) -> tuple[bool, Any]:
        if type(value) is not str or len(value) < low or (high is not None and len(value) > high):
            return _REFUSED
        # pydantic matches patterns with Rust's regex engine: the same answer on printable ASCII
        if pattern is not None and not (value.isascii() and value.isprintable() and pattern.search(value)):
            return _REFUSED
        return True, value

    return check_str


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
    if decorators.field_validators or decorators.root_validators:
        raise NotLight("field validators of the class (an Annotated validator is modelled)")
    if decorators.field_serializers or decorators.model_serializers or decorators.computed_fields:
        raise NotLight("serializers")
    extra = config.get("extra") or "ignore"
    if extra not in ("forbid", "ignore") or not config.keys() <= _HARMLESS_CONFIG:
        raise NotLight(f"config {config}")
    spec: Spec = {
        "extra": extra,
        "fields": {name: _describe_field(f) for name, f in model.model_fields.items()},
    }
    for validator in decorators.model_validators.values():
        # `_check = model_validator(mode="before" | "after")(plain_function)`: the light check calls it on
        # the raw object (before) or on its checked body (after)
        if validator.info.mode not in ("before", "after") or not _importable(validator.func):
            raise NotLight(f"model validator {validator.cls_var_name}")
        spec.setdefault(validator.info.mode, []).append(_reference(validator.func))
    if len(spec.get("before", ())) > 1:
        raise NotLight("several before validators (pydantic runs them in reverse)")
    return spec


# Settings that change no accepted value (str_strip_whitespace, strict, aliases... would)
_HARMLESS_CONFIG = {"extra", "frozen", "title", "json_schema_extra", "defer_build"}


def _describe_field(info: FieldInfo) -> Spec:
    from pydantic_core import PydanticUndefined

    if info.alias or info.validation_alias or info.default_factory is not None:
        raise NotLight("alias or default factory")
    annotation, nullable = info.annotation, False
    if get_origin(annotation) in (Union, UnionType):
        others = [arg for arg in get_args(annotation) if arg is not NoneType]
        if len(others) != 1 or len(others) == len(get_args(annotation)):
            raise NotLight(f"union {annotation}")
        (annotation,), nullable = others, True
    field = _describe_type(annotation, list(info.metadata))
    if nullable:
        if "before" in field:
            raise NotLight("a before validator on an optional field")
        field["nullable"] = True
    if info.default is not PydanticUndefined:
        default = info.default.value if isinstance(info.default, enum.Enum) else info.default
        if type(default) not in (*_SCALARS, NoneType):
            raise NotLight(f"default {default!r}")
        field["default"] = default
    return field


def _describe_type(annotation: Any, metadata: list[Any]) -> Spec:
    from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
    from pydantic import AfterValidator, BaseModel, BeforeValidator, Strict
    from pydantic.fields import FieldInfo

    if get_origin(annotation) is Annotated:  # Optional[Annotated[int, Strict()]], list[Annotated[str, ...]]
        annotation, *inner = get_args(annotation)
        metadata = [*inner, *metadata]
    # Field(pattern=...) inside an Annotated: its constraints (its description documents only)
    metadata = [m for item in metadata for m in (item.metadata if isinstance(item, FieldInfo) else [item])]
    spec: Spec
    if annotation in _SCALARS or annotation in (date, datetime):
        spec = {"type": annotation.__name__}
    elif get_origin(annotation) is Literal and all(type(v) in _SCALARS for v in get_args(annotation)):
        spec = {"type": "literal", "values": list(get_args(annotation))}
    elif isinstance(annotation, type) and issubclass(annotation, enum.StrEnum):
        spec = {"type": "enum", "enum": _reference(annotation)}
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        spec = {"type": "model", "model": _describe(annotation)}
    elif get_origin(annotation) is list and len(get_args(annotation)) == 1:
        spec = {"type": "list", "items": _describe_type(get_args(annotation)[0], [])}
    else:
        raise NotLight(f"type {annotation}")
    limits = {MinLen: "min_length", MaxLen: "max_length", Ge: "ge", Le: "le", Gt: "gt", Lt: "lt"}
    for item in metadata:
        if type(item) in limits:
            name = limits[type(item)]
            allowed = ("str", "list") if name.endswith("length") else ("int",)
            if spec["type"] not in allowed:
                raise NotLight(f"{name} on {spec['type']}")
            spec[name] = getattr(item, name)
        elif isinstance(item, Strict) or item is None:
            continue  # strict only refuses more: the light check accepts exact types only anyway
        elif isinstance(item, AfterValidator | BeforeValidator) and _importable(item.func):
            side = "after" if isinstance(item, AfterValidator) else "before"
            if side == "before" and "before" in spec:
                raise NotLight("several before validators (pydantic runs them right to left)")
            spec.setdefault(side, []).append(_reference(item.func))
        elif type(item).__name__ == "_PydanticGeneralMetadata" and set(vars(item)) <= {"pattern"}:
            if spec["type"] != "str":
                raise NotLight("pattern on a non-string")
            spec["pattern"] = item.pattern
        else:
            raise NotLight(f"metadata {item!r}")
    return spec


def _reference(target: Any) -> str:
    return f"{target.__module__}:{target.__qualname__}"


def _importable(function: Any) -> bool:
    try:
        return bool(_import(_reference(function)) is function)
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
