"""POST /api/admin/gachas/{gacha_id}/suspend (admin, MFA): stop one gacha's sale, with a reason; audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue import moderation
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import bodies

if TYPE_CHECKING:
    from vtuber.schemas import SuspendIn

endpoint = Endpoint(
    __name__, body_model="vtuber.schemas:SuspendIn", response_model="vtuber.schemas:SuspendOut"
)


@endpoint
def post_suspend_gacha(gacha_id: str, body: SuspendIn) -> JsonObject:
    gacha = moderation.suspend_gacha(
        endpoint.caller().user_id, gacha_id, reason=body.reason.strip(), request_id=endpoint.request_id
    )
    return bodies.suspended_gacha(gacha)


handler = endpoint.lambda_handler
