"""POST /api/auth/login: tokens, or an MFA challenge when the account has MFA on."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from auth.schemas import MAX_PASSWORD_CHARS, LoginOut
from oshi.identity import sessions
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


@endpoint
def post_login(body: LoginIn) -> LoginOut:
    return LoginOut.of(sessions.login(body.email, body.password))


handler = endpoint.lambda_handler
