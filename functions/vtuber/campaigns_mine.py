"""GET /api/vtuber/campaigns: the VTuber's own campaigns, earliest start first."""

from __future__ import annotations

from oshi.catalogue import campaigns, vtubers
from oshi.kernel.errors import VtuberNotApproved
from oshi.web.api import Endpoint
from oshi.web.schemas.catalogue import CampaignOut
from vtuber.campaign_schemas import CampaignList

endpoint = Endpoint(__name__)


@endpoint
def get_campaigns() -> CampaignList:
    vtuber = vtubers.find_by_user(endpoint.caller().user_id)
    if vtuber is None:
        raise VtuberNotApproved(details={"status": "none"})
    found = sorted(campaigns.of_vtuber(vtuber.vtuber_id), key=lambda c: (c.starts_at, c.campaign_id))
    return CampaignList(items=[CampaignOut.model_validate(campaigns.view(c)) for c in found])


handler = endpoint.lambda_handler
