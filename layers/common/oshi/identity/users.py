"""Accounts: registration, password sign-in with lockout, roles, MFA enrolment and code checks.

What other services use: ``get_user`` / ``find_user`` (a ``UserProfile``, never secrets; defined in
``oshi.identity.profiles``, which a read route imports alone),
``grant_role`` / ``revoke_role``, ``change_role_in`` (a role change inside the caller's transaction: the
VTuber screening), ``create_admin`` (ops/seed only: no public path creates an admin). Roles live on the
user item; access tokens carry a copy, refreshed from here at every token refresh, so a role change takes
effect at the caller's next refresh (at most 15 min). Every audited change here commits with its audit
entry in one transaction (``oshi.audit.add``, the audit outbox).
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError

from oshi import audit
from oshi.identity import mfa, passwords, recovery_codes, revocation
from oshi.identity.principal import Role
from oshi.identity.profiles import UserProfile
from oshi.identity.profiles import find_user as find_user  # re-exported: what other services use
from oshi.identity.profiles import get_user as get_user
from oshi.identity.profiles import load as _load
from oshi.identity.profiles import roles_of as _roles
from oshi.kernel import clock
from oshi.kernel.errors import (
    EmailTaken,
    Forbidden,
    InvalidCredentials,
    MfaAlreadyEnabled,
    MfaCodeInvalid,
    MfaNotEnabled,
    MfaNotSetUp,
    PasswordIncorrect,
    UserNotFound,
)
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.users import EmailClaim, User

MAX_FAILED_LOGINS = 5
LOCK_SECONDS = 15 * 60
CONDITION_FAILED = "ConditionalCheckFailedException"


def normalize_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().lower()


# --- accounts -------------------------------------------------------------------------------------------
def register(
    *,
    email: str,
    password: str,
    display_name: str,
    birth_date: date,
    terms_version: str,
    now: float | None = None,
    locale: str | None = None,
) -> UserProfile:
    """A new fan. Whatever else the request carried (a ``role``...) is not a parameter, so it cannot land."""
    return _create(
        email=email,
        password=password,
        display_name=display_name,
        birth_date=birth_date,
        terms_version=terms_version,
        roles={Role.FAN},
        now=now,
        locale=locale,
    )


def create_admin(
    *, email: str, password: str, display_name: str, birth_date: date, actor: str = "ops"
) -> UserProfile:
    """Ops/seed only (no route calls this). The admin must then enrol MFA before admin writes pass."""
    profile = _create(
        email=email,
        password=password,
        display_name=display_name,
        birth_date=birth_date,
        terms_version="admin",
        roles={Role.FAN, Role.ADMIN},
        audited=(actor, "auth.admin_created", {"roles": ["admin", "fan"]}),
    )
    return profile


def _create(
    *,
    email: str,
    password: str,
    display_name: str,
    birth_date: date,
    terms_version: str,
    roles: set[Role],
    now: float | None = None,
    locale: str | None = None,
    audited: tuple[str, str, dict[str, Any]] | None = None,
) -> UserProfile:
    """``audited``: (actor, action, after) of an audit entry committed with the account."""
    normalized = normalize_email(email)
    passwords.check_policy(password, email=normalized)
    password_hash = passwords.hash_password(password)  # the slow part, before the transaction
    at = datetime.fromtimestamp(now if now is not None else clock.now(), UTC)
    user_id = uuid.uuid4().hex
    user = User(
        user_id,
        email=email.strip(),
        email_normalized=normalized,
        display_name=display_name,
        birth_date=birth_date.isoformat(),
        terms_version=terms_version,
        terms_accepted_at=at,
        created_at=at,
        roles={role.value for role in roles},
        password_hash=password_hash,
        failed_logins=0,
        mfa_enabled=False,
        locale=locale if locale in ("ja", "en") else None,
    )
    txn = Txn()
    txn.put("email", EmailClaim(normalized, user_id=user_id), condition=EmailClaim.email.does_not_exist())
    txn.put("user", user, condition=User.user_id.does_not_exist())
    if audited is not None:
        actor, action, after = audited
        audit.add(txn, actor, action, f"user/{user_id}", after=after)
    try:
        txn.commit()
    except ConditionsFailed as failed:
        if "email" in failed.labels:
            raise EmailTaken(details=[{"field": "email", "type": "taken"}]) from None
        raise
    return UserProfile.of(user)


def grant_role(user_id: str, role: Role, *, actor: str = "system") -> UserProfile:
    """Add a role (idempotent). Takes effect in the user's tokens at their next refresh."""
    return _change_role(user_id, role, add=True, actor=actor)


def revoke_role(user_id: str, role: Role, *, actor: str = "system") -> UserProfile:
    return _change_role(user_id, role, add=False, actor=actor)


ROLE_LABEL = "user"  # the label of ``change_role_in``'s update: its condition failing means no such user


def change_role_in(txn: Txn, user_id: str, role: Role, *, add: bool, actor: str) -> None:
    """A role change and its audit entry as actions of ``txn`` (the audit outbox), so a caller can commit
    them with its own change (the VTuber screening). The update is labelled ``ROLE_LABEL``: its condition
    (the user exists) failing is ``UserNotFound``."""
    role = Role(role)
    txn.update(
        ROLE_LABEL,
        User(user_id),
        [User.roles.add({role.value}) if add else User.roles.delete({role.value})],
        condition=User.user_id.exists(),
    )
    audit.add(
        txn,
        actor,
        "auth.role_granted" if add else "auth.role_revoked",
        f"user/{user_id}",
        after={"role": role.value},
    )


def _change_role(user_id: str, role: Role, *, add: bool, actor: str) -> UserProfile:
    txn = Txn()  # the role change and its audit entry commit together
    change_role_in(txn, user_id, role, add=add, actor=actor)
    try:
        txn.commit()
    except ConditionsFailed:
        raise UserNotFound() from None
    return get_user(user_id)


def mark_email_verified(
    user_id: str, *, email_normalized: str | None = None, audit_actor: str | None = None
) -> None:
    """The account's address is confirmed. With ``email_normalized``: only if the account still has that
    address (a verification link for an address since changed does nothing). Raises ``UserNotFound``.
    With ``audit_actor``: the ``auth.email_verified`` entry commits with it (the audit outbox)."""
    condition = User.user_id.exists()
    if email_normalized is not None:
        condition = condition & (User.email_normalized == email_normalized)
    txn = Txn()
    txn.update("user", User(user_id), [User.email_verified.set(True)], condition=condition)
    if audit_actor is not None:
        audit.add(txn, audit_actor, "auth.email_verified", f"user/{user_id}")
    try:
        txn.commit()
    except ConditionsFailed:
        raise UserNotFound() from None


def load_user(user_id: str) -> User:
    """The user item itself, secrets included: for ``oshi.identity`` modules only."""
    return _load(user_id)


# --- suspension --------------------------------------------------------------------------------------
def suspend(user_id: str, *, actor: str, reason: str) -> UserProfile:
    """An admin stops an account: no more sign-ins or refreshes, and every token it holds is revoked
    (``oshi.identity.revocation``). Idempotent."""
    txn = Txn()  # the suspension and its audit entry commit together (the audit outbox)
    txn.update("user", User(user_id), [User.suspended.set(True)], condition=User.user_id.exists())
    audit.add(
        txn, actor, "auth.user_suspended", f"user/{user_id}", after={"suspended": True, "reason": reason}
    )
    try:
        txn.commit()
    except ConditionsFailed:
        raise UserNotFound() from None
    # Then the tokens (a marker outside PynamoDB, only moving forward): a crash here leaves the account
    # suspended (no sign-in, no refresh) and audited; the admin's retry, idempotent, revokes them.
    revocation.revoke_all(user_id, reason=revocation.SUSPENDED)
    return get_user(user_id)


# --- password sign-in and lockout ------------------------------------------------------------------------
def _locked(user: User, now: float) -> bool:
    return user.locked_until is not None and float(user.locked_until) > now


def authenticate(email: str, password: str, *, now: float | None = None) -> User:
    """The user whose password this is, or ``InvalidCredentials``: the same error, message and (one bcrypt
    check) time whether the email is unknown, the password wrong, or the account locked."""
    at = now if now is not None else clock.now()
    try:
        claim = EmailClaim.get(normalize_email(email), consistent_read=True)
        user = User.get(claim.user_id, consistent_read=True)
    except DoesNotExist:
        passwords.burn_time()
        raise InvalidCredentials() from None
    if _locked(user, at):
        passwords.burn_time()  # the password is not even checked while locked
        raise InvalidCredentials()
    if not passwords.verify_password(password, user.password_hash):
        record_failure(user.user_id, now=at)
        raise InvalidCredentials()
    if user.suspended:
        raise InvalidCredentials()  # the same answer as any refusal: nothing about the account leaks
    if user.failed_logins or user.locked_until is not None:
        user.update(actions=[User.failed_logins.set(0), User.locked_until.remove()])
    return user


def record_failure(user_id: str, *, now: float) -> None:
    """Count one failed sign-in (password or MFA code); the MAX-th locks the account and is audited once."""
    user = User(user_id)
    try:
        # Atomic ADD: concurrent failures are all counted. Not counted while locked.
        user.update(
            actions=[User.failed_logins.add(1)],
            condition=User.user_id.exists()
            & (User.locked_until.does_not_exist() | (User.locked_until <= now)),
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return
        raise
    if (user.failed_logins or 0) < MAX_FAILED_LOGINS:
        return
    until = int(now) + LOCK_SECONDS
    # Only one of several concurrent failures passes this condition: one lock, one audit entry (committed
    # together: the audit outbox).
    txn = Txn()
    txn.update(
        "user",
        user,
        [User.locked_until.set(until), User.failed_logins.set(0)],
        condition=User.failed_logins >= MAX_FAILED_LOGINS,
    )
    audit.add(
        txn,
        "system",
        "auth.login_locked",
        f"user/{user_id}",
        after={
            "failures": MAX_FAILED_LOGINS,
            "locked_until": datetime.fromtimestamp(until, UTC).isoformat(),
        },
    )
    try:
        txn.commit()
    except ConditionsFailed:
        return


# --- MFA ------------------------------------------------------------------------------------------------
def start_mfa_setup(user_id: str) -> tuple[str, str]:
    """A new pending TOTP secret: returns (secret, provisioning URI), shown once to the user."""
    user = _load(user_id)
    if user.mfa_enabled:
        raise MfaAlreadyEnabled()
    secret = mfa.new_secret()
    try:
        user.update(
            actions=[User.mfa_pending_secret.set(mfa.seal(secret, user_id))],
            condition=User.mfa_enabled == False,  # noqa: E712 - a DynamoDB condition, not a comparison
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise MfaAlreadyEnabled() from None
        raise
    return secret, mfa.provisioning_uri(secret, user.email)


def enable_mfa(user_id: str, code: str, *, now: float | None = None) -> UserProfile:
    """Turn MFA on once the user proves their app produces codes for the pending secret."""
    at = now if now is not None else clock.now()
    user = _load(user_id)
    if user.mfa_enabled:
        raise MfaAlreadyEnabled()
    pending = user.mfa_pending_secret
    if not pending:
        raise MfaNotSetUp()
    step = mfa.matching_step(mfa.unseal(pending, user_id), code, at)
    if step is None:
        raise MfaCodeInvalid()
    txn = Txn()  # MFA on and its audit entry commit together (the audit outbox)
    txn.update(
        "user",
        user,
        [
            User.mfa_enabled.set(True),
            User.mfa_secret.set(pending),
            User.mfa_pending_secret.remove(),
            User.mfa_last_step.set(step),
        ],
        condition=(User.mfa_pending_secret == pending)
        & (User.mfa_last_step.does_not_exist() | (User.mfa_last_step < step)),
    )
    audit.add(txn, f"user:{user_id}", "auth.mfa_enabled", f"user/{user_id}")
    try:
        txn.commit()
    except ConditionsFailed:
        raise MfaCodeInvalid() from None
    # A transaction returns no attributes (an UpdateItem refreshed the object): the profile reads these.
    user.mfa_enabled, user.mfa_secret, user.mfa_pending_secret, user.mfa_last_step = True, pending, None, step
    return UserProfile.of(user)


def check_mfa_code(user_id: str, code: str, *, now: float | None = None) -> User:
    """The second sign-in step. A code is accepted once: its time step must be later than the last
    accepted one, enforced by a conditional write, so a replay (even a concurrent one) fails.
    Wrong codes count towards the same lockout as wrong passwords."""
    at = now if now is not None else clock.now()
    user = _load(user_id)
    if _locked(user, at) or user.suspended or not user.mfa_enabled or not user.mfa_secret:
        raise InvalidCredentials()
    step = mfa.matching_step(mfa.unseal(user.mfa_secret, user_id), code, at)
    if step is None or (user.mfa_last_step is not None and step <= int(user.mfa_last_step)):
        record_failure(user_id, now=at)
        raise MfaCodeInvalid()
    try:
        user.update(
            actions=[User.mfa_last_step.set(step), User.failed_logins.set(0), User.locked_until.remove()],
            condition=User.mfa_last_step.does_not_exist() | (User.mfa_last_step < step),
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            record_failure(user_id, now=at)
            raise MfaCodeInvalid() from None
        raise
    return user


# --- MFA recovery codes and disabling MFA (issue 18) ------------------------------------------------------
def issue_recovery_codes(user_id: str) -> list[str]:
    """Ten new one-time codes (the old ones stop working); returned once, only hashes are kept."""
    codes = recovery_codes.new_codes()
    txn = Txn()  # the codes and their audit entry commit together (the audit outbox)
    txn.update(
        "user",
        User(user_id),
        [User.mfa_recovery_codes.set({recovery_codes.code_hash(user_id, c) for c in codes})],
        condition=User.mfa_enabled == True,  # noqa: E712 - a DynamoDB condition
    )
    audit.add(txn, f"user:{user_id}", "auth.recovery_codes_issued", f"user/{user_id}")
    try:
        txn.commit()
    except ConditionsFailed:
        raise MfaNotEnabled() from None
    return codes


def check_recovery_code(user_id: str, code: str, *, now: float | None = None) -> User:
    """Use one recovery code in place of a TOTP code; each works once (conditional DELETE from the set).
    Wrong codes count towards the sign-in lockout, like wrong TOTP codes."""
    at = now if now is not None else clock.now()
    user = _load(user_id)
    if _locked(user, at) or user.suspended or not user.mfa_enabled:
        raise InvalidCredentials()
    hashed = recovery_codes.code_hash(user_id, code)
    # The codes left as this read saw them (the entry is written before the update's result is known; only
    # another code used at the same instant would make the count one too high).
    left = set(user.mfa_recovery_codes or ()) - {hashed}
    txn = Txn()  # the code's use and its audit entry commit together (the audit outbox)
    txn.update(
        "user",
        user,
        [User.mfa_recovery_codes.delete({hashed}), User.failed_logins.set(0), User.locked_until.remove()],
        condition=User.mfa_recovery_codes.contains(hashed),
    )
    audit.add(
        txn, f"user:{user_id}", "auth.recovery_code_used", f"user/{user_id}", after={"codes_left": len(left)}
    )
    try:
        txn.commit()
    except ConditionsFailed:
        record_failure(user_id, now=at)
        raise MfaCodeInvalid() from None
    # A transaction returns no attributes (an UpdateItem refreshed the object): the caller reads these.
    user.mfa_recovery_codes, user.failed_logins, user.locked_until = left or None, 0, None
    return user


def check_second_factor(user_id: str, code: str, *, now: float | None = None) -> User:
    """A TOTP code or a recovery code, whichever it looks like."""
    if recovery_codes.looks_like(code):
        return check_recovery_code(user_id, code, now=now)
    return check_mfa_code(user_id, code, now=now)


def disable_mfa(user_id: str, password: str, code: str) -> None:
    """Turn MFA off: the password and a second factor (TOTP or recovery code) are both required. An
    admin's MFA cannot be turned off this way (admin routes need it; docs/auth.md: recovery by ops)."""
    user = _load(user_id)
    if Role.ADMIN in _roles(user):
        raise Forbidden("An admin account keeps MFA on; ask another admin (docs/auth.md).")
    if not user.mfa_enabled:
        raise MfaNotEnabled()
    if not passwords.verify_password(password, user.password_hash):
        record_failure(user_id, now=clock.now())
        raise PasswordIncorrect()
    check_second_factor(user_id, code)
    txn = Txn()  # MFA off and its audit entry commit together (the audit outbox)
    txn.update(
        "user",
        User(user_id),
        [
            User.mfa_enabled.set(False),
            User.mfa_secret.remove(),
            User.mfa_pending_secret.remove(),
            User.mfa_recovery_codes.remove(),
        ],
    )
    audit.add(txn, f"user:{user_id}", "auth.mfa_disabled", f"user/{user_id}")
    txn.commit()


# --- account deletion (issue 18) ---------------------------------------------------------------------------
def cancel_deletion(user: User) -> bool:
    """Signing in during the grace period cancels a requested deletion. True if one was cancelled."""
    if user.deletion_requested_at is None:
        return False
    txn = Txn()  # the cancellation and its audit entry commit together (the audit outbox)
    txn.update(
        "user",
        user,
        [User.deletion_requested_at.remove(), User.deletion_pending.remove()],
        condition=User.deletion_requested_at.exists()
        & (User.deleted.does_not_exist() | (User.deleted == False)),  # noqa: E712
    )
    audit.add(txn, f"user:{user.user_id}", "privacy.deletion_cancelled", f"user/{user.user_id}")
    try:
        txn.commit()
    except ConditionsFailed:
        return False
    user.deletion_requested_at = user.deletion_pending = None  # a transaction does not refresh the object
    return True
