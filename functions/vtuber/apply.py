"""POST /api/vtuber/apply: any signed-in user applies to become a VTuber (status ``pending``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue import vtubers
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response
from vtuber import bodies

if TYPE_CHECKING:
    from vtuber.schemas import ApplyIn

endpoint = Endpoint(__name__, body_model="vtuber.schemas:ApplyIn", response_model="vtuber.schemas:VtuberOut")


@endpoint
def post_apply(body: ApplyIn) -> Response[JsonObject]:
    vtuber = vtubers.apply(
        endpoint.caller().user_id,
        channel_name=body.channel_name.strip(),
        channel_url=body.channel_url,
        description=body.description,
        request_id=endpoint.request_id,
    )
    return Response(201, "application/json", bodies.vtuber(vtuber))


handler = endpoint.lambda_handler
