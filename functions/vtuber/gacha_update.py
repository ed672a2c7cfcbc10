"""PUT /api/vtuber/gacha/{gacha_id}: replace a gacha's definition while it is editable.

Drafts always; published gachas only before the sale starts (then 409 ``GACHA_FROZEN``). ``version``
guards against overwriting a concurrent edit (409 ``GACHA_EDIT_CONFLICT``).
"""

from __future__ import annotations

from oshi.catalogue import lineup
from oshi.web.api import Endpoint
from vtuber import gacha_bodies
from vtuber.schemas import GachaUpdateIn, OwnGacha

endpoint = Endpoint(__name__)


@endpoint
def put_gacha(gacha_id: str, body: GachaUpdateIn) -> OwnGacha:
    gacha, prizes = lineup.update_gacha(
        endpoint.caller().user_id,
        gacha_id,
        body.spec(),
        expected_version=body.version,
        request_id=endpoint.request_id,
    )
    return OwnGacha.model_validate(gacha_bodies.own_gacha(gacha, prizes))


handler = endpoint.lambda_handler
