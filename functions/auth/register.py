"""POST /api/auth/register: a new fan account. Unknown fields (a ``role``...) are ignored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auth import bodies
from oshi.identity import accounts, users
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from auth.schemas import RegisterIn

endpoint = Endpoint(__name__, body_model="auth.schemas:RegisterIn", response_model="auth.schemas:RegisterOut")


@endpoint
def post_register(body: RegisterIn) -> Response[JsonObject]:
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
    return Response(201, "application/json", bodies.registered(profile))


handler = endpoint.lambda_handler
