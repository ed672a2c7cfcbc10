"""Read routes answer without pydantic at their cold start (docs/performance.md §1, oshi.web.shapes).

Three things make that safe: a scalar parameter's fast check accepts only what pydantic accepts, as the
same value (else pydantic decides, so a 422 is pydantic's own); a hand-built body is checked against its
documented model on every answer in the tests (``OSHI_CHECK_RESPONSES``); and every read route really
imports no pydantic, even once SnapStart's priming ran.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from oshi.web import shapes
from oshi.web.api import Endpoint
from oshi.web.binding import Parameter
from oshi.web.routes import ROUTES

TRICKY = [
    "",
    " ",
    "0",
    "-0",
    "00",
    "07",
    "+7",
    " 7",
    "7 ",
    "7\n",
    "1_000",
    "1e3",
    "7.0",
    "\u0661\u0662",
    "\uff17",
    "-1",
    "9" * 19,
    "50",
    "51",
    "fan",
    "FAN",
    "on_sale",
    "on_sale ",
    "abc\n",
    "0123456789abcdefghijklmnop",
    "0123456789abcdefghijklmnop\n",
    "0123456789ABCDEFGHIJKLMNOP",
    "\uff58" * 26,
    "a\u2028b",
    "x" * 1025,
]


def _fast_parameters() -> list[tuple[str, Parameter]]:
    found = []
    for route in ROUTES:
        endpoint: Endpoint = importlib.import_module(route.handler).endpoint
        assert endpoint.binding is not None
        found += [(f"{route.handler}:{p.name}", p) for p in endpoint.binding.parameters if p.fast_check]
    return found


FAST = _fast_parameters()


def test_the_common_parameters_have_fast_checks() -> None:
    """Path ids, page sizes, cursors and filters: the parameters of the read routes."""
    names = {name for name, _ in FAST}
    assert {"gacha.catalogue:limit", "gacha.catalogue:status", "gacha.detail:gacha_id"} <= names


@pytest.mark.parametrize(("name", "parameter"), FAST, ids=[name for name, _ in FAST])
@settings(max_examples=150, deadline=None)
@given(value=st.one_of(st.sampled_from(TRICKY), st.text(max_size=40), st.integers().map(str)))
def test_a_fast_check_accepts_only_what_pydantic_accepts_as_the_same_value(
    name: str, parameter: Parameter, value: str
) -> None:
    assert parameter.fast_check is not None
    accepted, fast_value = parameter.fast_check(value)
    if not accepted:
        return  # pydantic decides
    try:
        theirs = parameter.adapter.validate_python(value, from_attributes=True)
    except ValidationError as refused:
        raise AssertionError(f"{name}: fast check accepted {value!r}, pydantic refuses it") from refused
    assert (type(fast_value), fast_value) == (type(theirs), theirs), name


GACHA_SUMMARY = {
    "gacha_id": "g1",
    "vtuber_id": "v1",
    "title": "t",
    "status": "published",
    "sale_state": "on_sale",
    "starts_at": "2026-12-01T00:00:00+00:00",
    "ends_at": "2026-12-31T00:00:00+00:00",
    "price_single": 300,
    "price_ten": 3000,
    "guarantee_min_rarity": None,
    "rate_table_hash": "h",
    "kind": "rate",
    "ceiling": None,
}
PAGE = "oshi.web.schemas.catalogue:GachaPage"


def test_a_body_as_its_model_sends_it_passes_the_check() -> None:
    shapes.check(PAGE, {"items": [GACHA_SUMMARY], "next_cursor": None})
    shapes.check(PAGE, json.dumps({"items": [], "next_cursor": "c"}))  # cached bytes: the same check


@pytest.mark.parametrize(
    "change",
    [
        {"ceiling": 0, "extra": 1},  # a field the model does not have
        {"starts_at": "2026-12-01T00:00:00Z"},  # an IsoDateTime written as pydantic's datetime
        {"price_single": "300"},  # a number as text
    ],
)
def test_a_body_its_model_would_send_differently_fails_the_check(change: dict[str, Any]) -> None:
    with pytest.raises((shapes.ShapeMismatch, ValidationError)):
        shapes.check(PAGE, {"items": [{**GACHA_SUMMARY, **change}], "next_cursor": None})
    missing = {k: v for k, v in GACHA_SUMMARY.items() if k != "ceiling"}  # a default left out
    with pytest.raises(shapes.ShapeMismatch):
        shapes.check(PAGE, {"items": [missing], "next_cursor": None})


def test_json_datetime_writes_what_pydantic_writes() -> None:
    from pydantic import TypeAdapter

    for moment in (datetime(2026, 12, 4, 9, 30, 1, 123456, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC)):
        assert shapes.json_datetime(moment) == TypeAdapter(datetime).dump_python(moment, mode="json")


READ_ROUTES = [r.handler for r in ROUTES if r.method == "GET"]
PROBE = """
import json, sys
import {handler}
from oshi.kernel import snapstart
at_import = "pydantic" in sys.modules
snapstart.prime()
print(json.dumps([at_import, "pydantic" in sys.modules]))
"""


def loads_pydantic(handler: str) -> list[bool]:
    """Whether a fresh interpreter has pydantic loaded after importing ``handler``, and after priming."""
    from local.runner import ROOT

    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(handler=handler)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: list[bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("handler", READ_ROUTES)
def test_a_read_route_imports_no_pydantic(handler: str) -> None:
    assert loads_pydantic(handler) == [False, False], "at import, after priming"
