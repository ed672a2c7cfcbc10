"""GET /api/vtubers/{vtuber_id}: a VTuber's public profile, current (not ended) gachas and exchange items."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from gacha.public import cached_json
from oshi.catalogue import storefront
from oshi.kernel import clock
from oshi.rewards import exchange
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def get_profile(vtuber_id: str) -> Response[str]:
    at = clock.utc_now()
    vtuber = storefront.public_vtuber(vtuber_id)
    gachas, _ = storefront.list_public(vtuber_id=vtuber_id, limit=storefront.PROFILE_GACHAS, at=at)
    current = [g for g in gachas if g.ends_at > at]
    items = exchange.items_on_offer(vtuber.vtuber_id, at)
    document = {
        "vtuber_id": vtuber.vtuber_id,
        "channel_name": vtuber.channel_name,
        "channel_url": vtuber.channel_url,
        "description": vtuber.description or "",
        "status": "active" if vtuber.status == "approved" else "suspended",
        "gachas": [storefront.summary(g, vtuber.status, at) for g in current],
        "exchange_items": [
            {
                "item_id": item.item_id,
                "name": item.name,
                "cost": int(item.cost),
                "per_user_limit": int(item.per_user_limit),
                "remaining": None if item.remaining is None else int(item.remaining),
                "starts_at": item.starts_at.isoformat(),
                "ends_at": item.ends_at.isoformat(),
            }
            for item in items
        ],
    }
    max_age = min(storefront.max_age(current, at, storefront.PROFILE_TTL), exchange.max_age(items, at))
    return cached_json(endpoint, document, max_age)


handler = endpoint.lambda_handler
