"""GET /api/gachas/{gacha_id}/box/draws: a box's whole draw log and its revealed seed, so anyone can
replay the box with ``python tools/verify_draws.py log.json --box --server-seed <seed>``.

Only once the seed is revealed: when every ticket is drawn or the sale has ended (before that the log
would show the state the next buyer draws from, which the box page shows anyway, but the seed must stay
secret). Fan ids are the platform's opaque ids (docs/fairness.md section 10)."""

from __future__ import annotations

from oshi.catalogue import storefront
from oshi.draw import box as boxes
from oshi.draw import fairness_store
from oshi.kernel.errors import BoxNotRevealed, GachaNotFound
from oshi.models.gachas import GachaKind
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="gacha.schemas:BoxDrawLog")


@endpoint
def get_box_draws(gacha_id: str) -> JsonObject:
    gacha = storefront.public_gacha(gacha_id)
    if gacha.kind != GachaKind.BOX.value:
        raise GachaNotFound("This gacha is not a box gacha.")
    record = fairness_store.seed_record(gacha_id)
    state = fairness_store.box_state(gacha_id)
    if record is None or record.commitment is None or state is None:
        raise GachaNotFound("This box has no commitment.")
    box = boxes.from_document(gacha.rate_table)
    record = fairness_store.reveal_if_ended(gacha, record, sold_out=int(state.box_drawn or 0) >= box.total)
    if not record.revealed_seed:
        raise BoxNotRevealed(details={"remaining": box.total - int(state.box_drawn or 0)})
    return {
        "gacha_id": gacha_id,
        "box": gacha.rate_table,  # the committed box document, as hashed
        "box_hash": gacha.rate_table_hash,
        "commitment": record.commitment,
        "server_seed": record.revealed_seed,
        "tickets_drawn": int(state.box_drawn or 0),
        "last_one_order_id": state.last_one_order_id,
        "orders": [
            entry.proof for entry in fairness_store.box_log(gacha_id)
        ],  # each order's proof, as stored
    }


handler = endpoint.lambda_handler
