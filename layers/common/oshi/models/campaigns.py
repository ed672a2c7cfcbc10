"""Campaigns (issue 20, ``oshi.catalogue.campaigns``): a VTuber's time-boxed medal multipliers (per gacha or
for all their gachas) and first 10-draw discounts (per gacha), one partition per VTuber.

``<vtuber_id>`` / ``<campaign id>``: a campaign, immutable once created (it is frozen well before it
starts); ``<vtuber_id>`` / ``lock``: a version counter every creation increments on the condition that it
is unchanged since the overlap check read the partition, so two overlapping campaigns cannot both be
created.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from oshi.models.base import table_meta

LOCK = "lock"


class Campaign(Model):
    Meta = table_meta("campaigns")

    vtuber_id = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute(range_key=True)  # ULID, or LOCK
    kind = UnicodeAttribute(null=True)  # medal_multiplier | first_ten_discount
    gacha_id = UnicodeAttribute(null=True)  # None: every gacha of the VTuber (multipliers only)
    title = UnicodeAttribute(null=True)
    multiplier = NumberAttribute(null=True)  # medal_multiplier: an integer x2..x5
    price_ten = NumberAttribute(null=True)  # first_ten_discount: the first 10-draw's price, integer JPY
    starts_at = UTCDateTimeAttribute(null=True)
    ends_at = UTCDateTimeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(null=True)  # on the lock item
