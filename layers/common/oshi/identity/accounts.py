"""Account flows a person needs (issue 18): email verification, password reset and change, sessions.

Link tokens: 256 random bits in the link, only their SHA-256 at rest (``AccountToken``), one purpose each,
a validity (verification 24 h, reset 30 min) and single use (a conditional write sets ``used_at``, so
two clicks at once cannot both pass). Unknown, tampered, expired or used tokens get one answer,
``LINK_TOKEN_INVALID``, and change nothing.

Mail goes through ``oshi.mail.outbox`` with a per-address hourly cap on the flows a stranger can trigger
(resend, forgot password): a flood sends at most ``MAILS_PER_ADDRESS_PER_HOUR`` mails to one address.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from pynamodb.exceptions import DoesNotExist, UpdateError

from oshi import audit
from oshi.events import bus
from oshi.identity import passwords, refresh_tokens, revocation, users
from oshi.kernel import clock
from oshi.kernel.errors import (
    DeletionBlocked,
    EmailTaken,
    LinkTokenInvalid,
    PasswordIncorrect,
    SessionNotFound,
)
from oshi.kernel.ids import new_id
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.mail import outbox, templates
from oshi.models.accounts import AccountToken
from oshi.models.sessions import RefreshFamily
from oshi.models.users import EmailClaim, User

if TYPE_CHECKING:
    from oshi.identity.sessions import TokenPair

VERIFY_EMAIL, RESET_PASSWORD = "verify_email", "reset_password"
CHANGE_EMAIL = "change_email"
VERIFY_SECONDS = 24 * 3600
RESET_SECONDS = 30 * 60
MAILS_PER_ADDRESS_PER_HOUR = 3
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a revocation reason
SIGN_OUT_OTHERS = "sign_out_others"
CONDITION_FAILED = "ConditionalCheckFailedException"
JST = timezone(timedelta(hours=9))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(purpose: str, user_id: str, email: str, seconds: int) -> str:
    raw = secrets.token_urlsafe(32)
    now = int(clock.now())
    AccountToken(
        token_hash(raw),
        purpose=purpose,
        user_id=user_id,
        email=email,
        created_at=now,
        valid_until=now + seconds,
        expires_at=datetime.fromtimestamp(now + seconds + 86400, UTC),
    ).save(condition=AccountToken.token_hash.does_not_exist())
    return raw


def _consume(token: str, purpose: str) -> AccountToken:
    """Mark the token used, once; any other state of it is ``LinkTokenInvalid``."""
    if not token or len(token) > 128:
        raise LinkTokenInvalid()
    now = int(clock.now())
    item = AccountToken(token_hash(token))
    try:
        item.update(
            actions=[AccountToken.used_at.set(now)],
            condition=AccountToken.token_hash.exists()
            & (AccountToken.purpose == purpose)
            & AccountToken.used_at.does_not_exist()
            & (AccountToken.valid_until > now),
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            raise LinkTokenInvalid() from None
        raise
    return item


def _peek(token: str, purpose: str) -> AccountToken:
    """The token if it could be used now, without using it (a reset link is checked before the password)."""
    if not token or len(token) > 128:
        raise LinkTokenInvalid()
    try:
        item = AccountToken.get(token_hash(token), consistent_read=True)
    except DoesNotExist:
        raise LinkTokenInvalid() from None
    if item.purpose != purpose or item.used_at is not None or int(item.valid_until) <= int(clock.now()):
        raise LinkTokenInvalid()
    return item


# --- 1. email verification ---------------------------------------------------------------------------
def send_verification(user_id: str, *, resend: bool = True) -> bool:
    """Mail a verification link (at sign-up, and on resend). False when nothing was sent: already
    verified, the address is suppressed, or it got its hourly share of mail. A resend is audited (the
    sign-up's first link is part of the registration)."""
    profile = users.get_user(user_id)
    if profile.email_verified:
        return False
    raw = _issue(VERIFY_EMAIL, user_id, users.normalize_email(profile.email), VERIFY_SECONDS)
    rendered = templates.render(
        "verify_email",
        profile.locale,
        link=templates.site_link("/account/verify-email", token=raw),
        name=profile.display_name,
    )
    sent = outbox.send(profile.email, rendered, kind="verify_email", per_hour=MAILS_PER_ADDRESS_PER_HOUR)
    if resend:
        audit.record(f"user:{user_id}", "auth.verification_resent", f"user/{user_id}", after={"sent": sent})
    return sent


def verify_email(token: str) -> str:
    """Use a verification link (sign-up, or a change of address); returns the user id. A sign-up link's
    address must still be the account's."""
    if _purpose_of(token) == CHANGE_EMAIL:
        return _complete_email_change(token)
    item = _consume(token, VERIFY_EMAIL)
    try:
        users.mark_email_verified(
            item.user_id, email_normalized=item.email, audit_actor=f"user:{item.user_id}"
        )
    except users.UserNotFound:
        raise LinkTokenInvalid() from None  # the account changed its address (or is gone) since
    return str(item.user_id)


# --- 2. password reset ---------------------------------------------------------------------------------
RESET_REQUEST = "reset_request"
RESET_REQUEST_SECONDS = 3600


def forgot_password(email: str) -> str:
    """The request path of "forgot password": the SAME two calls whatever the address (one PutItem of the
    request, one PutEvents), so neither the answer nor its timing says whether an account exists. The
    lookup and the mail happen in the ``auth.password_reset_mail`` consumer (``send_reset_link``). The
    address waits in ``account-tokens`` (1 h TTL), never on the bus (whose archive keeps events)."""
    # here, not at import: the event definitions are pydantic models, and GET /api/auth/sessions imports
    # this module without publishing anything
    from oshi.events.definitions import PASSWORD_RESET_REQUESTED, PasswordResetRequestedData

    request_id = new_id()
    _store_request(request_id, users.normalize_email(email))
    bus.publish([PASSWORD_RESET_REQUESTED.event(PasswordResetRequestedData(request_id=request_id))])
    return request_id


def _store_request(request_id: str, normalized: str) -> None:
    now = int(clock.now())
    AccountToken(
        token_hash(request_id),
        purpose=RESET_REQUEST,
        user_id="",
        email=normalized,
        created_at=now,
        valid_until=now + RESET_REQUEST_SECONDS,
        expires_at=datetime.fromtimestamp(now + RESET_REQUEST_SECONDS, UTC),
    ).save()


def send_reset_link(request_id: str) -> bool:
    """The consumer's half: mail a reset link if the requested address has an account (at most
    ``MAILS_PER_ADDRESS_PER_HOUR`` an hour). Idempotent: the request is used once."""
    try:
        request = _consume(request_id, RESET_REQUEST)
    except LinkTokenInvalid:
        return False  # already handled (a redelivery), or expired
    normalized = str(request.email)
    allowed = outbox.under_hourly_cap("reset_password", normalized, MAILS_PER_ADDRESS_PER_HOUR)
    try:
        claim = EmailClaim.get(normalized, consistent_read=True)
    except DoesNotExist:
        return False
    if not allowed:
        return False
    profile = users.find_user(str(claim.user_id))
    if profile is None or profile.suspended:
        return False
    raw = _issue(RESET_PASSWORD, profile.user_id, normalized, RESET_SECONDS)
    rendered = templates.render(
        "reset_password", profile.locale, link=templates.site_link("/account/reset-password", token=raw)
    )
    sent = outbox.send(profile.email, rendered, kind="reset_password")
    audit.record("system", "auth.password_reset_requested", f"user/{profile.user_id}", after={"sent": sent})
    return sent


def check_reset_token(token: str) -> None:
    _peek(token, RESET_PASSWORD)


def reset_password(token: str, new_password: str) -> None:
    """Set a new password with a reset link: every session of the account ends, and the account is told."""
    item = _peek(token, RESET_PASSWORD)
    profile = users.get_user(str(item.user_id))
    passwords.check_policy(new_password, email=users.normalize_email(profile.email))  # before using the link
    new_hash = passwords.hash_password(new_password)
    item = _consume(token, RESET_PASSWORD)
    txn = Txn()  # the new password and its audit entry commit together (the audit outbox)
    txn.update(
        "user",
        User(item.user_id),
        [User.password_hash.set(new_hash), User.failed_logins.set(0), User.locked_until.remove()],
    )
    audit.add(txn, f"user:{item.user_id}", "auth.password_reset", f"user/{item.user_id}")
    txn.commit()
    revocation.revoke_all(str(item.user_id), reason=revocation.PASSWORD_RESET)
    _mail_password_changed(profile)


def _mail_password_changed(profile: users.UserProfile) -> None:
    rendered = templates.render("password_changed", profile.locale, name=profile.display_name)
    outbox.send(profile.email, rendered, kind="password_changed")


# --- 3. change password ----------------------------------------------------------------------------------
def check_password(user_id: str, password: str) -> User:
    user = users.load_user(user_id)
    if not passwords.verify_password(password, user.password_hash):
        users.record_failure(user_id, now=clock.now())
        raise PasswordIncorrect()
    return user


def change_password(user_id: str, current: str, new_password: str, *, mfa: bool = False) -> TokenPair:
    """Current password required. Every other session ends; the caller gets a fresh one (returned)."""
    user = check_password(user_id, current)
    passwords.check_policy(new_password, email=user.email_normalized)
    new_hash = passwords.hash_password(new_password)
    txn = Txn()  # the new password and its audit entry commit together (the audit outbox)
    txn.update("user", user, [User.password_hash.set(new_hash)])
    audit.add(txn, f"user:{user_id}", "auth.password_changed", f"user/{user_id}")
    txn.commit()
    user.password_hash = new_hash  # a transaction does not refresh the object
    pair = _restart_sessions(user_id, PASSWORD_CHANGED, ["pwd", "mfa"] if mfa else ["pwd"])
    _mail_password_changed(users.UserProfile.of(user))
    return pair


def _restart_sessions(
    user_id: str, reason: str, amr: list[str] | None = None, *, audited: tuple[str, str, str] | None = None
) -> TokenPair:
    # here, not at import: sessions signs tokens (jwt, cryptography), which listing sessions never does
    from oshi.identity.sessions import restart

    return restart(user_id, reason, amr or ["pwd"], audited=audited)


# --- 5. sessions (the listing: oshi.identity.session_views) -------------------------------------
def revoke_session(user_id: str, family_id: str) -> None:
    """End one of the caller's sessions; another user's (or an unknown) id is ``SESSION_NOT_FOUND``."""
    try:
        family = RefreshFamily.get(family_id, consistent_read=True)
    except DoesNotExist:
        raise SessionNotFound() from None
    if family.user_id != user_id:
        raise SessionNotFound()
    refresh_tokens.revoke_family(
        family_id,
        reason="user_revoked",
        audited=(f"user:{user_id}", "auth.session_revoked", f"user/{user_id}", {"family_id": family_id}),
    )


MFA_DISABLED = "mfa_disabled"


def disable_mfa(user_id: str, password: str, code: str) -> TokenPair:
    """MFA off (password and a code); every session that showed MFA ends, the caller continues without."""
    users.disable_mfa(user_id, password, code)
    return _restart_sessions(user_id, MFA_DISABLED)


def regenerate_recovery_codes(user_id: str, password: str) -> list[str]:
    check_password(user_id, password)
    return users.issue_recovery_codes(user_id)


def sign_out_others(user_id: str, *, mfa: bool = False) -> TokenPair:
    """The caller's new session keeps its MFA status (``amr``)."""
    return _restart_sessions(
        user_id,
        SIGN_OUT_OTHERS,
        ["pwd", "mfa"] if mfa else ["pwd"],
        audited=(f"user:{user_id}", "auth.signed_out_others", f"user/{user_id}"),  # with the marker
    )


# --- 7. data export (APPI) -------------------------------------------------------------------------------
def request_export(user_id: str) -> str:
    """Ask for a copy of everything held about the user; a consumer builds it and mails a link.
    Returns the export id. The route's per-account limit keeps this from being a cheap amplifier."""
    from oshi.events.definitions import DATA_EXPORT_REQUESTED, DataExportRequestedData  # see forgot_password

    export_id = new_id()
    bus.publish([DATA_EXPORT_REQUESTED.event(DataExportRequestedData(user_id=user_id, export_id=export_id))])
    audit.record(
        f"user:{user_id}", "privacy.export_requested", f"user/{user_id}", after={"export_id": export_id}
    )
    return export_id


# --- 8. account deletion ---------------------------------------------------------------------------------
DELETION_GRACE_SECONDS = 30 * 24 * 3600
DELETION_REQUESTED = "deletion_requested"


def _gacha_on_sale(user_id: str) -> bool:
    """A VTuber's published gacha whose sale has not ended: its buyers are owed draws and rewards."""
    # Here, not at import: only account deletion reads the catalogue's models (the sign-in and MFA routes
    # that use this module load two fewer PynamoDB models at cold start)
    from oshi.models.gachas import Gacha, GachaStatus
    from oshi.models.vtubers import Vtuber

    try:
        vtuber = Vtuber.get(user_id)
    except DoesNotExist:
        return False
    now = clock.utc_now()
    return any(
        g.status == GachaStatus.PUBLISHED and g.ends_at > now for g in Gacha.by_vtuber.query(vtuber.vtuber_id)
    )


def request_deletion(user_id: str, password: str) -> int:
    """Schedule the erasure (password re-entered); returns when it will run (epoch s). Every session ends;
    signing in again before then cancels it. A VTuber with a gacha on sale must wait for it to end."""
    user = check_password(user_id, password)
    if _gacha_on_sale(user_id):
        raise DeletionBlocked()
    now = int(clock.now())
    due = now + DELETION_GRACE_SECONDS
    txn = Txn()  # the request and its audit entry commit together (the audit outbox)
    txn.update("user", user, [User.deletion_requested_at.set(now), User.deletion_pending.set("1")])
    audit.add(
        txn, f"user:{user_id}", "privacy.deletion_requested", f"user/{user_id}", after={"erase_after": due}
    )
    txn.commit()
    user.deletion_requested_at, user.deletion_pending = now, "1"  # a transaction does not refresh the object
    revocation.revoke_all(user_id, reason=DELETION_REQUESTED)
    profile = users.UserProfile.of(user)
    rendered = templates.render(
        "deletion_scheduled",
        profile.locale,
        link=templates.site_link("/account/signin/"),
        name=profile.display_name,
        date_jst=datetime.fromtimestamp(due, JST).strftime("%Y-%m-%d %H:%M"),
    )
    outbox.send(profile.email, rendered, kind="deletion_scheduled")
    return due


# --- 3b. change of email address ---------------------------------------------------------------------------
def _purpose_of(token: str) -> str | None:
    if not token or len(token) > 128:
        return None
    try:
        return str(AccountToken.get(token_hash(token), consistent_read=True).purpose)
    except DoesNotExist:
        return None


def request_email_change(user_id: str, password: str, new_email: str) -> bool:
    """Mail a link to the new address; the account keeps the old one until the link is followed."""
    user = check_password(user_id, password)
    normalized = users.normalize_email(new_email)
    if normalized == user.email_normalized:
        raise EmailTaken(details=[{"field": "new_email", "type": "same"}])
    try:
        EmailClaim.get(normalized, consistent_read=True)
    except DoesNotExist:
        pass
    else:
        raise EmailTaken(details=[{"field": "new_email", "type": "taken"}])
    raw = _issue(CHANGE_EMAIL, user_id, normalized, VERIFY_SECONDS)
    profile = users.UserProfile.of(user)
    rendered = templates.render(
        "change_email",
        profile.locale,
        link=templates.site_link("/account/verify-email", token=raw),
        name=profile.display_name,
    )
    sent = outbox.send(normalized, rendered, kind="change_email", per_hour=MAILS_PER_ADDRESS_PER_HOUR)
    audit.record(f"user:{user_id}", "auth.email_change_requested", f"user/{user_id}", after={"sent": sent})
    return sent


def _complete_email_change(token: str) -> str:
    """One transaction: the link is used, the new address claimed, the old claim released, the account
    moved to the new (verified) address; then the old address is told."""
    item = _peek(token, CHANGE_EMAIL)
    user = users.load_user(str(item.user_id))
    old_email, old_normalized, new = user.email, user.email_normalized, str(item.email)
    now = int(clock.now())
    txn = Txn()
    txn.update(
        "token",
        item,
        [AccountToken.used_at.set(now)],
        condition=AccountToken.used_at.does_not_exist() & (AccountToken.valid_until > now),
    )
    txn.put("claim", EmailClaim(new, user_id=user.user_id), condition=EmailClaim.email.does_not_exist())
    txn.delete("old_claim", EmailClaim(old_normalized), condition=EmailClaim.user_id == user.user_id)
    txn.update(
        "user",
        user,
        [User.email.set(new), User.email_normalized.set(new), User.email_verified.set(True)],
        condition=User.email_normalized == old_normalized,
    )
    audit.add(txn, f"user:{user.user_id}", "auth.email_changed", f"user/{user.user_id}")  # the audit outbox
    try:
        txn.commit()
    except ConditionsFailed as failed:
        if "claim" in failed.labels:
            raise EmailTaken(details=[{"field": "new_email", "type": "taken"}]) from None
        raise LinkTokenInvalid() from None
    rendered = templates.render("email_changed", user.locale, name=user.display_name, new_email=_masked(new))
    outbox.send(old_email, rendered, kind="email_changed")
    return str(user.user_id)


def _masked(address: str) -> str:
    """The new address as told to the old one: enough to recognise, not to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:2]}***@{domain}"
