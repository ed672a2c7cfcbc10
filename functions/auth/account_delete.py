"""POST /api/me/delete: schedule the erasure of the caller's account (password re-entered). Every session
ends; signing in within 30 days cancels it. 409 DELETION_BLOCKED for a VTuber with a gacha on sale."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from auth.schemas import MAX_PASSWORD_CHARS
from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


class DeleteAccountIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class DeletionScheduledOut(BaseModel):
    erase_after: int = Field(description="When the personal data will be erased (epoch seconds).")


@endpoint
def post_account_delete(body: DeleteAccountIn) -> Response[DeletionScheduledOut]:
    due = accounts.request_deletion(endpoint.caller().user_id, body.password)
    return Response(
        status_code=202, content_type="application/json", body=DeletionScheduledOut(erase_after=due)
    )


handler = endpoint.lambda_handler
