"""The public catalogue's documents (``oshi.catalogue.storefront``) as response models.

The storefront builds each document once, in JSON form; the public pages (``gacha.catalogue``,
``gacha.detail``, ``gacha.vtuber_profile``, ``gacha.box``) send it as cached bytes without importing these
models (a read route's cold start imports no pydantic), and the VTuber's own views (``vtuber.*``) extend
it. Tests check every answer against these models (``oshi.web.shapes``: unknown fields refused), which
keeps the documented contract and the bytes sent the same thing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from oshi.catalogue.storefront import SaleState
from oshi.draw.rates import RARITY_ORDER
from oshi.models.gachas import GachaStatus
from oshi.web.schemas import IsoDateTime, Strict

Rarity = Annotated[str, Field(json_schema_extra={"enum": list(RARITY_ORDER)})]
Ppm = Annotated[int, Field(ge=0, le=1_000_000, description="Parts per million of one draw (integer)")]
Percent = Annotated[
    str,
    Field(pattern=r"^\d+\.\d{4}$", description="The same rate as an exact percentage: 100 ppm is 0.0100"),
]
Yen = Annotated[int, Field(description="Integer JPY")]


class Stock(Strict):
    total: int
    remaining: int


class RateTableRef(Strict):
    version: int = Field(description="Bumped on every lineup edit before the sale")
    hash: str = Field(description="SHA-256 of the stored rate table (see the fairness document)")
    ppm_total: int = Field(description="What every prize's rate_ppm adds up to: 1000000")


class PrizePreview(Strict):
    """A public preview rendition (a separate small asset), never the reward file itself."""

    kind: Literal["image", "audio", "video"]
    url: str = Field(description="Same-origin path; redirects to the preview object (CDN or presigned)")
    content_type: str


class DisclosedPrize(Strict):
    prize_id: str
    name: str
    rarity: Rarity
    rate_ppm: Ppm
    rate_percent: Percent
    stock: Stock | None = Field(description="null: unlimited")
    preview: PrizePreview | None = Field(default=None, description="null: the VTuber attached no preview")


class SlotRate(Strict):
    prize_id: str
    name: str
    rarity: Rarity
    rate_ppm: Ppm
    rate_percent: Percent


class RarityTotal(Strict):
    rarity: Rarity
    rate_ppm: Ppm
    rate_percent: Percent


class Guarantee(Strict):
    batch_size: int
    min_rarity: Rarity
    rule: str
    slot_rates: list[SlotRate] = Field(description="The guaranteed slot's rates")
    slot_rarity_totals: list[RarityTotal]
    rounding: str


class ExactValue(Strict):
    exact: str = Field(description="An integer or a fraction, e.g. 10000 or 7417/10")
    rounded: str = Field(description="Rounded half up, as text")


class SingleDrawCosts(Strict):
    expected_draws: ExactValue
    expected_yen: ExactValue


class TenDrawCosts(Strict):
    expected_ten_draws: ExactValue
    expected_draws: ExactValue
    expected_yen: ExactValue


class RarestPrize(Strict):
    """Expected draws and yen until the rarest prize first appears (no stock running out meanwhile)."""

    prize_id: str
    rarity: Rarity
    rate_ppm: Ppm
    rate_percent: Percent
    single_draws: SingleDrawCosts
    ten_draws: TenDrawCosts


class FairnessRef(Strict):
    commitment: str | None = Field(description="SHA-256 of the server seed, revealed after ends_at")
    rate_table_hash: str
    details: str = Field(description="Path of the gacha's fairness document")


class BoxPrizeLeft(Strict):
    prize_id: str
    name: str
    rarity: Rarity
    tickets: int = Field(description="Tickets of this prize in the full box")
    remaining: int = Field(description="Tickets of this prize still in the box")


class LastOnePrize(Strict):
    prize_id: str
    name: str
    rarity: Rarity
    awarded: bool = Field(description="The last ticket was drawn and this prize went with it")


class BoxState(Strict):
    """A box gacha's tickets: the chance of a prize is its remaining tickets over all remaining tickets."""

    total: int = Field(description="Tickets in the full box")
    remaining: int = Field(description="Tickets not drawn yet")
    reserved: int = Field(description="Of those, tickets held by orders awaiting payment or their draw")
    prizes: list[BoxPrizeLeft] = Field(description="In lineup order")
    last_one: LastOnePrize | None = Field(description="ラストワン賞, to whoever draws the last ticket")
    live: str = Field(description="Path of the live (seconds-cached) box state")


class BoxLive(BoxState):
    """The box right now (``sale_state`` is ``sold_out`` once every ticket is reserved or drawn)."""

    gacha_id: str
    sale_state: SaleState
    sold_out: bool = Field(description="No ticket is left to buy")
    drawn: int = Field(description="Tickets drawn so far")
    draws_log: str = Field(description="Path of the box's draw log (every order's proof), once revealed")


class CeilingRule(Strict):
    """天井: a fan's ``draws``-th consecutive draw without ``rarity`` is drawn among ``rarity`` only."""

    draws: int
    rarity: Rarity
    rule: str
    counter: str = Field(description="Path of the caller's own counter (signed in)")


class CampaignOut(Strict):
    """A campaign (``oshi.catalogue.campaigns``): a medal multiplier or a first 10-draw discount."""

    campaign_id: str
    kind: Literal["medal_multiplier", "first_ten_discount"]
    title: str
    gacha_id: str | None = Field(description="null: every gacha of the VTuber")
    multiplier: int | None = Field(
        description="medal_multiplier: medals x this for orders paid in the window"
    )
    price_ten: int | None = Field(description="first_ten_discount: each fan's first 10-draw price (JPY)")
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    active: bool
    cancellable: bool = Field(
        description="The VTuber may still cancel it: until 10 minutes before it starts (then it is frozen)"
    )


class GachaDocument(Strict):
    """What the catalogue discloses about a gacha; the fields its public and VTuber views share."""

    gacha_id: str
    vtuber_id: str
    title: str
    description: str
    status: GachaStatus
    sale_state: SaleState
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    currency: Literal["JPY"]
    price_single: Yen
    price_ten: Yen
    medals_per_draw: int
    stock: Stock | None = Field(description="Draws on sale in total; null: unlimited")
    rate_table: RateTableRef
    rarity_totals: list[RarityTotal]
    guarantee: Guarantee | None
    rarest_prize: RarestPrize | None = Field(description="null for a box gacha")
    notes: list[str]
    fairness: FairnessRef
    kind: Literal["rate", "box"] = Field(default="rate", description="The draw format (docs/draw.md)")
    box: BoxState | None = Field(default=None, description="Box gachas: the tickets left")
    ceiling: CeilingRule | None = Field(default=None, description="Rate gachas with a ceiling (天井)")
    campaigns: list[CampaignOut] = Field(
        default_factory=list,
        description="Current and upcoming campaigns (the public page; the rates never change)",
    )


class GachaDetail(GachaDocument):
    """A listed gacha with its full rate disclosure (``GET /api/gachas/{gacha_id}``)."""

    prizes: list[DisclosedPrize] = Field(description="In lineup order")


class GachaSummary(Strict):
    gacha_id: str
    vtuber_id: str
    title: str
    status: GachaStatus
    sale_state: SaleState
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    price_single: Yen
    price_ten: Yen
    guarantee_min_rarity: Rarity | None
    rate_table_hash: str
    kind: Literal["rate", "box"] = "rate"
    ceiling: int | None = Field(default=None, description="天井 in draws; null: none")


class GachaPage(Strict):
    items: list[GachaSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last")


class ProfileExchangeItem(Strict):
    item_id: str
    name: str
    cost: int = Field(description="Medals per unit")
    per_user_limit: int
    remaining: int | None = Field(description="null: unlimited stock")
    starts_at: IsoDateTime
    ends_at: IsoDateTime


class VtuberProfile(Strict):
    vtuber_id: str
    channel_name: str
    channel_url: str
    description: str
    status: Literal["active", "suspended"]
    gachas: list[GachaSummary] = Field(description="Current (not ended) gachas")
    exchange_items: list[ProfileExchangeItem]


class PublicVtuber(Strict):
    vtuber_id: str
    channel_name: str
    channel_url: str
    description: str


class PublicVtuberPage(Strict):
    """Approved VTubers (``GET /api/vtubers``), the most recently applied first."""

    items: list[PublicVtuber]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last")
