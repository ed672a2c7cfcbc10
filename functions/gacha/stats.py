"""GET /api/gachas/{gacha_id}/stats: per prize, the stated rate against what was drawn so far, with a 99%
Wilson interval; the final report once the sale has ended. Read-only: the ``RateAnomaly`` alert for a
stated rate outside its interval comes from the ``gacha.rate_anomaly_scan`` schedule (docs/fairness.md),
never from a reader."""

from __future__ import annotations

from gacha import bodies
from oshi.catalogue import storefront
from oshi.draw import fairness_store
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="gacha.schemas:StatsOut")


@endpoint
def get_stats(gacha_id: str) -> JsonObject:
    gacha = storefront.public_gacha(gacha_id)
    return bodies.stats(gacha_id, fairness_store.stats(gacha, storefront.prizes_of(gacha_id)))


handler = endpoint.lambda_handler
