"""Helpers for the draw-format tests (issue 20): a box gacha and a ceiling gacha on sale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from payment_support import OnSale
from support import Api
from vtuber_support import approved, gacha_body, validated_asset

from oshi.fulfilment import fulfil
from oshi.models.gachas import Gacha


def box_body(
    asset: str, counts: tuple[int, ...] = (2, 5, 13), *, last_one: bool = True, **overrides: Any
) -> dict[str, Any]:
    rarities = ["UR", "SR", "R", "N", "N", "N"]
    body = gacha_body(
        [asset],
        publish=True,
        kind="box",
        guarantee=None,
        prizes=[
            {"name": f"{chr(65 + i)}賞", "rarity": rarities[i], "tickets": n, "asset_ids": [asset]}
            for i, n in enumerate(counts)
        ],
        last_one={"name": "ラストワン賞", "rarity": "UR", "asset_ids": [asset]} if last_one else None,
    )
    body.update(overrides)
    return body


def open_sale(gacha_id: str) -> None:
    Gacha(gacha_id).update(actions=[Gacha.starts_at.set(datetime.now(UTC) - timedelta(hours=1))])


def box_on_sale(
    api: Api, counts: tuple[int, ...] = (2, 5, 13), *, last_one: bool = True, user_id: str = "vt-1"
) -> OnSale:
    fulfil.forget_configs()
    vt = approved(api, user_id)
    asset = validated_asset(api, vt)
    response = api.post(
        "/api/vtuber/gacha/create", token=vt.token, json_body=box_body(asset, counts, last_one=last_one)
    )
    assert response.status == 201, response.body
    gacha_id = str(response.json()["gacha_id"])
    open_sale(gacha_id)
    return OnSale(gacha_id, vt)


def ceiling_on_sale(api: Api, ceiling: int, *, ur_ppm: int = 1, user_id: str = "vt-1") -> OnSale:
    """A rate gacha whose top rarity (UR) is nearly impossible, with a ceiling of ``ceiling`` draws."""
    fulfil.forget_configs()
    vt = approved(api, user_id)
    asset = validated_asset(api, vt)
    body = gacha_body(
        [asset],
        publish=True,
        guarantee=None,
        ceiling=ceiling,
        prizes=[
            {"name": "Wallpaper", "rarity": "N", "rate_ppm": 1_000_000 - ur_ppm, "asset_ids": [asset]},
            {"name": "Signed art", "rarity": "UR", "rate_ppm": ur_ppm, "asset_ids": [asset]},
        ],
    )
    response = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)
    assert response.status == 201, response.body
    gacha_id = str(response.json()["gacha_id"])
    open_sale(gacha_id)
    return OnSale(gacha_id, vt)
