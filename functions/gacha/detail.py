"""GET /api/gachas/{gacha_id}: one listed gacha with its full rate disclosure (drafts are 404)."""

from __future__ import annotations

from datetime import datetime

from gacha.public import cached_json
from oshi.catalogue import campaigns, stock, storefront
from oshi.kernel import clock
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__, response_model="oshi.web.schemas.catalogue:GachaDetail")


@endpoint
def get_gacha(gacha_id: str) -> Response[str]:
    at = clock.utc_now()
    gacha = storefront.public_gacha(gacha_id)
    stock.fill_sums([gacha])  # a sharded gacha's remaining stock: its shards' (cached) sum
    owner = storefront.vtuber_statuses([gacha]).get(gacha.owner_user_id)
    disclosed = storefront.disclosure(gacha, storefront.prizes_of(gacha_id), owner, at)
    shown = campaigns.for_gacha(gacha, at)
    disclosed.document["campaigns"] = shown
    seconds = storefront.max_age([gacha], at, storefront.LINEUP_TTL, live_stock=disclosed.limited)
    for campaign in shown:  # never cache past a campaign's start or end
        for boundary in (campaign["starts_at"], campaign["ends_at"]):
            seconds = min(seconds, max(int((datetime.fromisoformat(boundary) - at).total_seconds()), 0))
    return cached_json(endpoint, disclosed.document, seconds)


handler = endpoint.lambda_handler
