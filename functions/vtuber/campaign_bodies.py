"""The ``CampaignSpec`` of a checked campaign body, without pydantic (``campaign_schemas.CampaignIn``
documents the body; the answers are ``oshi.catalogue.campaigns.view``, already in JSON form)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue import campaigns

if TYPE_CHECKING:
    from vtuber.campaign_schemas import CampaignIn


def campaign_spec(body: CampaignIn) -> campaigns.CampaignSpec:
    """The campaign a creation body asks for (a checked body or the model alike: attributes only)."""
    return campaigns.CampaignSpec(
        kind=body.kind,
        title=body.title,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        gacha_id=body.gacha_id,
        multiplier=body.multiplier,
        price_ten=body.price_ten,
    )
