"""POST /api/vtuber/gacha/preview: the disclosure a gacha would have, validated as create would, saving nothing.

The console renders it with the fan app's own disclosure component while the VTuber edits; a 422 carries
the same per-field problems as create.
"""

from __future__ import annotations

from oshi.catalogue import lineup
from oshi.web.api import Endpoint
from vtuber import gacha_bodies
from vtuber.schemas import GachaIn, OwnGacha

endpoint = Endpoint(__name__)


@endpoint
def post_preview(body: GachaIn) -> OwnGacha:
    gacha, prizes = lineup.preview_gacha(endpoint.caller().user_id, body.spec())
    return OwnGacha.model_validate(gacha_bodies.own_gacha(gacha, prizes))


handler = endpoint.lambda_handler
