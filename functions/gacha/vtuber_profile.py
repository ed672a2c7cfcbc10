"""GET /api/vtubers/{vtuber_id}: a VTuber's public profile, current (not ended) gachas and exchange items."""

from __future__ import annotations

from gacha.public import cached_json
from oshi.catalogue import stock, storefront
from oshi.kernel import clock
from oshi.rewards import shop
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__, response_model="oshi.web.schemas.catalogue:VtuberProfile")


@endpoint
def get_profile(vtuber_id: str) -> Response[str]:
    at = clock.utc_now()
    vtuber = storefront.public_vtuber(vtuber_id)
    gachas, _ = storefront.list_public(vtuber_id=vtuber_id, limit=storefront.PROFILE_GACHAS, at=at)
    current = [g for g in gachas if g.ends_at > at]
    stock.fill_sums(current)  # sharded gachas: their shards' (cached) sum, for the sale state
    items = shop.items_on_offer(vtuber.vtuber_id, at)
    profile = {
        "vtuber_id": vtuber.vtuber_id,
        "channel_name": vtuber.channel_name,
        "channel_url": vtuber.channel_url,
        "description": vtuber.description or "",
        "status": "active" if vtuber.status == "approved" else "suspended",
        "gachas": [storefront.summary(g, vtuber.status, at) for g in current],
        "exchange_items": [storefront.exchange_item_summary(item) for item in items],
    }
    max_age = min(storefront.max_age(current, at, storefront.PROFILE_TTL), shop.max_age(items, at))
    return cached_json(endpoint, profile, max_age)


handler = endpoint.lambda_handler
