"""GET /api/gachas/{gacha_id}/fairness: the server-seed commitment, the rate-table history, and the seed
itself once the sale has ended (docs/fairness.md). Public, like the rate disclosure."""

from __future__ import annotations

from gacha import bodies
from oshi.catalogue import storefront
from oshi.draw import fairness_store
from oshi.kernel.errors import GachaNotFound
from oshi.models.gachas import GachaKind
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from oshi.web.shapes import json_datetime

endpoint = Endpoint(__name__, response_model="gacha.schemas:FairnessOut")


@endpoint
def get_fairness(gacha_id: str) -> JsonObject:
    gacha = storefront.public_gacha(gacha_id)
    record = fairness_store.seed_record(gacha_id)
    if record is None or record.commitment is None:
        raise GachaNotFound("This gacha has no fairness commitment.")
    sold_out = False
    if gacha.kind == GachaKind.BOX.value:  # an empty box reveals its seed at once (docs/fairness.md 10)
        state = fairness_store.box_state(gacha_id)
        sold_out = state is not None and sum(int(v) for v in (state.box_remaining or {}).values()) == 0
    record = fairness_store.reveal_if_ended(gacha, record, sold_out=sold_out)
    history = [
        {
            "version": int(r.rate_table_version or 0),
            "hash": r.rate_table_hash or "",
            "effective_from": json_datetime(r.effective_from),
            "rate_table": r.rate_table,  # the frozen document as hashed (a rate table or a box)
        }
        for r in fairness_store.rate_history(gacha_id)
    ]
    return {
        "gacha_id": gacha_id,
        "algorithm": bodies.FAIRNESS_ALGORITHMS,
        "commitment": record.commitment,
        "rate_table_version": int(gacha.rate_table_version),
        "rate_table_hash": gacha.rate_table_hash,
        "rate_table_history": history,
        "sale_ends_at": json_datetime(gacha.ends_at),
        "server_seed": record.revealed_seed,
        "revealed_at": None if record.revealed_at is None else json_datetime(record.revealed_at),
    }


handler = endpoint.lambda_handler
