"""POST /api/vtuber/apply: any signed-in user applies to become a VTuber (status ``pending``)."""

from __future__ import annotations

from oshi.catalogue import vtubers
from oshi.web.api import Endpoint
from oshi.web.response import Response
from vtuber import bodies
from vtuber.schemas import ApplyIn, VtuberOut

endpoint = Endpoint(__name__)


@endpoint
def post_apply(body: ApplyIn) -> Response[VtuberOut]:
    vtuber = vtubers.apply(
        endpoint.caller().user_id,
        channel_name=body.channel_name.strip(),
        channel_url=body.channel_url,
        description=body.description,
        request_id=endpoint.request_id,
    )
    return Response(
        status_code=201, content_type="application/json", body=VtuberOut.model_validate(bodies.vtuber(vtuber))
    )


handler = endpoint.lambda_handler
