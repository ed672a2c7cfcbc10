"""POST /api/vtuber/gacha/create: a gacha with its lineup, rates and reward links, in ONE transaction.

``publish: true`` lists it in the catalogue at once; otherwise it is a draft. Publishes GachaCreated.
"""

from __future__ import annotations

from oshi.catalogue import lineup
from oshi.web.api import Endpoint
from oshi.web.response import Response
from vtuber import gacha_bodies
from vtuber.schemas import GachaCreateIn, OwnGacha

endpoint = Endpoint(__name__)


@endpoint
def post_create(body: GachaCreateIn) -> Response[OwnGacha]:
    gacha, prizes = lineup.create_gacha(
        endpoint.caller().user_id, body.spec(), publish=body.publish, request_id=endpoint.request_id
    )
    return Response(
        status_code=201,
        content_type="application/json",
        body=OwnGacha.model_validate(gacha_bodies.own_gacha(gacha, prizes)),
    )


handler = endpoint.lambda_handler
