"""VTubers: one item per applicant (keyed by their user id), the source of truth for "approved".

Every VTuber call reads this item consistently, so a suspended VTuber is refused even while an old
access token still carries the ``vtuber`` role. ``vtuber_id`` is the public id (profile URLs, upload
keys, gachas); the user id never appears in public responses.
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from oshi.models.base import table_meta


class VtuberStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class VtubersByStatus(GlobalSecondaryIndex["Vtuber"]):
    """The admin screening queue: ``status = pending``, oldest application first."""

    class Meta:
        index_name = "by-status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    applied_at = UTCDateTimeAttribute(range_key=True)


class VtubersByPublicId(GlobalSecondaryIndex["Vtuber"]):
    class Meta:
        index_name = "by-vtuber-id"
        projection = AllProjection()

    vtuber_id = UnicodeAttribute(hash_key=True)


class Vtuber(Model):
    Meta = table_meta("vtubers")

    user_id = UnicodeAttribute(hash_key=True)
    vtuber_id = UnicodeAttribute()
    status = UnicodeAttribute()  # VtuberStatus
    channel_name = UnicodeAttribute()
    channel_url = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    applied_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    decided_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)  # rejection / suspension reason, shown to the VTuber
    # Bytes reserved by pending uploads (their declared size) plus bytes of validated assets.
    storage_bytes = NumberAttribute(default=0)

    by_status = VtubersByStatus()
    by_public_id = VtubersByPublicId()
