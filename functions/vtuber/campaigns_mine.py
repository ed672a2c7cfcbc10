"""GET /api/vtuber/campaigns: the VTuber's own campaigns, earliest start first."""

from __future__ import annotations

from oshi.catalogue import campaigns, vtuber_queries
from oshi.kernel.errors import VtuberNotApproved
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="vtuber.campaign_schemas:CampaignList")


@endpoint
def get_campaigns() -> JsonObject:
    vtuber = vtuber_queries.find_by_user(endpoint.caller().user_id)
    if vtuber is None:
        raise VtuberNotApproved(details={"status": "none"})
    found = sorted(campaigns.of_vtuber(vtuber.vtuber_id), key=lambda c: (c.starts_at, c.campaign_id))
    return {"items": [campaigns.view(c) for c in found]}  # CampaignOut in JSON form


handler = endpoint.lambda_handler
