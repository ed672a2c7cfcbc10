"""Payments (issue 5): monthly spending per fan, and the claims that make a purchase happen once.

``Spending``: one item per fan and JST month (``period`` = "2026-11") holding the yen reserved or spent
that month, plus one item per fan with ``period`` = "cap" holding the cap an adult set for themselves.
A purchase ADDs its amount in the same transaction as the order, conditioned on staying under the cap;
a payment that fails or expires gives it back (``oshi.commerce.settlement``).

``PurchaseClaim``: ``idem#<fan>#<Idempotency-Key>`` (a retried request finds its order) and
``pending#<fan>#<gacha>`` (one pending order per fan and gacha: no double charge). Both are written in the
purchase transaction with ``attribute_not_exists``; a pending claim whose order has left
``PENDING_PAYMENT`` is taken over with a condition on the stale order id. TTL removes them.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from oshi.models.base import table_meta

CAP_PERIOD = "cap"


class Spending(Model):
    Meta = table_meta("spending")

    fan_id = UnicodeAttribute(hash_key=True)
    period = UnicodeAttribute(range_key=True)  # "YYYY-MM" (JST) or CAP_PERIOD
    spent = NumberAttribute(default=0)  # yen reserved by pending orders plus yen paid this month
    own_cap = NumberAttribute(null=True)  # on the CAP_PERIOD item: the adult's self-set monthly cap
    updated_at = UTCDateTimeAttribute(null=True)


class PurchaseClaim(Model):
    Meta = table_meta("purchase-claims")

    claim_key = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)
