"""POST /api/vtuber/gacha/preview: the disclosure a gacha would have, validated as create would, saving nothing.

The console renders it with the fan app's own disclosure component while the VTuber edits; a 422 carries
the same per-field problems as create.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue import lineup
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import gacha_bodies, gacha_specs

if TYPE_CHECKING:
    from vtuber.schemas import GachaIn

endpoint = Endpoint(__name__, body_model="vtuber.schemas:GachaIn", response_model="vtuber.schemas:OwnGacha")


@endpoint
def post_preview(body: GachaIn) -> JsonObject:
    gacha, prizes = lineup.preview_gacha(endpoint.caller().user_id, gacha_specs.gacha_spec(body))
    return gacha_bodies.own_gacha(gacha, prizes)


handler = endpoint.lambda_handler
