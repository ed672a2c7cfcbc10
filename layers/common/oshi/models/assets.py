"""Uploaded files: one item per asset, in the owning VTuber's partition (ownership is the key)."""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from oshi.models.base import table_meta


class AssetStatus(StrEnum):
    PENDING = "pending"  # presigned POST issued, object not validated yet
    VALIDATED = "validated"
    REJECTED = "rejected"  # object deleted; ``reason`` says why


class Asset(Model):
    Meta = table_meta("assets")

    vtuber_id = UnicodeAttribute(hash_key=True)
    asset_id = UnicodeAttribute(range_key=True)
    owner_user_id = UnicodeAttribute()  # the VTuber's user id (their Vtuber item's key)
    object_key = UnicodeAttribute()  # uploads/{vtuber_id}/{asset_id}, chosen by the server
    filename = UnicodeAttribute()  # display only; never used to decide the type
    declared_type = UnicodeAttribute()  # MIME type the VTuber declared (and the POST policy pinned)
    declared_bytes = NumberAttribute()  # the upper bound of the POST policy, reserved against the quota
    status = UnicodeAttribute()  # AssetStatus
    reason = UnicodeAttribute(null=True)
    reason_code = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    detected_type = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)
    etag = UnicodeAttribute(
        null=True
    )  # of the object that was validated; a replaced object is re-checked  # image | audio | video | archive
    created_at = UTCDateTimeAttribute()
    checked_at = UTCDateTimeAttribute(null=True)
    linked_gachas = UnicodeSetAttribute(null=True)  # gachas whose prizes grant this asset (reward links)
    preview_for = UnicodeSetAttribute(
        null=True
    )  # gachas showing it as a public preview (never also a reward)


class StorageUsage(Model):
    """Bytes reserved or stored across the platform (``scope = "platform"``), kept by the same
    transactions that keep each VTuber's ``storage_bytes``; uploads stop at the platform limit."""

    Meta = table_meta("storage")

    scope = UnicodeAttribute(hash_key=True)
    bytes = NumberAttribute(default=0)
