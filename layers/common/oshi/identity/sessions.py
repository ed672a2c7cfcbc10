"""Sign-in flows: password (→ tokens, or an MFA challenge), MFA verify, refresh, logout.

Everything here reads ``oshi.kernel.clock`` (lockout, refresh expiry, TOTP steps, and access tokens and
MFA challenges, issued and verified against it), so tests move time instead of sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass

from oshi.identity import refresh_tokens, revocation, tokens, users
from oshi.identity.principal import Caller
from oshi.kernel import clock
from oshi.kernel.errors import InvalidMfaChallenge, InvalidRefreshToken


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    amr: tuple[str, ...]
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


@dataclass(frozen=True)
class MfaChallenge:
    challenge: str
    expires_in: int = tokens.MFA_CHALLENGE_SECONDS


def _access_token(profile: users.UserProfile, amr: tuple[str, ...], now: float | None = None) -> str:
    caller = Caller(
        user_id=profile.user_id, roles=profile.roles, mfa="mfa" in amr, email_verified=profile.email_verified
    )
    return tokens.issue_access_token(caller, amr=list(amr), now=now)


def _pair(profile: users.UserProfile, issued: refresh_tokens.Issued, now: float | None = None) -> TokenPair:
    return TokenPair(
        access_token=_access_token(profile, issued.amr, now),
        refresh_token=issued.token,
        expires_in=tokens.ACCESS_TOKEN_SECONDS,
        amr=issued.amr,
    )


@dataclass(frozen=True)
class Seen:
    """Where a sign-in came from, as the request showed it (the sessions list displays it)."""

    client: str | None = None  # User-Agent
    ip: str | None = None


def new_session(
    profile: users.UserProfile, amr: list[str], *, now: float | None = None, seen: Seen | None = None
) -> TokenPair:
    """A new refresh family and its first access token, both issued at ``now``."""
    at = now if now is not None else clock.now()
    seen = seen or Seen()
    issued = refresh_tokens.start_family(profile.user_id, amr, now=at, client=seen.client, ip=seen.ip)
    return _pair(profile, issued, at)


def _not_voided(user_id: str, now: float) -> float:
    """The issue time for a new sign-in: not before the user's revocation marker. A sign-in in the same
    second as a revocation (a password reset, sign-out everywhere) would otherwise get tokens that are
    void from the start (the marker voids everything issued up to the end of its second). One GetItem."""
    return max(now, float(revocation.read_not_before(user_id, consistent=True)))


def login(email: str, password: str, *, seen: Seen | None = None) -> TokenPair | MfaChallenge:
    now = clock.now()
    user = users.authenticate(email, password, now=now)
    if user.mfa_enabled:
        return MfaChallenge(tokens.issue_mfa_challenge(user.user_id))
    users.cancel_deletion(user)  # a complete sign-in during the grace period keeps the account (issue 18)
    return new_session(users.UserProfile.of(user), ["pwd"], now=_not_voided(user.user_id, now), seen=seen)


def verify_mfa(challenge: str, code: str, *, seen: Seen | None = None) -> TokenPair:
    try:
        user_id = tokens.verify_mfa_challenge(challenge)
    except tokens.InvalidToken:
        raise InvalidMfaChallenge() from None
    now = clock.now()
    user = users.check_second_factor(user_id, code, now=now)
    users.cancel_deletion(user)
    profile = users.UserProfile.of(user)
    return new_session(profile, ["pwd", "mfa"], now=_not_voided(user_id, now), seen=seen)


def refresh(refresh_token: str) -> TokenPair:
    """Rotate, and re-read the roles from the user item: role changes reach tokens here."""
    issued = refresh_tokens.rotate(refresh_token, now=clock.now())
    profile = users.find_user(issued.user_id)
    if profile is None or profile.suspended:
        refresh_tokens.revoke_family(issued.family_id, reason="user")
        raise InvalidRefreshToken()
    return _pair(profile, issued)


def logout(refresh_token: str) -> None:
    """Revoke the token's family. Unknown tokens are ignored: logout always succeeds."""
    refresh_tokens.revoke(refresh_token)


def restart(
    user_id: str, reason: str, amr: list[str], *, audited: tuple[str, str, str] | None = None
) -> TokenPair:
    """Void every token of the user, then start the caller's new session at the marker itself (a family
    created at ``not_before`` is not before it), so only this one survives. ``audited``: an audit entry
    committed with the marker (``revocation.revoke_all``)."""
    marker = revocation.revoke_all(user_id, reason=reason, audited=audited)
    return new_session(users.get_user(user_id), amr, now=float(marker))


def sign_out_everywhere(user_id: str) -> None:
    """Every session of the user ends: refresh families and access tokens issued until now are void
    (``oshi.identity.revocation``), this request's token included."""
    revocation.revoke_all(
        user_id,
        reason=revocation.SIGN_OUT_EVERYWHERE,
        audited=(f"user:{user_id}", "auth.signed_out_everywhere", f"user/{user_id}"),  # the audit outbox
    )
