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


class AuditPending(Model):
    """The audit outbox: an entry written, not yet chained (docs/decisions.md, "Audit outbox").

    Written with a unique key (no read of the chain's tail), alone or inside the transaction of the state
    change it records; ``oshi.audit.chain_pending`` moves it into ``AuditEntry`` (hash-chained) and deletes
    it in one transaction. Kept apart from the append-only log, whose IAM denies every delete."""

    Meta = table_meta("audit-outbox")

    day = UnicodeAttribute(hash_key=True)  # "2026-11-29": the chain partition it will join
    entry_id = UnicodeAttribute(range_key=True)  # time, writer's counter, random: chained in this order
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)
    request_id = UnicodeAttribute(null=True)
