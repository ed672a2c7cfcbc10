"""POST /api/me/delete: schedule the erasure of the caller's account (password re-entered). Every session
ends; signing in within 30 days cancels it. 409 DELETION_BLOCKED for a VTuber with a gacha on sale."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

if TYPE_CHECKING:
    from auth.schemas import DeleteAccountIn

endpoint = Endpoint(
    __name__, body_model="auth.schemas:DeleteAccountIn", response_model="auth.schemas:DeletionScheduledOut"
)


@endpoint
def post_account_delete(body: DeleteAccountIn) -> Response[JsonObject]:
    due = accounts.request_deletion(endpoint.caller().user_id, body.password)
    return Response(202, "application/json", {"erase_after": due})


handler = endpoint.lambda_handler
