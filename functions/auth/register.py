"""POST /api/auth/register: a new fan account. Unknown fields (a ``role``...) are ignored."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from auth.schemas import MAX_PASSWORD_CHARS
from oshi.identity import accounts, users
from oshi.identity.principal import Role
from oshi.kernel import clock
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # mass assignment: a "role" in the body never reaches logic

    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(max_length=MAX_PASSWORD_CHARS)
    display_name: str = Field(min_length=1, max_length=40)
    birth_date: date
    terms_version: str = Field(min_length=1, max_length=32, pattern=r"^[\w.-]+$")
    accept_terms: bool
    # The language of the mail we send (issue 18); Japanese when absent.
    locale: Literal["ja", "en"] | None = None

    @field_validator("email", mode="before")
    @classmethod
    def _trim(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("display_name")
    @classmethod
    def _printable(cls, value: str) -> str:
        value = value.strip()
        if not value or not value.isprintable():
            raise ValueError("must be printable and not blank")
        return value

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date) -> date:
        if value > clock.utc_now().date() or value.year < 1900:
            raise ValueError("must be a real birth date (not in the future)")
        return value

    @field_validator("accept_terms")
    @classmethod
    def _accepted(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("the terms must be accepted")
        return value


class RegisterOut(BaseModel):
    user_id: str
    email: str
    display_name: str
    roles: list[Role]
    email_verified: bool = False  # a link was mailed; purchases need it followed


@endpoint
def post_register(body: RegisterIn) -> Response[RegisterOut]:
    profile = users.register(
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        birth_date=body.birth_date,
        terms_version=body.terms_version,
        locale=body.locale,
    )
    # After the account exists: a failed send leaves a working account whose owner can ask again (resend).
    accounts.send_verification(profile.user_id, resend=False)
    out = RegisterOut(
        user_id=profile.user_id,
        email=profile.email,
        display_name=profile.display_name,
        roles=[Role(v) for v in sorted(role.value for role in profile.roles)],
    )
    return Response(status_code=201, content_type="application/json", body=out)


handler = endpoint.lambda_handler
