"""POST /api/admin/gachas/{gacha_id}/suspend (admin, MFA): stop one gacha's sale, with a reason; audited."""

from __future__ import annotations

from pydantic import BaseModel, Field

from oshi.catalogue import moderation
from oshi.models.gachas import GachaStatus
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class SuspendIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class SuspendOut(BaseModel):
    gacha_id: str
    status: GachaStatus


@endpoint
def post_suspend_gacha(gacha_id: str, body: SuspendIn) -> SuspendOut:
    gacha = moderation.suspend_gacha(
        endpoint.caller().user_id, gacha_id, reason=body.reason.strip(), request_id=endpoint.request_id
    )
    return SuspendOut(gacha_id=gacha.gacha_id, status=GachaStatus(gacha.status))


handler = endpoint.lambda_handler
