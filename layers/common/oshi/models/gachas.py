"""Gachas and their lineups.

``Gacha`` carries the frozen rate table (``rate_table``: the exact document ``oshi.draw.fairness`` hashes,
prizes in lineup order with integer ppm, and the guarantee rule with its derived slot table), its
``rate_table_version`` (bumped on every lineup edit before the sale) and ``rate_table_hash``, so the draw
engine builds its cumulative table from one item. ``Prize`` items (``p01``, ``p02``... in lineup order)
carry names, granted assets (the reward links) and prize stock.
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from oshi.models.base import table_meta


class GachaStatus(StrEnum):
    DRAFT = "draft"  # visible to its VTuber only
    PUBLISHED = "published"  # in the catalogue; on sale between starts_at and ends_at
    SUSPENDED = "suspended"  # by an admin: listed, not on sale


class GachaKind(StrEnum):
    RATE = "rate"  # independent draws at fixed rates (the rate table)
    BOX = "box"  # a finite box of tickets drawn without replacement (oshi.draw.box)


def kind_of(gacha: Gacha) -> GachaKind:
    return GachaKind(gacha.kind or GachaKind.RATE.value)


PUBLIC_LISTING = "public"  # the value of ``listing`` for gachas in the catalogue (absent on drafts)


class GachasByVtuber(GlobalSecondaryIndex["Gacha"]):
    class Meta:
        index_name = "by-vtuber"
        projection = AllProjection()

    vtuber_id = UnicodeAttribute(hash_key=True)
    starts_at = UTCDateTimeAttribute(range_key=True)


class GachasInCatalogue(GlobalSecondaryIndex["Gacha"]):
    """Sparse: only items with ``listing`` (published or suspended gachas) appear."""

    class Meta:
        index_name = "catalogue"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    starts_at = UTCDateTimeAttribute(range_key=True)


class Gacha(Model):
    Meta = table_meta("gachas")

    gacha_id = UnicodeAttribute(hash_key=True)
    vtuber_id = UnicodeAttribute()
    owner_user_id = UnicodeAttribute()  # the VTuber's user id (their Vtuber item's key)
    status = UnicodeAttribute()  # GachaStatus
    listing = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    price_single = NumberAttribute()  # integer JPY
    price_ten = NumberAttribute()  # integer JPY
    medals_per_draw = NumberAttribute(default=1)
    starts_at = UTCDateTimeAttribute()
    ends_at = UTCDateTimeAttribute()
    total_stock = NumberAttribute(null=True)  # draws that may be sold; None = unlimited
    sold_draws = NumberAttribute(default=0)
    guarantee_min_rarity = UnicodeAttribute(null=True)
    prize_count = NumberAttribute()
    rate_table = JSONAttribute()
    rate_table_version = NumberAttribute()
    rate_table_hash = UnicodeAttribute()
    version = NumberAttribute()  # optimistic concurrency for edits
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    published_at = UTCDateTimeAttribute(null=True)
    # --- draw formats (issue 20, docs/draw.md) ---
    kind = UnicodeAttribute(null=True)  # GachaKind; absent = "rate"
    ceiling = NumberAttribute(null=True)  # 天井: the N-th draw without the top rarity is top rarity
    first_ten = JSONAttribute(
        null=True
    )  # first 10-draw discounts (oshi.catalogue.campaigns), read by purchases
    # --- sharded stock (issue 21, oshi.catalogue.stock) ---
    # Absent or 1: the stock is reserved on this item's ``sold_draws``. N > 1: on N ``StockShard`` items
    # (this item's ``sold_draws`` then stays 0; readers fill it with the shards' sum).
    stock_shards = NumberAttribute(null=True)

    by_vtuber = GachasByVtuber()
    in_catalogue = GachasInCatalogue()


class StockShard(Model):
    """One shard of a limited gacha's stock (oshi.catalogue.stock): shard ``k`` of N may reserve
    ``allocation(total, N, k)`` draws. Its own partition key (``{gacha_id}#{k}``) so every shard has its
    own partition's write capacity. Created by the first reservation's ADD (absent = nothing reserved)."""

    Meta = table_meta("stock-shards")

    shard_key = UnicodeAttribute(hash_key=True)  # f"{gacha_id}#{k}"
    sold = NumberAttribute(default=0)  # draws reserved on this shard (paid or awaiting payment)


class Prize(Model):
    Meta = table_meta("prizes")

    gacha_id = UnicodeAttribute(hash_key=True)
    prize_id = UnicodeAttribute(range_key=True)  # p01, p02 ... (lineup order)
    position = NumberAttribute()
    name = UnicodeAttribute()
    rarity = UnicodeAttribute()
    rate_ppm = NumberAttribute()
    asset_ids = ListAttribute(of=UnicodeAttribute)  # what the prize grants (validated, owned assets)
    stock = NumberAttribute(null=True)  # None = unlimited
    remaining = NumberAttribute(null=True)
    # A public preview (oshi.catalogue.previews): a separate asset, copied to previews/, never a reward.
    preview_asset_id = UnicodeAttribute(null=True)
    preview_key = UnicodeAttribute(null=True)
    preview_type = UnicodeAttribute(null=True)
    preview_kind = UnicodeAttribute(null=True)
    tickets = NumberAttribute(null=True)  # box gachas: this prize's tickets in the box
    last_one = UnicodeAttribute(null=True)  # box gachas: "1" on the last-one prize (ラストワン賞)
