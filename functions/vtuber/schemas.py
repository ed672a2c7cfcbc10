"""Request and response shapes shared by the VTuber service's handlers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from oshi.catalogue import lineup_queries
from oshi.catalogue.filetypes import FileType
from oshi.draw.rates import MAX_PRIZES
from oshi.models.assets import AssetStatus
from oshi.models.gachas import GachaStatus
from oshi.models.vtubers import VtuberStatus
from oshi.web.schemas import Strict
from oshi.web.schemas.catalogue import DisclosedPrize, GachaDocument, GachaSummary, Rarity
from vtuber import checks

ID = r"^[0-9a-z]{26}$"
AssetKind = Literal["image", "audio", "video", "archive"]  # FileType.kind
RejectionCode = Literal[  # oshi.catalogue.uploads.Rejection.code
    "empty_file", "file_too_large", "unknown_type", "type_mismatch", "replaced_after_validation"
]


# --- screening ----------------------------------------------------------------------------------------
class ApplyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a "status" in the body never reaches the logic

    channel_name: str = Field(min_length=1, max_length=60)
    channel_url: str = Field(max_length=300, pattern=r"^https://[^\s/$.?#][^\s]*$")
    description: str = Field(default="", max_length=2000)


class VtuberOut(BaseModel):
    vtuber_id: str
    status: VtuberStatus
    channel_name: str
    channel_url: str
    description: str
    applied_at: datetime
    decided_at: datetime | None = None
    reason: str | None = None


class AdminVtuberOut(VtuberOut):
    user_id: str
    decided_by: str | None = None
    storage_bytes: int = 0


class VtuberPage(BaseModel):
    items: list[AdminVtuberOut]
    next_cursor: str | None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=500)


class DecisionOut(BaseModel):
    vtuber: AdminVtuberOut
    role_changed: bool


# --- moderation ------------------------------------------------------------------------------------------
class SuspendIn(BaseModel):  # an admin stops one gacha's sale (vtuber.admin_gacha_suspend)
    reason: str = Field(min_length=1, max_length=500)


class SuspendOut(BaseModel):
    gacha_id: str
    status: GachaStatus


# --- uploads --------------------------------------------------------------------------------------------
class UploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=200)
    content_type: FileType
    size_bytes: StrictInt = Field(ge=1)


class PresignedPost(BaseModel):
    method: str = "POST"
    url: str
    fields: dict[str, str]


class UploadOut(BaseModel):
    asset_id: str
    status: AssetStatus
    upload: PresignedPost
    expires_in: int
    max_bytes: int


class AssetOut(BaseModel):
    asset_id: str
    filename: str
    status: AssetStatus
    reason: str | None = None
    reason_code: RejectionCode | None = None
    declared_type: FileType
    detected_type: FileType | None = None
    kind: AssetKind | None = None
    size_bytes: int | None = None
    created_at: datetime
    checked_at: datetime | None = None


class StorageQuota(BaseModel):
    used_bytes: int = Field(description="Validated files plus pending reservations")
    quota_bytes: int
    max_file_bytes: int


class AssetList(BaseModel):
    items: list[AssetOut]
    storage: StorageQuota | None = None


class AssetViewOut(BaseModel):
    asset_id: str
    url: str
    content_type: str
    kind: str
    expires_in: int


# --- gachas ---------------------------------------------------------------------------------------------
class PrizeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    rarity: str = Field(min_length=1, max_length=8)
    rate_ppm: StrictInt = Field(default=0, description="Rate gachas: integer ppm (box gachas: leave out)")
    asset_ids: list[str] = Field(min_length=1, max_length=lineup_queries.MAX_ASSETS_PER_PRIZE)
    stock: StrictInt | None = None
    tickets: StrictInt | None = Field(default=None, description="Box gachas: this prize's tickets in the box")
    preview_asset_id: str | None = Field(
        default=None,
        pattern=ID,
        description="A separate small image/audio/video asset shown publicly; never one of the reward files",
    )


class GuaranteeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_rarity: str = Field(min_length=1, max_length=8)


class GachaIn(BaseModel):
    """Unknown fields are refused, and any field about collecting a set is named as a complete gacha."""

    model_config = ConfigDict(extra="forbid")
    _no_complete_gacha = model_validator(mode="before")(checks.refuse_complete_gacha)

    title: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    price_single: StrictInt
    price_ten: StrictInt
    medals_per_draw: StrictInt = 1
    starts_at: datetime
    ends_at: datetime
    total_stock: StrictInt | None = None
    prizes: list[PrizeIn] = Field(min_length=1, max_length=MAX_PRIZES)
    guarantee: GuaranteeIn | None = None
    kind: Literal["rate", "box"] = Field(
        default="rate", description="rate: independent draws at fixed rates; box: a finite box of tickets"
    )
    ceiling: StrictInt | None = Field(
        default=None,
        description="Rate gachas: 天井. A fan's N-th consecutive draw without the top rarity is top rarity",
    )
    last_one: PrizeIn | None = Field(
        default=None,
        description="Box gachas: the last-one prize (ラストワン賞), to whoever draws the last ticket",
    )
    stock_shards: StrictInt | None = Field(
        default=None,
        description=(
            "Limited stock (or a box's tickets): the number of shard items the stock is reserved on, "
            "for a launch's demand (about 250 purchases/s each); null: from the stock size"
        ),
    )


class GachaCreateIn(GachaIn):
    publish: bool = False


class GachaUpdateIn(GachaIn):
    version: StrictInt | None = None  # the version the editor loaded; a stale one is 409


class OwnPrize(DisclosedPrize):
    asset_ids: list[str] = Field(description="The assets the prize grants")
    preview_asset_id: str | None = Field(
        default=None,
        description="The library asset shown publicly as the preview (send it back with an edit)",
    )


class OwnLastOne(Strict):
    """A box's last-one prize as the editor sends it back (the public ``box.last_one`` has no assets)."""

    name: str
    rarity: str
    asset_ids: list[str]
    preview_asset_id: str | None = None


class OwnGacha(GachaDocument):
    """The VTuber's view: exactly what the catalogue will disclose, plus editing state and assets."""

    prizes: list[OwnPrize] = Field(description="In lineup order")
    last_one: OwnLastOne | None = Field(
        default=None, description="Box gachas: the last-one prize with its assets (send it back with an edit)"
    )
    version: int = Field(description="Send it back as ``version`` with an edit (409 when stale)")
    editable: bool
    total_stock: int | None = Field(description="Draws that may be sold; null: unlimited")
    stock_shards: int = Field(description="Shard items the stock is reserved on (1: the gacha itself)")


class OwnGachaSummary(GachaSummary):
    version: int
    editable: bool


class OwnGachaList(Strict):
    items: list[OwnGachaSummary] = Field(description="Drafts included, latest sale start first")


# --- the creation form -----------------------------------------------------------------------------------
class PriceRange(Strict):
    min: int
    max: int


class GachaFormLimits(Strict):
    ppm_total: int
    min_rate_ppm: int
    max_prizes: int
    max_assets_per_prize: int
    max_linked_assets: int
    price_single: PriceRange
    price_ten: PriceRange
    max_medals_per_draw: int
    max_sale_days: int
    guarantee_batch: int
    currency: Literal["JPY"]


class GachaFormDefaults(Strict):
    medals_per_draw: int
    guarantee: GuaranteeIn | None
    publish: bool


class GachaForm(Strict):
    """What the creation form needs: the validated assets, the rarities, defaults and limits."""

    assets: list[AssetOut]
    rarities: list[Rarity] = Field(description="Lowest first")
    defaults: GachaFormDefaults
    limits: GachaFormLimits
