"""Account flows (issue 18): one-time link tokens, the mail suppression list, the sent-mail ledger.

Link tokens (email verification, password reset, email change) are 256 random bits handed out in a link;
only their SHA-256 is stored, with the purpose, the owner and an expiry. Using one is a conditional update
(``used_at`` must not exist), so a link works once even when clicked twice at the same moment.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from oshi.models.base import table_meta


class AccountToken(Model):
    Meta = table_meta("account-tokens")

    token_hash = UnicodeAttribute(hash_key=True)  # hex SHA-256 of the token in the link
    purpose = UnicodeAttribute()  # "verify_email" | "reset_password" | "change_email"
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()  # the address the link was mailed to (the new one for change_email)
    created_at = NumberAttribute()
    valid_until = NumberAttribute()  # epoch seconds; code checks it (TTL deletion is lazy)
    used_at = NumberAttribute(null=True)
    expires_at = TTLAttribute()  # valid_until + a day: the item is gone after that


class MailSuppression(Model):
    """An address SES reported as bounced or complaining: nothing is mailed to it again."""

    Meta = table_meta("mail-suppressions")

    email = UnicodeAttribute(hash_key=True)  # normalised (NFKC, stripped, lower case)
    reason = UnicodeAttribute()  # "bounce" | "complaint"
    at = NumberAttribute()


class MailSent(Model):
    """One item per mail that must go out at most once (a receipt per PaymentCompleted event...):
    written with ``attribute_not_exists`` before sending, so a redelivered event does not mail again."""

    Meta = table_meta("mail-sent")

    key = UnicodeAttribute(hash_key=True)  # "<kind>#<event id>"
    to_hash = UnicodeAttribute()  # SHA-256 of the address (no plain address kept here)
    at = NumberAttribute()
    expires_at = TTLAttribute()  # past any redelivery (SQS keeps a message at most 14 days)
