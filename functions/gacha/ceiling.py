"""GET /api/gachas/{gacha_id}/ceiling: the caller's ceiling (天井) counter on a gacha: "あと N 回で天井".

The counter lives on the fan's nonce item and changes only inside the fulfilment transaction, so it is
exact under concurrent orders (docs/draw.md, "The ceiling")."""

from __future__ import annotations

from pydantic import BaseModel, Field

from oshi.catalogue import storefront
from oshi.draw import fairness_store, rates
from oshi.kernel.errors import GachaNotFound
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class CeilingOut(BaseModel):
    gacha_id: str
    ceiling: int = Field(description="The N-th consecutive draw without the top rarity is top rarity")
    rarity: str = Field(description="The top rarity the ceiling guarantees")
    since_top: int = Field(description="Your paid draws on this gacha since your last top-rarity prize")
    draws_left: int = Field(
        description="あと N 回で天井: the draw that many from now is guaranteed at the latest"
    )
    orders_drawn: int = Field(description="Your fulfilled orders on this gacha")


@endpoint
def get_ceiling(gacha_id: str) -> CeilingOut:
    gacha = storefront.public_gacha(gacha_id)
    rule = rates.ceiling_of(gacha.rate_table)
    if rule is None:
        raise GachaNotFound("This gacha has no ceiling.")
    draws, rarity = rule
    since_top, orders = fairness_store.ceiling_counter(endpoint.caller().user_id, gacha_id)
    return CeilingOut(
        gacha_id=gacha_id,
        ceiling=draws,
        rarity=rarity,
        since_top=since_top,
        draws_left=max(draws - since_top, 1),
        orders_drawn=orders,
    )


handler = endpoint.lambda_handler
