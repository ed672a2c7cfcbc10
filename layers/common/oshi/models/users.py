"""Accounts: the user item, and one claim item per normalised email (the uniqueness guard).

The email claim and the user are written in ONE transaction with ``attribute_not_exists`` on both, so two
concurrent registrations of the same address (in any letter case) cannot both succeed.
Secrets never leave this module's callers: ``oshi.identity.users.UserProfile`` is what the rest of the code sees.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from oshi.models.base import table_meta


class UsersPendingDeletion(GlobalSecondaryIndex["User"]):
    """Sparse: only accounts whose deletion was requested carry ``deletion_pending`` (the eraser's list)."""

    class Meta:
        index_name = "pending-deletion"
        projection = AllProjection()

    deletion_pending = UnicodeAttribute(hash_key=True)  # always "1"
    deletion_requested_at = NumberAttribute(range_key=True)


class User(Model):
    Meta = table_meta("users")

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()  # as typed at sign-up (display); uniqueness is on the normalised form
    email_normalized = UnicodeAttribute()
    display_name = UnicodeAttribute()
    birth_date = UnicodeAttribute()  # ISO date; minors' spending caps are derived from it
    terms_version = UnicodeAttribute()
    terms_accepted_at = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    roles = UnicodeSetAttribute()
    password_hash = UnicodeAttribute()  # bcrypt
    # Lockout: failures counted with atomic ADD, lock set by a conditional update (one writer wins).
    failed_logins = NumberAttribute(default=0)
    locked_until = NumberAttribute(null=True)  # epoch seconds
    # MFA: TOTP secrets are AES-GCM ciphertexts (oshi.identity.mfa), never plain text.
    mfa_enabled = BooleanAttribute(default=False)
    mfa_secret = UnicodeAttribute(null=True)
    mfa_pending_secret = UnicodeAttribute(null=True)
    mfa_last_step = NumberAttribute(null=True)  # last accepted TOTP time step: replay protection
    # An admin suspended the account: no sign-in, no refresh; its tokens were revoked at the same time.
    suspended = BooleanAttribute(null=True)
    # Issue 18. Absent on accounts made before verification existed: those count as unverified.
    email_verified = BooleanAttribute(null=True)
    locale = UnicodeAttribute(null=True)  # "ja" (default) | "en": the language of mail to this user
    # One-time MFA recovery codes: SHA-256 of each unused code (oshi.identity.recovery_codes).
    mfa_recovery_codes = UnicodeSetAttribute(null=True)
    # Account deletion: requested at (epoch s); the erase job runs after the grace period; signing in cancels.
    deletion_requested_at = NumberAttribute(null=True)
    deleted = BooleanAttribute(null=True)  # erased: personal data gone, sign-in impossible
    deletion_pending = UnicodeAttribute(null=True)  # "1" while a deletion waits (sparse index below)
    pending_deletion = UsersPendingDeletion()


class EmailClaim(Model):
    Meta = table_meta("user-emails")

    email = UnicodeAttribute(hash_key=True)  # normalised: NFKC, stripped, lower case
    user_id = UnicodeAttribute()
