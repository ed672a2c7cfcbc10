"""The auth routes' answers in JSON form, without pydantic (``auth.schemas`` documents them; the tests check
every answer against those models)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from oshi.web.response import JsonObject

if TYPE_CHECKING:  # types only: GET /api/me must not import accounts (its write paths' modules)
    from oshi.identity.principal import Caller
    from oshi.identity.profiles import UserProfile
    from oshi.identity.session_views import SessionView
    from oshi.identity.sessions import MfaChallenge, TokenPair


def me(caller: Caller, profile: UserProfile | None, mail_suppressed: bool) -> JsonObject:
    """``MeOut``: the session's roles and MFA; the account's fields only when it has a record (absent, not
    null, otherwise: the model leaves out every field that is None)."""
    out: JsonObject = {
        "user_id": caller.user_id,
        "roles": sorted(r.value for r in caller.roles),
        "mfa": caller.mfa,
    }
    if profile is not None:
        account = {
            "email": profile.email,
            "display_name": profile.display_name,
            "birth_date": profile.birth_date.isoformat(),
            "mfa_enabled": profile.mfa_enabled,
            "terms_version": profile.terms_version,
            "email_verified": profile.email_verified,
            "mail_suppressed": mail_suppressed,
        }
        out.update((name, value) for name, value in account.items() if value is not None)
    return out


def sessions(found: Iterable[SessionView]) -> JsonObject:
    """``SessionsOut``: the signed-in sessions as listed."""
    return {
        "items": [
            {
                "session_id": s.family_id,
                "created_at": s.created_at,
                "last_used_at": s.last_used_at,
                "client": s.client,
                "ip": s.ip,
                "mfa": s.mfa,
            }
            for s in found
        ]
    }


def tokens(pair: TokenPair, *, in_cookie: bool = False) -> JsonObject:
    """``TokensOut``: a signed-in session; the refresh token is null when it travels in the HttpOnly cookie
    (``auth.web_session``)."""
    return {
        "token_type": pair.token_type,
        "access_token": pair.access_token,
        "expires_in": pair.expires_in,
        "refresh_token": None if in_cookie else pair.refresh_token,
        "amr": list(pair.amr),
    }


def signed_in(pair: TokenPair, *, in_cookie: bool = False) -> JsonObject:
    """``LoginOut`` with the session's tokens."""
    return {
        "mfa_required": False,
        "tokens": tokens(pair, in_cookie=in_cookie),
        "challenge": None,
        "challenge_expires_in": None,
    }


def mfa_challenge(challenge: MfaChallenge) -> JsonObject:
    """``LoginOut`` asking for the second factor (POST /api/auth/mfa/verify)."""
    return {
        "mfa_required": True,
        "tokens": None,
        "challenge": challenge.challenge,
        "challenge_expires_in": challenge.expires_in,
    }


def registered(profile: UserProfile) -> JsonObject:
    """``RegisterOut``: the new account (its address not verified yet: a link was mailed)."""
    return {
        "user_id": profile.user_id,
        "email": profile.email,
        "display_name": profile.display_name,
        "roles": sorted(role.value for role in profile.roles),
        "email_verified": False,
    }
