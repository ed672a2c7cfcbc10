"""A handler's arguments from the request, and its return value as the response: no router, pydantic when needed.

Each Lambda serves one route, so there is nothing to route: ``Binding`` reads the handler's signature once
(lazily, or in SnapStart's priming) and then validates each request the way Powertools' REST resolver with
``enable_validation=True`` does, with the same pydantic error dictionaries, so the 422 ``details`` a client
sees are unchanged:

- a parameter marked ``Path``/``Query``/``Header``/``Body`` (``oshi.web.params``) comes from there; an
  unmarked one is a path parameter if the route has one of that name, else the body if its type is not a
  scalar (a model), else a query parameter;
- errors are located ``("path", name)``, ``("query", name)``, ``("header", alias)`` and ``("body", ...)``;
  a missing required value is pydantic's ``missing`` error ("Field required");
- a query parameter or header given twice (multi-value) is a list, which fails a scalar's validation;
- the one body parameter is the whole JSON body (a JSON list: its first element, as Powertools does);
- the return value is validated against the return annotation (``Response[Model]``: ``Model``) and
  dumped in JSON mode by alias, then serialised compactly (``ensure_ascii``), as Powertools does.

``tests/unit/test_binding.py`` compares the classification with Powertools' own for every route, and the
responses of both for requests that fail validation.

pydantic is imported only when it is needed (its import is ~0.3x ``import boto3`` of a cold start): a
scalar parameter (``str``, ``int``, a ``StrEnum``, optional or not, with ``pattern``/``min_length``/
``max_length``/``ge``/``le``/``gt``/``lt``) is checked by ``_fast_check``, which accepts only values
pydantic certainly accepts, and gives the same value; anything else (and every refusal) goes to pydantic,
so a 422 is pydantic's own. A handler returning a body already in JSON form (``JsonObject``, ``str``)
is not validated either: its ``response_model`` documents it, and tests check each answer against it
(``oshi.web.shapes``).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import inspect
import json
import re
import sys
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from urllib.parse import parse_qs

from oshi.web.params import Body, Header, Param, Path, Query
from oshi.web.response import PLAIN_BODIES, Response

if typing.TYPE_CHECKING:
    from pydantic import TypeAdapter

    from oshi.web.light_bodies import BodyModel

_MISSING: Any = inspect.Parameter.empty
# Powertools' path parameter pattern (api_gateway._NAMED_GROUP_BOUNDARY_PATTERN), so the same paths match.
_SAFE_URI = "-._~()'!*:@,;=+&$"
_UNSAFE_URI = r"%<> \[\]{}|^"
_NAMED_GROUP = rf"(?P\1[{_SAFE_URI}{_UNSAFE_URI}\\w]+)"
_SEQUENCES = (list, tuple, set, frozenset, Sequence)


class RequestValidationError(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("request validation failed")
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


class UnsupportedContentType(Exception):
    """A route with a body, called with a content type that is not JSON (nor a form)."""


class Headers(dict[str, Any]):
    """Header names lower-cased; ``get`` is case-insensitive (as Powertools' ``CaseInsensitiveDict``)."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        super().__init__((k.lower(), v) for k, v in (data or {}).items())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


class Request:
    """The request a handler is serving (``endpoint.request``): the raw event and what is read from it."""

    def __init__(self, event: dict[str, Any]) -> None:
        self.raw_event = event

    @cached_property
    def headers(self) -> Headers:
        return Headers(self.raw_event.get("headers"))

    @cached_property
    def decoded_body(self) -> str | None:
        body: str | None = self.raw_event.get("body")
        if self.raw_event.get("isBase64Encoded") and body:
            return base64.b64decode(body.encode()).decode()
        return body

    @cached_property
    def json_body(self) -> Any:
        return json.loads(self.decoded_body) if self.decoded_body else None

    @property
    def source_ip(self) -> str | None:
        identity = (self.raw_event.get("requestContext") or {}).get("identity") or {}
        return identity.get("sourceIp")


def _is_subclass(annotation: Any, bases: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, bases)


def _is_sequence(annotation: Any) -> bool:
    if _is_subclass(annotation, (str, bytes)):
        return False
    return _is_subclass(annotation, _SEQUENCES) or _is_subclass(get_origin(annotation), _SEQUENCES)


def _is_complex(annotation: Any) -> bool:
    """Powertools' ``field_annotation_is_complex``: a model, mapping, sequence or dataclass (in a union)."""
    if _body_model(annotation) is not None:
        return True
    origin = get_origin(annotation)
    if origin is Union or origin is UnionType:
        return any(_is_complex(arg) for arg in get_args(annotation))
    pydantic = sys.modules.get("pydantic")  # not imported yet: nothing can be a model
    models = (pydantic.BaseModel,) if pydantic is not None else ()
    for candidate in (annotation, origin):
        if (
            _is_subclass(candidate, (*models, Mapping))
            or _is_sequence(candidate)
            or dataclasses.is_dataclass(candidate)
        ):
            return True
    return hasattr(origin, "__pydantic_core_schema__") or hasattr(origin, "__get_pydantic_core_schema__")


def _contains_sequence(annotation: Any) -> bool:
    if _is_sequence(annotation):
        return True
    if get_origin(annotation) in (Union, UnionType):
        return any(_contains_sequence(arg) for arg in get_args(annotation))
    return False


def missing_error(loc: tuple[Any, ...]) -> dict[str, Any]:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


@dataclass
class Parameter:
    name: str
    location: str  # path, query, header, body
    alias: str
    annotation: Any
    default: Any  # _MISSING when required
    field_kwargs: dict[str, Any]

    @property
    def required(self) -> bool:
        return self.default is _MISSING

    @cached_property
    def adapter(self) -> TypeAdapter[Any]:
        from pydantic import Field, TypeAdapter

        field = Field(**self.field_kwargs) if self.field_kwargs else Field()
        annotated: Any = Annotated[_model_of(self.annotation), field]  # as Powertools' ModelField builds it
        return TypeAdapter(annotated)

    @cached_property
    def fast_check(self) -> Callable[[Any], tuple[bool, Any]] | None:
        body_model = _body_model(self.annotation)
        if body_model is not None:  # None never reaches the check (optional bodies)
            return None if self.field_kwargs else body_model.check
        return _fast_check(self.annotation, self.field_kwargs)

    def validate(self, value: Any, loc: tuple[Any, ...], errors: list[dict[str, Any]]) -> Any:
        if self.fast_check is not None:
            accepted, result = self.fast_check(value)
            if accepted:
                return result
        from pydantic import ValidationError

        try:
            return self.adapter.validate_python(value, from_attributes=True)
        except ValidationError as exc:
            errors.extend({**err, "loc": loc + tuple(err.get("loc", ()))} for err in exc.errors())
            return None


def _body_model(annotation: Any) -> BodyModel | None:
    """The ``BodyModel`` an annotation is (or is optionally: ``Model | None``). Only a route with a body
    model imports ``oshi.web.light_bodies``: not imported, nothing can be one."""
    light_bodies = sys.modules.get("oshi.web.light_bodies")
    if light_bodies is None:
        return None
    if get_origin(annotation) in (Union, UnionType):
        others = [arg for arg in get_args(annotation) if arg is not NoneType]
        annotation = others[0] if len(others) == 1 else None
    return annotation if isinstance(annotation, light_bodies.BodyModel) else None


def _model_of(annotation: Any) -> Any:
    """The annotation with its ``BodyModel`` replaced by the pydantic model (imported now)."""
    body_model = _body_model(annotation)
    if body_model is None:
        return annotation
    model = body_model.model()
    return model if body_model is annotation else model | None


_REFUSED = (False, None)
_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,17}")  # what pydantic reads as this int, whitespace and all
_BOUNDS = {"ge": int.__ge__, "le": int.__le__, "gt": int.__gt__, "lt": int.__lt__}
_STRING_LIMITS = ("pattern", "min_length", "max_length")
_DOCUMENTATION = ("alias", "description", "title", "examples")


def _fast_check(annotation: Any, kwargs: dict[str, Any]) -> Callable[[Any], tuple[bool, Any]] | None:
    """A check without pydantic for a scalar parameter, or None. It answers ``(True, value)`` only for a
    value pydantic would accept as that same value; ``(False, None)`` sends the value to pydantic, which
    may still accept it (" 7", "+7") or refuses it with its own error."""
    if get_origin(annotation) in (Union, UnionType):  # X | None: None never reaches the check
        others = [arg for arg in get_args(annotation) if arg is not NoneType]
        if len(others) != 1:
            return None
        (annotation,) = others
    limits = {k: v for k, v in kwargs.items() if k not in _DOCUMENTATION}
    if annotation is str and set(limits) <= set(_STRING_LIMITS):
        pattern = re.compile(limits["pattern"]) if "pattern" in limits else None
        low, high = limits.get("min_length", 0), limits.get("max_length")

        def check_str(value: Any) -> tuple[bool, Any]:
            if not isinstance(value, str) or len(value) < low or (high is not None and len(value) > high):
                return _REFUSED
            # pydantic matches patterns with Rust's regex engine: the same answer on printable ASCII
            if pattern is not None and not (
                value.isascii() and value.isprintable() and pattern.search(value)
            ):
                return _REFUSED
            return True, value

        return check_str
    if annotation is int and set(limits) <= set(_BOUNDS):
        bounds = [(_BOUNDS[name], limit) for name, limit in limits.items()]

        def check_int(value: Any) -> tuple[bool, Any]:
            if not isinstance(value, str) or not _INTEGER.fullmatch(value):
                return _REFUSED
            number = int(value)
            return (True, number) if all(holds(number, limit) for holds, limit in bounds) else _REFUSED

        return check_int
    if _is_subclass(annotation, enum.StrEnum) and not limits:
        by_value: dict[str, Any] = {member.value: member for member in annotation}

        def check_enum(value: Any) -> tuple[bool, Any]:
            member = by_value.get(value) if isinstance(value, str) else None
            return (True, member) if member is not None else _REFUSED

        return check_enum
    return None


def _analyse(name: str, hint: Any, default: Any, path_names: set[str]) -> Parameter:
    marker: Param | None = None
    annotation = hint
    if get_origin(hint) is Annotated:
        annotation, *extras = get_args(hint)
        markers = [extra for extra in extras if isinstance(extra, Param)]
        if len(markers) > 1 or len(markers) != len(extras):
            raise TypeError(f"{name}: one oshi.web.params marker, and nothing else, in Annotated")
        marker = markers[0] if markers else None
    if marker is not None:
        location = marker.location
    elif name in path_names:
        location = Path.location
    elif _is_complex(annotation):
        location = Body.location
    else:
        location = Query.location
    kwargs = dict(marker.kwargs) if marker is not None else {}
    if isinstance(marker, Body) and kwargs.pop("embed", False):
        raise TypeError(f"{name}: an embedded body is not supported")
    convert_underscores = kwargs.pop("convert_underscores", True)
    alias = kwargs.get("alias") or name
    if location == Header.location:
        if convert_underscores and not kwargs.get("alias"):
            alias = name.replace("_", "-")
        alias = alias.lower()
    if location == Path.location:
        default = _MISSING  # a path parameter is always there
    return Parameter(name, location, alias, annotation, default, kwargs)


class Binding:
    """The route's path pattern, the handler's parameters and its response type, built on first use."""

    def __init__(self, fn: Callable[..., Any], path: str, body_model: str | None = None) -> None:
        self.fn = fn
        self.path = path  # Powertools syntax: /api/gachas/<gacha_id>
        # The body model by reference ("module:Name", oshi.web.light_bodies): the handler's annotation
        # names it, imported for the type checker only.
        self.names: dict[str, BodyModel] = {}
        if body_model is not None:
            from oshi.web.light_bodies import BodyModel

            model = BodyModel(body_model)
            self.names[model.name] = model

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^{}$".format(re.sub(r"(<\w+>)", _NAMED_GROUP, self.path)))

    @cached_property
    def parameters(self) -> list[Parameter]:
        hints = typing.get_type_hints(self.fn, localns=self.names, include_extras=True)
        path_names = set(re.findall(r"<(\w+)>", self.path))
        parameters = [
            _analyse(name, hints.get(name, Any), param.default, path_names)
            for name, param in inspect.signature(self.fn).parameters.items()
        ]
        if sum(p.location == Body.location for p in parameters) > 1:
            raise TypeError(f"{self.fn.__qualname__}: one body parameter at most")
        return parameters

    @cached_property
    def _return_type(self) -> Any:
        hints = typing.get_type_hints(self.fn, localns=self.names, include_extras=True)
        annotation = hints.get("return", Any)
        if get_origin(annotation) is Response:
            (annotation,) = get_args(annotation)
        return annotation

    @cached_property
    def _return_adapter(self) -> TypeAdapter[Any] | None:
        if self._return_type in PLAIN_BODIES:
            return None  # already JSON: sent as it is
        from pydantic import TypeAdapter

        return TypeAdapter(self._return_type)

    def build(self) -> None:
        """Everything a request needs, now (SnapStart priming): the pattern, parameters, validators."""
        self.pattern  # noqa: B018
        for parameter in self.parameters:
            if parameter.fast_check is None:
                parameter.adapter  # noqa: B018
        self._return_adapter  # noqa: B018

    # --- requests ------------------------------------------------------------------------------
    def match(self, method: str, route_method: str, path: str) -> dict[str, str] | None:
        if method.upper() != route_method:
            return None
        found = self.pattern.match(path)
        return found.groupdict() if found else None

    def arguments(self, request: Request, path_args: dict[str, str]) -> dict[str, Any]:
        event = request.raw_event
        values: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        sources = {
            Path.location: (path_args, ()),
            Query.location: _query(event),
            Header.location: _headers(event),
        }
        for parameter in self.parameters:
            if parameter.location == Body.location:
                continue
            received, multi = sources[parameter.location]
            loc = (parameter.location, parameter.alias)
            value = received.get(parameter.alias)
            if isinstance(value, list):  # several values for a scalar: joined if split from one string
                if len(value) > 1 and parameter.alias not in multi and all(isinstance(v, str) for v in value):
                    value = ",".join(value)
                elif len(value) == 1:
                    value = value[0]
            self._bind(parameter, value, loc, values, errors)
        body = next((p for p in self.parameters if p.location == Body.location), None)
        if body is not None:
            value = _body(request)
            if isinstance(value, list) and value and not _contains_sequence(body.annotation):
                value = value[0]
            self._bind(body, value, (Body.location,), values, errors)
        if errors:
            raise RequestValidationError(errors)
        return values

    @staticmethod
    def _bind(
        parameter: Parameter,
        value: Any,
        loc: tuple[Any, ...],
        values: dict[str, Any],
        errors: list[dict[str, Any]],
    ) -> None:
        if value is None:
            if parameter.required:
                errors.append(missing_error(loc))
            else:
                values[parameter.name] = parameter.default
            return
        values[parameter.name] = parameter.validate(value, loc, errors)

    # --- responses -----------------------------------------------------------------------------
    def response(self, result: Any) -> Response[Any]:
        if isinstance(result, Response):
            response = result
        elif isinstance(result, tuple) and len(result) == 2:
            response = Response(result[1], "application/json", result[0])
        else:
            response = Response(200, "application/json", result)
        adapter = self._return_adapter
        if adapter is None:
            return response
        content = None if response.body == "" and self._return_type in (None, NoneType) else response.body
        from pydantic import ValidationError

        try:
            value = adapter.validate_python(content, from_attributes=True)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**err, "loc": ("response", *err.get("loc", ()))} for err in exc.errors()]
            ) from None
        response.body = adapter.dump_python(value, mode="json", by_alias=True)
        return response


def _query(event: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Powertools' REST view: single values split on commas, multi-value lists taking precedence."""
    multi = event.get("multiValueQueryStringParameters") or {}
    single = {k: v.split(",") for k, v in (event.get("queryStringParameters") or {}).items()}
    return {**single, **multi}, multi.keys()


def _headers(event: dict[str, Any]) -> tuple[Headers, Headers]:
    multi = Headers(event.get("multiValueHeaders"))
    return (multi or Headers(event.get("headers"))), multi


def _body(request: Request) -> Any:
    content_type = (request.headers.get("content-type") or "").strip()
    if not content_type or content_type.startswith("application/json"):
        try:
            return request.json_body
        except json.JSONDecodeError as exc:
            raise RequestValidationError(
                [
                    {
                        "type": "json_invalid",
                        "loc": ("body", exc.pos),
                        "msg": "JSON decode error",
                        "input": {},
                        "ctx": {"error": exc.msg},
                    }
                ]
            ) from exc
    if content_type.startswith("application/x-www-form-urlencoded"):
        return parse_qs(request.decoded_body or "", keep_blank_values=True)
    if content_type.startswith("multipart/form-data"):
        # Only an empty body gets here (Endpoint refuses a non-JSON body first): no fields.
        if "boundary=" not in content_type:
            raise ValueError("Missing boundary in multipart/form-data content-type header")
        return {}
    raise UnsupportedContentType(content_type)
