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


class CeilingDocRule(Strict):
    draws: int = Field(description="The N-th consecutive draw without ``rarity`` is drawn among ``rarity``")
    rarity: Rarity


class CeilingRateTableDocument(Strict):
    """A rate table with a ceiling (天井); hashed the same way (docs/fairness.md section 11)."""

    format: Literal["oshi-rate-table/2"]
    entries: list[RateTableEntry]
    guarantee: GuaranteeRule | None
    ceiling: CeilingDocRule


class BoxTickets(Strict):
    prize_id: str
    rarity: Rarity
    count: int = Field(description="Tickets of this prize in the box")


class LastOneRef(Strict):
    prize_id: str
    rarity: Rarity


class BoxDocument(Strict):
    """A box gacha's committed ticket multiset (docs/fairness.md section 10); ticket i belongs to the prize
    whose range holds i, prizes in this order."""

    format: Literal["oshi-box/1"]
    tickets: list[BoxTickets]
    last_one: LastOneRef | None


AnyTableDocument = Annotated[
    RateTableDocument | CeilingRateTableDocument | BoxDocument, Field(discriminator="format")
]


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


class CeilingOrderProof(Strict):
    """The order JSON of a gacha with a ceiling: ``ceiling_before`` is the fan's draws since their last
    top-rarity prize before this order; a slot drawn under the ceiling has table ``ceiling``."""

    format: Literal["oshi-fairness/2"]
    commitment: str
    rate_table: CeilingRateTableDocument
    rate_table_hash: str
    fan_id: str
    client_seed: str
    nonce: int
    ceiling_before: int
    draws: list[DrawRecord]
    gacha_id: str
    order_id: str


class BoxDrawRecord(Strict):
    """One ticket of a box order: which ticket, at which position of the box, and how it was derived."""

    slot: int
    position: int = Field(description="The ticket's place in the box's sequence of draws, from 0")
    total: int = Field(description="Tickets left before this draw: r is uniform in [0, total)")
    r: int
    attempts: int
    ticket: int = Field(description="The ticket index in the committed box")
    prize_id: str


class BoxRemaining(Strict):
    prize_id: str
    remaining: int


class LastOneAward(Strict):
    prize_id: str
    position: int = Field(description="The last ticket's position: the box's size minus one")


class BoxOrderProof(Strict):
    """The order JSON of a box order (``tools/verify_draws.py``; ``--box`` replays the whole log)."""

    format: Literal["oshi-box-order/1"]
    commitment: str
    box: BoxDocument
    box_hash: str
    fan_id: str
    client_seed: str
    nonce: int
    start_position: int
    remaining_before: list[BoxRemaining] = Field(description="The box's state when this order drew")
    draws: list[BoxDrawRecord]
    last_one: LastOneAward | None
    gacha_id: str
    order_id: str


AnyOrderProof = Annotated[OrderProof | CeilingOrderProof | BoxOrderProof, Field(discriminator="format")]


class DrawnItem(Strict):
    slot: int
    prize_id: str
    name: str
    rarity: Rarity
    table: TableKind
    assets: int = Field(description="How many files the prize put in the reward box")
    ticket: int | None = Field(default=None, description="Box gachas: the ticket index drawn")
    position: int | None = Field(default=None, description="Box gachas: the ticket's position in the box")


class CeilingProgress(Strict):
    before: int = Field(description="Draws since the last top-rarity prize, before this order")
    after: int = Field(description="The same count after it")
    draws: int = Field(description="The ceiling")


class CampaignApplied(Strict):
    campaign_id: str
    medal_multiplier: int = Field(description="The medals of this order were multiplied by this")


class OrderResults(Strict):
    """What a fulfilled order drew: one item per draw (and a box's last-one prize), and the proof."""

    items: list[DrawnItem]
    proof: AnyOrderProof
    ceiling: CeilingProgress | None = None
    campaign: CampaignApplied | None = None
