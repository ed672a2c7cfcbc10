"""Request and response bodies of the auth endpoints (pydantic). The handlers name them by reference and
import them for the type checker only: a body is checked by its light spec (``oshi.web.light_bodies``) and
an answer is built in JSON form (``auth.bodies``), so a route's cold start imports no pydantic."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from auth import checks
from oshi.identity.principal import Role

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


# --- sign-up, sign-in and out ---------------------------------------------------------------------------
class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # mass assignment: a "role" in the body never reaches logic

    # The validators are plain functions (auth.checks), so the light check runs them too.
    email: Annotated[str, BeforeValidator(checks.trimmed)] = Field(
        max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )
    password: str = Field(max_length=MAX_PASSWORD_CHARS)
    display_name: Annotated[str, AfterValidator(checks.printable_name)] = Field(min_length=1, max_length=40)
    birth_date: Annotated[date, AfterValidator(checks.plausible_birth_date)]
    terms_version: str = Field(min_length=1, max_length=32, pattern=r"^[\w.-]+$")
    accept_terms: Annotated[bool, AfterValidator(checks.terms_accepted)]
    # The language of the mail we send (issue 18); Japanese when absent.
    locale: Literal["ja", "en"] | None = None


class RegisterOut(BaseModel):
    user_id: str
    email: str
    display_name: str
    roles: list[Role]
    email_verified: bool = False  # a link was mailed; purchases need it followed


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class MfaVerifyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    challenge: str = Field(min_length=20, max_length=2048)
    # A 6-digit TOTP code, or a recovery code (xxxx-xxxx-xxxx-xxxx), each usable once.
    code: str = Field(min_length=6, max_length=19, pattern=r"^(\d{6}|[A-Za-z0-9]{4}(-?[A-Za-z0-9]{4}){3})$")


class LogoutOut(BaseModel):
    signed_out: bool = True


class SignedOutEverywhereOut(BaseModel):
    signed_out_everywhere: bool = True


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


class MfaSetupOut(BaseModel):
    secret: str
    provisioning_uri: str


class MfaCodeIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")


class MfaEnableOut(BaseModel):
    mfa_enabled: bool
    # Shown once: ten one-time codes, each usable once instead of a TOTP code (only hashes are kept).
    recovery_codes: list[str] = []


class ChangeEmailIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)
    new_email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EmailChangeRequestedOut(BaseModel):
    """``sent`` is false when the new address got its hourly share of mail or cannot receive mail."""

    sent: bool


# --- personal data (APPI) ------------------------------------------------------------------------------
class ExportRequestedOut(BaseModel):
    export_id: str


class DeleteAccountIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class DeletionScheduledOut(BaseModel):
    erase_after: int = Field(description="When the personal data will be erased (epoch seconds).")


# --- admin -------------------------------------------------------------------------------------------------
class SuspendUserIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: str = Field(min_length=1, max_length=500)


class UserSuspendedOut(BaseModel):
    user_id: str
    suspended: bool
