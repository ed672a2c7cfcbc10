"""POST /api/vtuber/campaigns/{campaign_id}/cancel: cancel one of the VTuber's campaigns before it is frozen
(10 minutes before its start); answers the campaign as it was."""

from __future__ import annotations

from oshi.catalogue import campaigns
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="oshi.web.schemas.catalogue:CampaignOut")


@endpoint
def post_cancel(campaign_id: str) -> JsonObject:
    cancelled = campaigns.cancel(endpoint.caller().user_id, campaign_id, request_id=endpoint.request_id)
    return campaigns.view(cancelled)  # CampaignOut in JSON form


handler = endpoint.lambda_handler
