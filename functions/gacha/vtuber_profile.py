"""GET /api/vtubers/{vtuber_id}: a VTuber's public profile and their current (not ended) gachas."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from gacha.public import cached_json
from oshi import catalogue
from oshi.api import Endpoint

endpoint = Endpoint(__name__)


@endpoint
def get_profile(vtuber_id: str) -> Response[str]:
    at = catalogue.now()
    vtuber = catalogue.public_vtuber(vtuber_id)
    gachas, _ = catalogue.list_public(vtuber_id=vtuber_id, limit=catalogue.PROFILE_GACHAS, at=at)
    current = [g for g in gachas if g.ends_at > at]
    document = {
        "vtuber_id": vtuber.vtuber_id,
        "channel_name": vtuber.channel_name,
        "channel_url": vtuber.channel_url,
        "description": vtuber.description or "",
        "status": "active" if vtuber.status == "approved" else "suspended",
        "gachas": [catalogue.summary(g, vtuber.status, at) for g in current],
        "exchange_items": [],  # the exchange shop (a later issue) fills this
    }
    return cached_json(endpoint, document, catalogue.max_age(current, at, catalogue.PROFILE_TTL))


handler = endpoint.lambda_handler
