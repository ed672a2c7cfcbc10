"""GET /api/gachas/{gacha_id}/me: the caller's own state on a gacha, shown before they buy.

- the ceiling (天井) counter: "あと N 回で天井" (the counter lives on the fan's nonce item and changes only in
  the fulfilment transaction, so it is exact under concurrent orders; docs/draw.md);
- the prices they would pay now, with the first 10-draw discount (初回限定) if it is theirs to use.
One gacha read, one nonce read and one claim read."""

from __future__ import annotations

from oshi.catalogue import campaigns, storefront
from oshi.draw import fairness_store, rates
from oshi.kernel import batch, clock
from oshi.models.payments import PurchaseClaim
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="gacha.schemas:GachaMe")


@endpoint
def get_gacha_me(gacha_id: str) -> JsonObject:
    fan_id = endpoint.caller().user_id
    gacha = storefront.public_gacha(gacha_id)
    since_top, orders = fairness_store.ceiling_counter(fan_id, gacha_id)
    offer = campaigns.first_ten_offer(gacha, clock.utc_now())
    if offer is not None and batch.get_many(PurchaseClaim, [campaigns.first_ten_key(fan_id, gacha_id)]):
        offer = None  # used already
    rule = rates.ceiling_of(gacha.rate_table) if "entries" in gacha.rate_table else None
    return {
        "gacha_id": gacha_id,
        "price_single": int(gacha.price_single),
        "price_ten": int(offer["price_ten"]) if offer else int(gacha.price_ten),
        "first_ten": (
            {
                "campaign_id": offer["campaign_id"],
                "price_ten": int(offer["price_ten"]),
                "list_price": int(gacha.price_ten),
                "ends_at": offer["ends_at"],
            }
            if offer
            else None
        ),
        "ceiling": (
            {
                "ceiling": rule[0],
                "rarity": rule[1],
                "since_top": since_top,
                "draws_left": max(rule[0] - since_top, 1),
            }
            if rule
            else None
        ),
        "orders_drawn": orders,
    }


handler = endpoint.lambda_handler
