"""The provably-fair documents (docs/fairness.md) as response models: the rate-table document a gacha
freezes (``oshi.draw.rates.rate_table_document``, hashed by ``oshi.draw.fairness``), the order proof
(``fairness.OrderProof.to_json``) and the drawn items the fulfilment stores with it
(``oshi.fulfilment.fulfil._results``). Shared by the order page and the fairness page (``gacha.*``).

Fields are declared in the order the domain writes them, so the bytes sent keep their key order; an
unknown field is refused (``Strict``): the stored documents have exactly these keys.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from oshi.draw.engine import TableKind
from oshi.draw.rates import RARITY_ORDER
from oshi.web.schemas import Strict

Rarity = Annotated[str, Field(json_schema_extra={"enum": list(RARITY_ORDER)})]


class RateTableEntry(Strict):
    prize_id: str
    rarity: Rarity
    ppm: int = Field(description="Parts per million of one draw (integer)")


class GuaranteeRule(Strict):
    """In an order of exactly ``batch_size`` draws with nothing of ``min_rarity`` or better in the first
    ``batch_size - 1``, the last slot draws from ``entries``."""

    batch_size: int
    entries: list[RateTableEntry]
    min_rarity: Rarity
    rarity_order: list[Rarity] = Field(description="Lowest first")


class RateTableDocument(Strict):
    """The frozen rate table; ``rate_table_hash`` is SHA-256 of its canonical JSON (docs/fairness.md)."""

    format: Literal["oshi-rate-table/1"]
    entries: list[RateTableEntry]
    guarantee: GuaranteeRule | None


class DrawRecord(Strict):
    """One draw of an order proof: enough to re-derive it from the revealed server seed."""

    slot: int
    table: TableKind
    exhausted: list[str] = Field(description="Limited prizes already sold out at this slot")
    total_weight: int
    r: int
    attempts: int
    prize_id: str


class OrderProof(Strict):
    """The order JSON the verifier takes (``tools/verify_draws.py``)."""

    format: Literal["oshi-fairness/1"]
    commitment: str = Field(description="SHA-256 of the gacha's server seed, hex")
    rate_table: RateTableDocument
    rate_table_hash: str
    fan_id: str
    client_seed: str
    nonce: int
    draws: list[DrawRecord]
    gacha_id: str
    order_id: str


class DrawnItem(Strict):
    slot: int
    prize_id: str
    name: str
    rarity: Rarity
    table: TableKind
    assets: int = Field(description="How many files the prize put in the reward box")


class OrderResults(Strict):
    """What a fulfilled order drew: one item per draw, and the proof."""

    items: list[DrawnItem]
    proof: OrderProof
