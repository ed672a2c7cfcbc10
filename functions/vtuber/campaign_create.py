"""POST /api/vtuber/campaigns: an approved VTuber creates a medal multiplier or a first 10-draw discount.

Validated with field errors (window at least 10 minutes ahead, multiplier 2-5, discount below the 10-draw
price); an overlapping multiplier (or discount on the same gacha) is 409 ``CAMPAIGN_OVERLAP``. Audited.
Campaigns are never edited: they are frozen before they start (``oshi.catalogue.campaigns``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue import campaigns
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response
from vtuber import campaign_bodies

if TYPE_CHECKING:
    from vtuber.campaign_schemas import CampaignIn

endpoint = Endpoint(
    __name__,
    body_model="vtuber.campaign_schemas:CampaignIn",
    response_model="oshi.web.schemas.catalogue:CampaignOut",
)


@endpoint
def post_campaign(body: CampaignIn) -> Response[JsonObject]:
    created = campaigns.create(
        endpoint.caller().user_id, campaign_bodies.campaign_spec(body), request_id=endpoint.request_id
    )
    return Response(201, "application/json", campaigns.view(created))  # CampaignOut in JSON form


handler = endpoint.lambda_handler
