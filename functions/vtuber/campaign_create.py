"""POST /api/vtuber/campaigns: an approved VTuber creates a medal multiplier or a first 10-draw discount.

Validated with field errors (window at least 10 minutes ahead, multiplier 2-5, discount below the 10-draw
price); an overlapping multiplier (or discount on the same gacha) is 409 ``CAMPAIGN_OVERLAP``. Audited.
Campaigns are never edited: they are frozen before they start (``oshi.catalogue.campaigns``)."""

from __future__ import annotations

from oshi.catalogue import campaigns
from oshi.web.api import Endpoint
from oshi.web.response import Response
from oshi.web.schemas.catalogue import CampaignOut
from vtuber.campaign_schemas import CampaignIn

endpoint = Endpoint(__name__)


@endpoint
def post_campaign(body: CampaignIn) -> Response[CampaignOut]:
    created = campaigns.create(endpoint.caller().user_id, body.spec(), request_id=endpoint.request_id)
    return Response(
        status_code=201,
        content_type="application/json",
        body=CampaignOut.model_validate(campaigns.view(created)),
    )


handler = endpoint.lambda_handler
