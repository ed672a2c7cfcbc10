"""Request bodies checked without pydantic (oshi.web.light_bodies) accept only what the model accepts.

For each body model with a light spec, random bodies (fields right, wrong, missing, extra; values valid,
near a limit, of the wrong type) go through both: whenever the light check accepts one, pydantic accepts it
too and holds the same fields with the same values and types. What the light check refuses goes to pydantic
in the handler, so refusals need no comparison here (tests/unit/test_binding.py compares the 422s).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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


def _near(field: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values a field would accept, or nearly: on and around its limits."""
    kind = field["type"]
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
    strings = [st.text(min_size=max(low - 1, 0), max_size=min(high + 1, 300))]
    if "pattern" in field:
        ascii_only = st.characters(
            codec="ascii"
        )  # non-ASCII text goes to pydantic (the light check refuses it)
        strings.append(st.from_regex(field["pattern"], fullmatch=True, alphabet=ascii_only))
    return st.one_of(*strings)


@st.composite
def bodies(draw: st.DrawFn, spec: dict[str, Any]) -> Any:
    fields = spec["fields"]
    body = {}
    for name, field in fields.items():
        choice = draw(st.sampled_from(["near"] * 6 + ["junk", "absent"]))
        if choice != "absent":
            body[name] = draw(_near(field) if choice == "near" else JUNK)
    if draw(st.integers(0, 5)) == 0:
        body[draw(st.sampled_from(["extra", *fields]))] = draw(JUNK)
    return body if draw(st.integers(0, 20)) else draw(JUNK)  # now and then not an object at all


@pytest.mark.parametrize("reference", sorted(SPECS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_light_check_accepts_only_what_the_model_accepts_as_the_same_fields(
    reference: str, data: st.DataObject
) -> None:
    model = BodyModel(reference)
    check = model.check
    assert check is not None
    body = data.draw(bodies(SPECS[reference]))
    accepted, checked = check(body)
    if not accepted:
        return  # pydantic decides
    try:
        instance = model.model().model_validate(body, from_attributes=True)
    except ValidationError as refused:
        raise AssertionError(
            f"{reference}: the light check accepted {body!r}, the model refuses it"
        ) from refused
    assert isinstance(checked, CheckedBody)
    ours = {k: (type(v), v) for k, v in vars(checked).items()}
    assert ours == {k: (type(v), v) for k, v in dict(instance).items()}


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


class Nested(BaseModel):
    inner: Flat


class Stripping(Flat):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def test_only_models_the_light_check_models_get_a_spec() -> None:
    assert light_bodies.describe(Flat) == {
        "extra": "forbid",
        "fields": {"name": {"type": "str", "min_length": 1, "max_length": 5}},
    }
    for model in (
        WithValidator,
        Nested,
        Stripping,
    ):  # a validator, a nested model, a setting that changes values
        assert light_bodies.describe(model) is None, model


def test_every_body_model_reference_names_a_model() -> None:
    for route in ROUTES:
        reference = importlib.import_module(route.handler).endpoint.body_model
        if reference is not None:
            assert issubclass(BodyModel(reference).model(), BaseModel), route.handler
