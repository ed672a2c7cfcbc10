"""PUT /api/vtuber/gacha/{gacha_id}: replace a gacha's definition while it is editable.

Drafts always; published gachas only before the sale starts (then 409 ``GACHA_FROZEN``). ``version``
guards against overwriting a concurrent edit (409 ``GACHA_EDIT_CONFLICT``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue import lineup
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import gacha_bodies, gacha_specs

if TYPE_CHECKING:
    from vtuber.schemas import GachaUpdateIn

endpoint = Endpoint(
    __name__, body_model="vtuber.schemas:GachaUpdateIn", response_model="vtuber.schemas:OwnGacha"
)


@endpoint
def put_gacha(gacha_id: str, body: GachaUpdateIn) -> JsonObject:
    gacha, prizes = lineup.update_gacha(
        endpoint.caller().user_id,
        gacha_id,
        gacha_specs.gacha_spec(body),
        expected_version=body.version,
        request_id=endpoint.request_id,
    )
    return gacha_bodies.own_gacha(gacha, prizes)


handler = endpoint.lambda_handler
