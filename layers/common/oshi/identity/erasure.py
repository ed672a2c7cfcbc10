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

from oshi import audit
from oshi.identity import passwords, revocation
from oshi.kernel import clock
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.exchange import DownloadRecord
from oshi.models.rewards import Reward
from oshi.models.users import EmailClaim, User

ERASED_NAME = "(deleted)"
ERASED_BIRTH_DATE = "1900-01-01"


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
    """Erase one account; None if its deletion was cancelled meanwhile (the conditional write decides).

    Resumable: the account stays in the eraser's sparse index (``deletion_pending``) until the last step,
    which leaves it in the same transaction as the audit entry. A crash anywhere before that is finished by
    the next run, every step being idempotent (the identity is overwritten again, rewards already revoked
    and IPs already removed are skipped); ``resumed`` in the entry says a run was interrupted before."""
    requested = user.deletion_requested_at
    if requested is None:
        return None
    resumed = bool(user.deleted)  # an earlier run overwrote the identity, then stopped
    if not _erase_identity(user, requested, free_address=True):
        return None
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
    done = Txn()  # out of the eraser's index, and recorded: both or neither
    done.update(
        "user",
        User(user.user_id),
        [User.deletion_pending.remove()],
        condition=User.deletion_requested_at == requested,
    )
    audit.add(
        done,
        "system",
        "privacy.account_erased",
        f"user/{user.user_id}",
        after={"requested_at": int(requested), "rewards_revoked": rewards, "resumed": resumed},
    )
    done.commit()
    return Erased(user.user_id, rewards, downloads)


def _erase_identity(user: User, requested: float, *, free_address: bool) -> bool:
    """Overwrite the identity and free its address's claim in one transaction; False if the deletion was
    cancelled meanwhile. A claim held by another account (never expected) is left alone."""
    erased_email = f"deleted-{user.user_id}@deleted.invalid"
    txn = Txn()
    txn.update(
        "user",
        User(user.user_id),
        [
            User.email.set(erased_email),
            User.email_normalized.set(erased_email),
            User.display_name.set(ERASED_NAME),
            User.birth_date.set(ERASED_BIRTH_DATE),
            User.password_hash.set(passwords.hash_password(secrets.token_urlsafe(32))),
            User.mfa_enabled.set(False),
            User.mfa_secret.remove(),
            User.mfa_pending_secret.remove(),
            User.mfa_recovery_codes.remove(),
            User.suspended.set(True),
            User.deleted.set(True),
        ],
        condition=User.deletion_requested_at == requested,  # not cancelled by a sign-in since
    )
    if free_address and user.email_normalized != erased_email:  # a resumed run erased it already
        txn.delete(
            "claim",
            EmailClaim(user.email_normalized),
            condition=(EmailClaim.user_id == user.user_id) | EmailClaim.email.does_not_exist(),
        )
    try:
        txn.commit()
    except ConditionsFailed as failed:
        if "user" in failed.labels:
            return False
        return _erase_identity(user, requested, free_address=False)
    return True
