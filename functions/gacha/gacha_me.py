"""GET /api/gachas/{gacha_id}/me: the caller's own state on a gacha, shown before they buy.

- the ceiling (天井) counter: "あと N 回で天井" (the counter lives on the fan's nonce item and changes only in
  the fulfilment transaction, so it is exact under concurrent orders; docs/draw.md);
- the prices they would pay now, with the first 10-draw discount (初回限定) if it is theirs to use.
One gacha read, one nonce read and one claim read."""

from __future__ import annotations

from pydantic import BaseModel, Field

from oshi.catalogue import campaigns, storefront
from oshi.draw import fairness_store, rates
from oshi.kernel import batch, clock
from oshi.models.payments import PurchaseClaim
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class CeilingCounter(BaseModel):
    ceiling: int = Field(description="The N-th consecutive draw without the top rarity is top rarity")
    rarity: str = Field(description="The top rarity the ceiling guarantees")
    since_top: int = Field(description="Your paid draws on this gacha since your last top-rarity prize")
    draws_left: int = Field(
        description="あと N 回で天井: the draw this many from now is top rarity at the latest"
    )


class FirstTenOffer(BaseModel):
    campaign_id: str
    price_ten: int = Field(description="Your first 10-draw's price (JPY)")
    list_price: int = Field(description="The usual 10-draw price (JPY)")
    ends_at: str


class GachaMe(BaseModel):
    gacha_id: str
    price_single: int
    price_ten: int = Field(description="What your next 10-draw costs (the discount applied if it is yours)")
    first_ten: FirstTenOffer | None = Field(description="初回限定: your first 10-draw discount, if unused")
    ceiling: CeilingCounter | None = Field(description="null: this gacha has no ceiling")
    orders_drawn: int = Field(description="Your fulfilled orders on this gacha")


@endpoint
def get_gacha_me(gacha_id: str) -> GachaMe:
    fan_id = endpoint.caller().user_id
    gacha = storefront.public_gacha(gacha_id)
    since_top, orders = fairness_store.ceiling_counter(fan_id, gacha_id)
    offer = campaigns.first_ten_offer(gacha, clock.utc_now())
    if offer is not None and batch.get_many(PurchaseClaim, [campaigns.first_ten_key(fan_id, gacha_id)]):
        offer = None  # used already
    rule = rates.ceiling_of(gacha.rate_table) if "entries" in gacha.rate_table else None
    return GachaMe(
        gacha_id=gacha_id,
        price_single=int(gacha.price_single),
        price_ten=int(offer["price_ten"]) if offer else int(gacha.price_ten),
        first_ten=(
            FirstTenOffer(
                campaign_id=offer["campaign_id"],
                price_ten=int(offer["price_ten"]),
                list_price=int(gacha.price_ten),
                ends_at=offer["ends_at"],
            )
            if offer
            else None
        ),
        ceiling=(
            CeilingCounter(
                ceiling=rule[0], rarity=rule[1], since_top=since_top, draws_left=max(rule[0] - since_top, 1)
            )
            if rule
            else None
        ),
        orders_drawn=orders,
    )


handler = endpoint.lambda_handler
