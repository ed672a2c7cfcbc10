"""GET /api/gachas/{gacha_id}/box: a box gacha's tickets left, per prize and in total (public, live).

Cached for seconds (``BOX_TTL``), not the lineup's hour: the box empties while fans watch. One read of the
gacha and one of the box's state item (docs/draw.md, "Box gacha")."""

from __future__ import annotations

from gacha.public import cached_json
from oshi.catalogue import stock, storefront
from oshi.draw import fairness_store
from oshi.kernel import clock
from oshi.kernel.errors import GachaNotFound
from oshi.models.gachas import GachaKind
from oshi.web.api import Endpoint
from oshi.web.response import Response

BOX_TTL = 5

endpoint = Endpoint(__name__, response_model="oshi.web.schemas.catalogue:BoxLive")


@endpoint
def get_box(gacha_id: str) -> Response[str]:
    at = clock.utc_now()
    gacha = storefront.public_gacha(gacha_id)
    if gacha.kind != GachaKind.BOX.value:
        raise GachaNotFound("This gacha is not a box gacha.")
    state = fairness_store.box_state(gacha_id, consistent=False)
    stock.fill_sums([gacha])  # a sharded box's reserved tickets: its shards' (cached) sum
    owner = storefront.vtuber_statuses([gacha]).get(gacha.owner_user_id)
    status = storefront.box_status(gacha, storefront.prizes_of(gacha_id), state)
    sale = storefront.sale_state(gacha, owner, at)
    live = {
        **status,
        "gacha_id": gacha_id,
        "sale_state": sale.value,
        "sold_out": status["remaining"] - status["reserved"] <= 0,
        "drawn": status["total"] - status["remaining"],
        "draws_log": f"/api/gachas/{gacha_id}/box/draws",
    }
    return cached_json(endpoint, live, storefront.max_age([gacha], at, BOX_TTL))


handler = endpoint.lambda_handler
