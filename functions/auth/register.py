"""POST /api/auth/register: a new fan account. Unknown fields (a ``role``...) are ignored."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from auth import checks
from auth.schemas import MAX_PASSWORD_CHARS
from oshi.identity import accounts, users
from oshi.identity.principal import Role
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


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
