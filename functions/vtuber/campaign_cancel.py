"""POST /api/vtuber/campaigns/{campaign_id}/cancel: cancel one of the VTuber's campaigns before it is frozen
(10 minutes before its start); answers the campaign as it was."""

from __future__ import annotations

from oshi.catalogue import campaigns
from oshi.web.api import Endpoint
from oshi.web.schemas.catalogue import CampaignOut

endpoint = Endpoint(__name__)


@endpoint
def post_cancel(campaign_id: str) -> CampaignOut:
    cancelled = campaigns.cancel(endpoint.caller().user_id, campaign_id, request_id=endpoint.request_id)
    return CampaignOut.model_validate(campaigns.view(cancelled))


handler = endpoint.lambda_handler
