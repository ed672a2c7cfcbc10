"""GET /api/vtuber/gachas: the caller's own gachas, drafts included, latest sale start first."""

from __future__ import annotations

from oshi.catalogue import lineup, stock, storefront
from oshi.kernel import clock
from oshi.web.api import Endpoint
from vtuber.schemas import OwnGachaList, OwnGachaSummary

endpoint = Endpoint(__name__)


@endpoint
def get_own_gachas() -> OwnGachaList:
    at = clock.utc_now()
    gachas = lineup.list_own(endpoint.caller().user_id)
    stock.fill_sums(gachas)  # sharded gachas: their shards' (cached) sum, for the sale state
    return OwnGachaList(
        items=[
            OwnGachaSummary(
                **storefront.summary(g, None, at), version=int(g.version), editable=lineup.editable(g, at)
            )
            for g in gachas
        ]
    )


handler = endpoint.lambda_handler
