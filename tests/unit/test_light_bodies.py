"""Request bodies checked without pydantic (oshi.web.light_bodies) accept only what the model accepts.

For each body model with a light spec, random bodies (fields right, wrong, missing, extra; values valid,
near a limit, of the wrong type) go through both: whenever the light check accepts one, pydantic accepts it
too and holds the same fields with the same values and types. What the light check refuses goes to pydantic
in the handler, so refusals need no comparison here (tests/unit/test_binding.py compares the 422s).
"""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from test_light_reads import loads_pydantic

from oshi.web import light_bodies
from oshi.web.light_bodies import BodyModel, CheckedBody
from oshi.web.routes import ROUTES

SPECS = light_bodies._specs()
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False),
    st.sampled_from(["", " ", "5", "1", "10", "card", "stripe", "x" * 200, "é", "a\nb", "\u0000"]),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=9)), timezone(-timedelta(hours=3, minutes=30))])
MOMENTS = st.datetimes(min_value=datetime(1, 1, 1), timezones=OFFSETS)


def _moment_text(moment: datetime, zulu: bool, drop_micro: bool) -> str:
    text = (moment.replace(microsecond=0) if drop_micro else moment).isoformat()
    return text[:-6] + "Z" if zulu and text.endswith("+00:00") else text


def _near(field: dict[str, Any], clean: bool = False) -> st.SearchStrategy[Any]:
    """Values a field would accept, or nearly: on and around its limits (``clean``: mostly within them)."""
    kind = field["type"]
    if kind == "model":
        return bodies(field["model"], clean)
    if kind == "list":
        low, high = field.get("min_length", 0), field.get("max_length", 3)
        items = _near(field["items"], clean)
        if clean:
            return st.lists(items, min_size=low, max_size=min(high, 12))
        return st.lists(st.one_of(items, JUNK), max_size=min(high + 1, 12))
    if kind == "date":
        odd = st.sampled_from(["2026-02-30", "2026-1-01", "20261201", "0000-01-01"])
        return st.dates().map(date.isoformat) if clean else st.one_of(st.dates().map(date.isoformat), odd)
    if kind == "datetime":
        texts = st.builds(_moment_text, MOMENTS, st.booleans(), st.booleans())
        naive = st.datetimes().map(datetime.isoformat)
        odd = st.sampled_from(["2026-12-01T00:00:00+24:00", "2026-12-01T24:00:00Z", "2026-12-01 00:00:00Z"])
        return texts if clean else st.one_of(texts, naive, odd)
    if kind == "literal":
        return st.sampled_from(field["values"])
    if kind == "enum":
        return st.sampled_from([m.value for m in light_bodies._import(field["enum"])] + ["nope"])
    if kind == "bool":
        return st.booleans()
    if kind == "int":
        edges = [field[k] + d for k in ("ge", "le", "gt", "lt") if k in field for d in (-1, 0, 1)]
        return st.one_of(st.sampled_from(edges or [0]), st.integers(min_value=-5, max_value=2**40))
    low, high = field.get("min_length", 0), field.get("max_length", 40)
    if "pattern" in field:
        # ASCII: non-ASCII text goes to pydantic (the light check refuses it)
        matching = st.from_regex(field["pattern"], fullmatch=True, alphabet=st.characters(codec="ascii"))
        if clean:
            return matching
    if clean:
        return st.text(min_size=low, max_size=min(high, 300))
    strings = [st.text(min_size=max(low - 1, 0), max_size=min(high + 1, 300))]
    if "pattern" in field:
        strings.append(matching)
    return st.one_of(*strings)


@st.composite
def bodies(draw: st.DrawFn, spec: dict[str, Any], clean: bool | None = None) -> Any:
    """Half the time a clean body (every field near its type, optional ones present or not), else a mix of
    near, junk and absent fields, an unknown field, or not an object at all."""
    fields = spec["fields"]
    clean = draw(st.booleans()) if clean is None else clean
    body = {}
    for name, field in fields.items():
        if clean:
            choice = "near" if "default" not in field or draw(st.booleans()) else "absent"
        else:
            choice = draw(st.sampled_from(["near"] * 6 + ["junk", "absent"]))
        if choice != "absent":
            body[name] = draw(_near(field, clean) if choice == "near" else JUNK)
    if clean:
        return body
    if draw(st.integers(0, 5)) == 0:
        body[draw(st.sampled_from(["extra", "secret", *fields]))] = draw(JUNK)
    return body if draw(st.integers(0, 20)) else draw(JUNK)


def plain(value: Any) -> Any:
    """A model instance or a checked body as nested dicts and lists of (type, value): the same exactly when
    the handler would see the same fields, values and types (a datetime's offset included)."""
    if isinstance(value, BaseModel | CheckedBody):
        return {
            k: plain(v) for k, v in (dict(value) if isinstance(value, BaseModel) else vars(value)).items()
        }
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return (datetime, value, value.utcoffset())
    return (type(value), value)


def test_the_specs_file_is_current() -> None:
    from local.request_bodies import render

    assert light_bodies.SPECS_FILE.read_text() == render(), "request_bodies.json is stale: run `make openapi`"


def test_the_fan_path_write_routes_have_light_bodies() -> None:
    """The bodies of a fan's purchase, trade and download: checked without pydantic when well formed."""
    valid = {
        "gacha.purchase": {
            "gacha_id": "0" * 26,
            "count": 10,
            "provider": "stripe",
            "client_seed": "fan seed",
        },
        "exchange.trade": {"item_id": "0" * 26, "quantity": 2},
        "reward.download_url": {"reward_id": "01HX#001#00"},
    }
    for handler, body in valid.items():
        endpoint = importlib.import_module(handler).endpoint
        check = BodyModel(endpoint.body_model).check
        assert check is not None, handler
        accepted, checked = check(body)
        assert accepted, handler
        assert {k: v for k, v in vars(checked).items() if k in body} == body


class Flat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=5)


class WithValidator(Flat):
    @field_validator("name")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class Mapped(BaseModel):
    counts: dict[str, int]


def trimmed(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def not_blank(value: str) -> str:
    if not value:
        raise ValueError("blank")
    return value


def upper(value: str) -> str:
    return value.upper()  # a transformation: left to pydantic when it changes anything


def no_secret(data: Any) -> Any:
    if isinstance(data, dict) and "secret" in data:
        raise ValueError("a secret is never accepted, not even ignored")
    return data


def ordered(body: Any) -> Any:
    if body.ends_at is not None and body.ends_at <= body.starts_at:
        raise ValueError("ends before it starts")
    return body


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Everything(BaseModel):
    """Every kind the light check models, nested, with validators of each kind."""

    model_config = ConfigDict(extra="ignore")
    name: Annotated[str, BeforeValidator(trimmed), AfterValidator(not_blank)] = Field(max_length=8)
    shout: Annotated[str, AfterValidator(upper)] = "x"
    born: date
    starts_at: datetime
    ends_at: datetime | None = None
    colour: Colour = Colour.RED
    count: StrictInt = Field(default=1, ge=1, le=10)
    flag: bool = False
    kind: Literal["a", 2, True] = "a"
    parts: list[Flat] = Field(min_length=1, max_length=3)
    tags: list[Annotated[str, Field(pattern=r"^[a-z]+$")]] | None = Field(default=None, max_length=2)
    inner: Flat | None = None

    _no_secret = model_validator(mode="before")(no_secret)
    _ordered = model_validator(mode="after")(ordered)


class Stripping(Flat):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def test_only_models_the_light_check_models_get_a_spec() -> None:
    assert light_bodies.describe(Flat) == {
        "extra": "forbid",
        "fields": {"name": {"type": "str", "min_length": 1, "max_length": 5}},
    }
    for model in (
        WithValidator,
        Mapped,
        Stripping,
    ):  # a class validator, a dict, a setting that changes values
        assert light_bodies.describe(model) is None, model
    spec = light_bodies.describe(Everything)
    assert spec is not None
    assert spec["fields"]["parts"]["items"]["type"] == "model"
    assert (spec["before"], spec["after"]) == ([f"{__name__}:no_secret"], [f"{__name__}:ordered"])
    assert light_bodies._body_check(spec)({"secret": 1})[0] is False


def test_every_body_model_reference_names_a_model() -> None:
    for route in ROUTES:
        reference = importlib.import_module(route.handler).endpoint.body_model
        if reference is not None:
            assert issubclass(BodyModel(reference).model(), BaseModel), route.handler


def _cases() -> list[tuple[str, dict[str, Any], Any]]:
    """(name, spec, model) of every body model with a spec, and of this module's models that use what no
    body model uses yet."""
    cases = [(reference, SPECS[reference], BodyModel(reference).model) for reference in sorted(SPECS)]
    for model in (Everything, Flat):
        spec = light_bodies.describe(model)
        assert spec is not None, model
        cases.append((model.__name__, spec, lambda model=model: model))
    return cases


@pytest.mark.parametrize(
    ("name", "spec", "model"), _cases(), ids=lambda case: case if isinstance(case, str) else ""
)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_light_check_accepts_only_what_the_model_accepts_as_the_same_fields(
    name: str, spec: dict[str, Any], model: Any, data: st.DataObject
) -> None:
    body = data.draw(bodies(spec))
    accepted, checked = light_bodies._body_check(spec)(body)
    if not accepted:
        return  # pydantic decides
    try:
        instance = model().model_validate(body, from_attributes=True)
    except ValidationError as refused:
        raise AssertionError(f"{name}: the light check accepted {body!r}, the model refuses it") from refused
    assert isinstance(checked, CheckedBody)
    assert plain(checked) == plain(instance)


LIGHT_WRITES = [
    route.handler
    for route in ROUTES
    if route.method != "GET"
    and isinstance(importlib.import_module(route.handler).endpoint.response_model, str)
]


def test_the_fan_path_write_routes_answer_in_json_form() -> None:
    assert {"gacha.purchase", "exchange.trade", "reward.download_url"} <= set(LIGHT_WRITES)


@pytest.mark.parametrize("handler", LIGHT_WRITES)
def test_a_write_route_answering_in_json_form_imports_no_pydantic(handler: str) -> None:
    """A write route that builds its answer in JSON form (``response_model`` by reference) and checks its
    body by its light spec loads no pydantic, at import or in SnapStart's priming."""
    assert loads_pydantic(handler) == [False, False], "at import, after priming"
