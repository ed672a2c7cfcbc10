"""Request and response bodies of the auth endpoints (pydantic; handlers only)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from oshi.identity.principal import Role
from oshi.identity.sessions import MfaChallenge, TokenPair

MAX_PASSWORD_CHARS = 256  # > 72 bytes is refused by the policy with PASSWORD_TOO_LONG; this bounds the work


class TokensOut(BaseModel):
    """A signed-in session: a 15-minute access token and a 30-day rotating refresh token.

    ``refresh_token`` is null for the fan app (``X-Oshi-Client: web``): it is in the HttpOnly
    ``oshi_refresh`` cookie instead, out of reach of scripts (docs/auth.md)."""

    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    access_token: str
    expires_in: int
    refresh_token: str | None
    amr: list[str]

    @classmethod
    def of(cls, pair: TokenPair, *, in_cookie: bool = False) -> TokensOut:
        return cls(
            token_type=pair.token_type,
            access_token=pair.access_token,
            expires_in=pair.expires_in,
            refresh_token=None if in_cookie else pair.refresh_token,
            amr=list(pair.amr),
        )


class RefreshTokenIn(BaseModel):
    """The refresh token in the body (API clients), or ``{}`` with the ``oshi_refresh`` cookie (fan app)."""

    model_config = ConfigDict(extra="ignore")
    refresh_token: str | None = Field(default=None, min_length=16, max_length=256)


class LoginOut(BaseModel):
    """Either tokens (``mfa_required`` false) or an MFA challenge to send to /api/auth/mfa/verify."""

    mfa_required: bool
    tokens: TokensOut | None = None
    challenge: str | None = None
    challenge_expires_in: int | None = None

    @classmethod
    def of(cls, result: TokenPair | MfaChallenge, *, in_cookie: bool = False) -> LoginOut:
        if isinstance(result, MfaChallenge):
            return cls(mfa_required=True, challenge=result.challenge, challenge_expires_in=result.expires_in)
        return cls(mfa_required=False, tokens=TokensOut.of(result, in_cookie=in_cookie))


# --- account flows (issue 18) ---------------------------------------------------------------------------
LINK_TOKEN = Field(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")


class LinkTokenIn(BaseModel):
    """The token from a mailed link (the ``token`` query parameter of the page it opens)."""

    model_config = ConfigDict(extra="ignore")
    token: str = LINK_TOKEN


class EmailVerifiedOut(BaseModel):
    email_verified: bool


class VerificationSentOut(BaseModel):
    """``sent`` is false when nothing was mailed: already verified, the address bounced or complained
    (``mail_suppressed``), or its hourly share of mail is used up."""

    sent: bool
    email_verified: bool


class ForgotPasswordIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(min_length=3, max_length=254)


class AcceptedOut(BaseModel):
    """The same answer whatever happened (no account enumeration)."""

    accepted: bool = True


class ResetPasswordIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    token: str = LINK_TOKEN
    password: str = Field(max_length=MAX_PASSWORD_CHARS)


class PasswordResetOut(BaseModel):
    password_reset: bool = True


class LinkValidOut(BaseModel):
    valid: bool = True


class ChangePasswordIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    new_password: str = Field(max_length=MAX_PASSWORD_CHARS)


def _absent(value: object) -> bool:
    return value is None


class MeOut(BaseModel):  # GET /api/me, built by auth.bodies.me (no docstring: it would show in the API docs)
    user_id: str
    roles: list[Role]
    mfa: bool
    # Absent (not null) for callers without an account record.
    email: str | None = Field(default=None, exclude_if=_absent)
    display_name: str | None = Field(default=None, exclude_if=_absent)
    birth_date: date | None = Field(default=None, exclude_if=_absent)
    mfa_enabled: bool | None = Field(default=None, exclude_if=_absent)
    terms_version: str | None = Field(default=None, exclude_if=_absent)
    email_verified: bool | None = Field(default=None, exclude_if=_absent)
    # SES reported the address as bounced or complaining: nothing is mailed to it any more (issue 18).
    mail_suppressed: bool | None = Field(default=None, exclude_if=_absent)


class SessionOut(BaseModel):
    session_id: str
    created_at: int = Field(description="Sign-in time, epoch seconds.")
    last_used_at: int = Field(description="Last refresh, epoch seconds.")
    client: str | None = Field(description="User-Agent at sign-in, as seen.")
    ip: str | None = Field(description="Source IP at sign-in, as seen.")
    mfa: bool


class SessionsOut(BaseModel):
    items: list[SessionOut]


class SessionRevokedOut(BaseModel):
    revoked: bool = True


class RecoveryCodesIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class RecoveryCodesOut(BaseModel):
    """Shown once; the old codes no longer work."""

    recovery_codes: list[str]


class MfaDisableIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    code: str = Field(min_length=6, max_length=19, description="A TOTP code or a recovery code.")
