"""Erasing an account after its deletion grace period (issue 18, APPI): what goes, what stays, and why.

Goes: the person's identity. The user item keeps its random id but its email, name and birth date are
overwritten, the password and MFA secrets replaced, and it is marked ``deleted`` and ``suspended`` (no
sign-in, ever); the email claim is deleted (the address can sign up again); download records lose the
source IP; every reward is ``revoked`` (nothing downloadable any more).

Stays, keyed only by the random user id that now maps to nobody: orders, payments and refunds (a seller
must keep them: 特定商取引法 and tax law), spending, the medal ledger and balances, the reward items
(revoked), exchanges, and the audit log. Nothing in those is rewritten, so the medal ledger still sums
to the balances and the audit hash chain still verifies (``oshi.audit.verify``): no entry changes.
Audit entries name users by id (``user/<id>``, ``user:<id>``), never by email or name.

Refresh families (with the IP and client seen at sign-in) were revoked at the request and expire by TTL
within 30 days. The suppression list keeps a bounced address (it names an address, not an account).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pynamodb.exceptions import DeleteError, UpdateError

from oshi import audit
from oshi.identity import passwords, revocation
from oshi.kernel import clock
from oshi.models.exchange import DownloadRecord
from oshi.models.rewards import Reward
from oshi.models.users import EmailClaim, User

ERASED_NAME = "(deleted)"
ERASED_BIRTH_DATE = "1900-01-01"
CONDITION_FAILED = "ConditionalCheckFailedException"


@dataclass(frozen=True)
class Erased:
    user_id: str
    rewards_revoked: int
    downloads_scrubbed: int


def due(grace_seconds: int, *, limit: int = 100) -> list[User]:
    """Accounts whose deletion was requested more than ``grace_seconds`` ago (sparse index)."""
    cutoff = int(clock.now()) - grace_seconds
    return list(User.pending_deletion.query("1", User.deletion_requested_at <= cutoff, limit=limit))


def erase(user: User) -> Erased | None:
    """Erase one account; None if its deletion was cancelled meanwhile (the conditional write decides)."""
    requested = user.deletion_requested_at
    if requested is None:
        return None
    old_email = user.email_normalized
    try:
        user.update(
            actions=[
                User.email.set(f"deleted-{user.user_id}@deleted.invalid"),
                User.email_normalized.set(f"deleted-{user.user_id}@deleted.invalid"),
                User.display_name.set(ERASED_NAME),
                User.birth_date.set(ERASED_BIRTH_DATE),
                User.password_hash.set(passwords.hash_password(secrets.token_urlsafe(32))),
                User.mfa_enabled.set(False),
                User.mfa_secret.remove(),
                User.mfa_pending_secret.remove(),
                User.mfa_recovery_codes.remove(),
                User.suspended.set(True),
                User.deleted.set(True),
                User.deletion_pending.remove(),
            ],
            condition=User.deletion_requested_at == requested,  # not cancelled by a sign-in since
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return None
        raise
    try:
        EmailClaim(old_email).delete(condition=EmailClaim.user_id == user.user_id)
    except DeleteError as exc:
        if exc.cause_response_code != CONDITION_FAILED:
            raise
    revocation.revoke_all(user.user_id, reason="erased")
    rewards = 0
    for reward in Reward.query(user.user_id):
        if not reward.revoked:
            reward.update(actions=[Reward.revoked.set(True)])
            rewards += 1
    downloads = 0
    for record in DownloadRecord.query(user.user_id):
        if record.source_ip is not None:
            record.update(actions=[DownloadRecord.source_ip.remove()])
            downloads += 1
    audit.record(
        "system",
        "privacy.account_erased",
        f"user/{user.user_id}",
        after={"requested_at": int(requested), "rewards_revoked": rewards},
    )
    return Erased(user.user_id, rewards, downloads)
