"""The append-only audit log: one hash chain per partition (a day), so tampering is detectable."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from oshi.models.base import table_meta


class AuditEntry(Model):
    Meta = table_meta("audit")

    partition = UnicodeAttribute(hash_key=True)  # "2026-11-29": one chain per UTC day
    seq = NumberAttribute(range_key=True)  # 1, 2, 3 ... within the partition
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()  # user id, "system" or "provider:stripe"
    action = UnicodeAttribute()  # e.g. "auth.login_locked", "vtuber.approved"
    target = UnicodeAttribute()
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)
    request_id = UnicodeAttribute(null=True)
    prev_hash = UnicodeAttribute()
    hash = UnicodeAttribute()
