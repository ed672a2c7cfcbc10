"""Refresh tokens: one item per token (only its SHA-256 is stored) and one item per family (a login).

A token is usable while it is ``active``, unexpired, and its family is not revoked. Rotation marks the
old token ``rotated`` and points it at its successor; presenting a rotated token again (outside the short
grace window, see ``oshi.identity.refresh_tokens``) revokes the family, which kills the newest token too.
Both tables expire items with a DynamoDB TTL; code checks ``expires_at`` itself (TTL deletion is lazy).
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from oshi.models.base import table_meta


class RefreshToken(Model):
    Meta = table_meta("refresh-tokens")

    token_hash = UnicodeAttribute(hash_key=True)  # hex SHA-256 of the opaque token
    family_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()  # "active" | "rotated"
    issued_at = NumberAttribute()
    rotated_at = NumberAttribute(null=True)
    replaced_by = UnicodeAttribute(null=True)  # successor's hash
    expires_at = TTLAttribute()


class FamiliesByUser(GlobalSecondaryIndex["RefreshFamily"]):
    """A user's sessions (``GET /api/auth/sessions``), oldest first."""

    class Meta:
        index_name = "by-user"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class RefreshFamily(Model):
    Meta = table_meta("refresh-families")

    family_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    amr = ListAttribute(of=UnicodeAttribute)  # how the login was authenticated: ["pwd"] or ["pwd", "mfa"]
    head = UnicodeAttribute()  # hash of the newest token
    revoked = BooleanAttribute(default=False)
    revoked_reason = UnicodeAttribute(
        null=True
    )  # "logout" | "reuse" | "user" | "revoked" (token-revocations)
    created_at = NumberAttribute()
    expires_at = TTLAttribute()
    # As seen at sign-in and at each rotation (issue 18: the sessions list). Informational only.
    last_used_at = NumberAttribute(null=True)
    client = UnicodeAttribute(null=True)  # User-Agent, truncated
    ip = UnicodeAttribute(null=True)
    by_user = FamiliesByUser()


class TokenRevocation(Model):
    """Per user: every access token issued (``iat``) and every refresh family created before ``not_before``
    is void. Written by sign-out-everywhere, account suspension (and a password reset); read by the
    authorizer, the handlers and refresh rotation (``oshi.identity.revocation``, with the low-level client:
    the authorizer does not import PynamoDB). Only ever moves forward."""

    Meta = table_meta("token-revocations")

    user_id = UnicodeAttribute(hash_key=True)
    not_before = NumberAttribute()  # epoch seconds
    reason = UnicodeAttribute()  # "sign_out_everywhere" | "suspended" | "password_reset"
    # Past the longest life of anything it voids (a refresh family last rotated just before it: 30 days).
    expires_at = TTLAttribute()
