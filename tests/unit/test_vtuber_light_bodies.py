"""The VTuber console's and the order admins' write routes check their bodies without pydantic.

Their bodies have light specs (``oshi.web.light_bodies``; ``test_light_bodies`` compares each with its
model). The gacha editor's and the campaigns' models refuse complete-gacha keys before anything else
(``vtuber.checks.refuse_complete_gacha``, a before validator the light check runs too): a body with such a
key is never accepted light, and pydantic names it as the one error.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError
from test_light_bodies import JUNK, bodies

from oshi.catalogue import lineup
from oshi.web import light_bodies
from oshi.web.light_bodies import BodyModel, CheckedBody
from oshi.web.routes import ROUTES
from vtuber import campaign_bodies, gacha_specs

LIGHT = [
    "vtuber.apply",
    "vtuber.admin_approve",
    "vtuber.admin_reject",
    "vtuber.admin_suspend",
    "vtuber.upload",
    "vtuber.gacha_create",
    "vtuber.gacha_preview",
    "vtuber.gacha_update",
    "vtuber.admin_gacha_suspend",
    "vtuber.campaign_create",
    "vtuber.exchange_item_create",
    "vtuber.exchange_item_update",
    "gacha.admin_refund",
]
# The models that refuse complete-gacha keys first, by reference (every route's body model that is one)
SCREENED = sorted(
    {
        reference
        for route in ROUTES
        if (reference := importlib.import_module(route.handler).endpoint.body_model) is not None
        and "vtuber.checks:refuse_complete_gacha"
        in light_bodies._specs().get(reference, {}).get("before", ())
    }
)
ASSET = "0" * 26


def _gacha(**changes: Any) -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(days=1)
    body: dict[str, Any] = {
        "title": "夏ボイス",
        "price_single": 300,
        "price_ten": 3000,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=7)).isoformat().replace("+00:00", "Z"),
        "prizes": [
            {"name": "SSR", "rarity": "SSR", "rate_ppm": 30_000, "asset_ids": [ASSET]},
            {"name": "R", "rarity": "R", "rate_ppm": 970_000, "asset_ids": [ASSET], "stock": 5},
        ],
        "guarantee": {"min_rarity": "R"},
    }
    return {**body, **changes}


def _campaign(**changes: Any) -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(hours=1)
    body = {
        "kind": "medal_multiplier",
        "title": "週末メダル2倍",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=2)).isoformat(),
        "multiplier": 2,
    }
    return {**body, **changes}


def test_the_routes_bodies_have_light_specs() -> None:
    for handler in LIGHT:
        reference = importlib.import_module(handler).endpoint.body_model
        assert reference is not None, handler
        assert BodyModel(reference).check is not None, f"{handler}: {reference} has no light spec"
    assert set(SCREENED) == {
        "vtuber.schemas:GachaIn",
        "vtuber.schemas:GachaCreateIn",
        "vtuber.schemas:GachaUpdateIn",
        "vtuber.campaign_schemas:CampaignIn",
    }


def test_an_editor_body_makes_the_same_spec_checked_light_or_by_pydantic() -> None:
    reference = "vtuber.schemas:GachaCreateIn"
    body = _gacha(publish=True, last_one=None)
    check = BodyModel(reference).check
    assert check is not None
    accepted, checked = check(body)
    assert accepted
    assert isinstance(checked, CheckedBody) and isinstance(checked.prizes[0], CheckedBody)
    model = BodyModel(reference).model().model_validate(body)
    assert gacha_specs.gacha_spec(checked) == gacha_specs.gacha_spec(model)
    assert checked.publish is True

    campaign, raw = BodyModel("vtuber.campaign_schemas:CampaignIn"), _campaign()
    assert campaign.check is not None
    accepted, checked = campaign.check(raw)
    assert accepted
    assert campaign_bodies.campaign_spec(checked) == campaign_bodies.campaign_spec(
        campaign.model().model_validate(raw)
    )


KEYS = st.sampled_from(["complete_bonus", "compgacha", "collect_all", "full_set", "set_reward", "BINGO"])


@st.composite
def screened_bodies(draw: st.DrawFn, spec: dict[str, Any]) -> Any:
    """Bodies near the spec's, a complete-gacha key added at the top or in a prize now and then."""
    body = draw(bodies(spec))
    if isinstance(body, dict) and draw(st.booleans()):
        body = {**body, draw(KEYS): draw(st.one_of(JUNK, st.just({"asset_ids": [ASSET]})))}
    prizes = body.get("prizes") if isinstance(body, dict) else None
    if isinstance(prizes, list) and prizes and isinstance(prizes[0], dict) and draw(st.booleans()):
        body["prizes"] = [{**prizes[0], draw(KEYS): 1}, *prizes[1:]]
    return body


@pytest.mark.parametrize("reference", SCREENED)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_light_check_refuses_every_complete_gacha_body_and_pydantic_names_it(
    reference: str, data: st.DataObject
) -> None:
    spec = light_bodies._specs()[reference]
    body = data.draw(screened_bodies(spec))
    found = lineup.complete_gacha_fields(body)
    accepted, _ = light_bodies._body_check(spec)(body)
    if accepted:
        assert found == []
    if found:
        assert not accepted
        with pytest.raises(ValidationError) as refused:
            BodyModel(reference).model().model_validate(body)
        assert [e["type"] for e in refused.value.errors()] == ["complete_gacha_forbidden"]


@pytest.mark.parametrize("reference", SCREENED)
def test_pydantic_names_a_complete_gacha_first_whatever_else_is_wrong(reference: str) -> None:
    """The handlers' fallback (an adapter per parameter): the check runs before any field."""
    model = BodyModel(reference).model()
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[model, Field()])
    valid = _campaign() if "campaign" in reference else _gacha()
    adapter.validate_python(valid, from_attributes=True)
    body = {**valid, "title": "", "extra": 1, "prizes": [{"name": "x", "set_bonus": {"asset_ids": [ASSET]}}]}
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python(body, from_attributes=True)
    [error] = refused.value.errors()
    assert error["type"] == "complete_gacha_forbidden" and error["loc"] == ()
    assert error["msg"].endswith(": prizes.0.set_bonus")
    assert light_bodies._body_check(light_bodies._specs()[reference])(body) == (False, None)
