"""POST /api/vtuber/gacha/create: a gacha with its lineup, rates and reward links, in ONE transaction.

``publish: true`` lists it in the catalogue at once; otherwise it is a draft. Publishes GachaCreated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue import lineup
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response
from vtuber import gacha_bodies, gacha_specs

if TYPE_CHECKING:
    from vtuber.schemas import GachaCreateIn

endpoint = Endpoint(
    __name__, body_model="vtuber.schemas:GachaCreateIn", response_model="vtuber.schemas:OwnGacha"
)


@endpoint
def post_create(body: GachaCreateIn) -> Response[JsonObject]:
    gacha, prizes = lineup.create_gacha(
        endpoint.caller().user_id,
        gacha_specs.gacha_spec(body),
        publish=body.publish,
        request_id=endpoint.request_id,
    )
    return Response(201, "application/json", gacha_bodies.own_gacha(gacha, prizes))


handler = endpoint.lambda_handler
