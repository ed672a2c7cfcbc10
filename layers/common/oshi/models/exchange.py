"""The exchange shop and download records (issue 7).

``ExchangeItem`` is keyed by its id (a trade names only the item) and listed per VTuber through the
``by-vtuber`` index. It carries a snapshot of the granted asset (key, file name, type, size) so a trade
builds its rewards without reading the asset. ``ExchangeCount`` is the per-fan counter a trade's
transaction conditions on (count + quantity <= limit). ``Exchange`` is the trade record, keyed by the
caller's Idempotency-Key, so a retried trade finds the first one instead of trading twice.
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from oshi.models.base import table_meta


class ExchangeItemStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # taken off sale (by its VTuber or an admin); kept for the record


class ExchangeItemsByVtuber(GlobalSecondaryIndex["ExchangeItem"]):
    class Meta:
        index_name = "by-vtuber"
        projection = AllProjection()

    vtuber_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)


class ExchangeItem(Model):
    Meta = table_meta("exchange-items")

    item_id = UnicodeAttribute(hash_key=True)
    vtuber_id = UnicodeAttribute()
    owner_user_id = UnicodeAttribute()  # the VTuber's user id: the key of their Vtuber item
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    cost = NumberAttribute()  # medals per unit
    per_user_limit = NumberAttribute()  # units one fan may ever obtain
    stock = NumberAttribute(null=True)  # units on offer in total; None = unlimited
    remaining = NumberAttribute(null=True)  # stock left (conditionally decremented by trades)
    sold = NumberAttribute(default=0)
    starts_at = UTCDateTimeAttribute()
    ends_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default=ExchangeItemStatus.ACTIVE.value)
    version = NumberAttribute(default=1)  # bumped by any change of the terms; trades condition on it
    created_at = UTCDateTimeAttribute()
    # the granted asset, copied at creation (the asset's key is (vtuber_id, asset_id))
    asset_id = UnicodeAttribute()
    asset_object_key = UnicodeAttribute()
    asset_file_name = UnicodeAttribute()
    asset_content_type = UnicodeAttribute()
    asset_size_bytes = NumberAttribute()

    by_vtuber = ExchangeItemsByVtuber()


class ExchangeCount(Model):
    Meta = table_meta("exchange-counts")

    fan_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)
    units = NumberAttribute(default=0)  # obtained so far (not "count": a Model classmethod)
    updated_at = UTCDateTimeAttribute(null=True)


class Exchange(Model):
    Meta = table_meta("exchanges")

    fan_id = UnicodeAttribute(hash_key=True)
    idempotency_key = UnicodeAttribute(range_key=True)
    exchange_id = UnicodeAttribute()
    item_id = UnicodeAttribute()
    vtuber_id = UnicodeAttribute()
    quantity = NumberAttribute()
    medals = NumberAttribute()  # spent in total
    reward_ids = ListAttribute(of=UnicodeAttribute)
    created_at = UTCDateTimeAttribute()


class DownloadRecord(Model):
    """Who was issued a URL for what, and when (the URL itself is not kept)."""

    Meta = table_meta("downloads")

    fan_id = UnicodeAttribute(hash_key=True)
    download_id = UnicodeAttribute(range_key=True)  # a ULID: time-ordered
    reward_id = UnicodeAttribute()
    object_key = UnicodeAttribute()
    issued_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    via = UnicodeAttribute()  # "cloudfront" | "s3"
    source_ip = UnicodeAttribute(null=True)
