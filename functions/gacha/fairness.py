"""GET /api/gachas/{gacha_id}/fairness: the server-seed commitment, the rate-table history, and the seed
itself once the sale has ended (docs/fairness.md). Public, like the rate disclosure."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from oshi.catalogue import storefront
from oshi.draw import fairness_store
from oshi.kernel.errors import GachaNotFound
from oshi.models.gachas import GachaKind
from oshi.web.api import Endpoint
from oshi.web.schemas.fairness import AnyTableDocument

endpoint = Endpoint(__name__)


class RateTableVersion(BaseModel):
    version: int
    hash: str
    effective_from: datetime
    rate_table: AnyTableDocument


class FairnessOut(BaseModel):
    gacha_id: str
    algorithm: str = "oshi-fairness/1, /2 (ceiling), oshi-box-order/1 (box) (docs/fairness.md)"
    commitment: str
    rate_table_version: int
    rate_table_hash: str
    rate_table_history: list[RateTableVersion]
    sale_ends_at: datetime
    server_seed: str | None = None  # hex, revealed after the sale ends
    revealed_at: datetime | None = None


@endpoint
def get_fairness(gacha_id: str) -> FairnessOut:
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
        RateTableVersion(
            version=int(r.rate_table_version or 0),
            hash=r.rate_table_hash or "",
            effective_from=r.effective_from,
            rate_table=r.rate_table,
        )
        for r in fairness_store.rate_history(gacha_id)
    ]
    return FairnessOut(
        gacha_id=gacha_id,
        commitment=record.commitment,
        rate_table_version=int(gacha.rate_table_version),
        rate_table_hash=gacha.rate_table_hash,
        rate_table_history=history,
        sale_ends_at=gacha.ends_at,
        server_seed=record.revealed_seed,
        revealed_at=record.revealed_at,
    )


handler = endpoint.lambda_handler
