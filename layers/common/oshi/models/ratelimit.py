"""Fixed-window rate-limit counters (``oshi.web.ratelimit``): one item per scope, subject and window."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from oshi.models.base import table_meta


class RateLimitCounter(Model):
    """One fixed window of one limit for one subject; DynamoDB's TTL deletes it after the window."""

    Meta = table_meta("rate-limits")

    key = UnicodeAttribute(hash_key=True)  # "<scope>#<subject>#<window start>"
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()
