"""The reward box and oshi medals: one definition, filled by the draw (issue 6) and the exchange (issue 7).

Reward ids are derived from their source (``<order or exchange id>#<draw index>#<asset index>``) so a
retried fulfilment or trade writes the same keys and a conditional put cannot duplicate a reward. Source
ids are ULIDs, so sorting by reward id is sorting by time (newest first = descending).

A fan's medals for one VTuber are one ``MedalBalance`` item; every change is a ``MedalLedgerEntry`` in
the same transaction, so the balance always equals the ledger's sum (``oshi.rewards.medals`` owns both writes).
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from oshi.models.base import table_meta


class RewardSource(StrEnum):
    GACHA = "gacha"
    EXCHANGE = "exchange"


class RewardsByVtuber(GlobalSecondaryIndex["Reward"]):
    class Meta:
        index_name = "by-fan-vtuber"
        projection = AllProjection()

    fan_vtuber = UnicodeAttribute(hash_key=True)  # "<fan_id>#<vtuber_id>"
    reward_id = UnicodeAttribute(range_key=True)


class Reward(Model):
    Meta = table_meta("rewards")

    fan_id = UnicodeAttribute(hash_key=True)
    reward_id = UnicodeAttribute(range_key=True)
    fan_vtuber = UnicodeAttribute()
    source = UnicodeAttribute()  # RewardSource
    source_id = UnicodeAttribute()  # order id or exchange id
    vtuber_id = UnicodeAttribute()
    gacha_id = UnicodeAttribute(null=True)
    prize_id = UnicodeAttribute(null=True)
    item_id = UnicodeAttribute(null=True)  # exchange item
    asset_id = UnicodeAttribute()
    asset_vtuber_id = UnicodeAttribute()  # the asset's key is (vtuber_id, asset_id)
    name = UnicodeAttribute()  # the prize's or item's name
    rarity = UnicodeAttribute(null=True)
    object_key = UnicodeAttribute()  # where the file is in the content bucket
    file_name = UnicodeAttribute()  # the original name, for Content-Disposition
    content_type = UnicodeAttribute()
    size_bytes = NumberAttribute()
    acquired_at = UTCDateTimeAttribute()
    download_count = NumberAttribute(default=0)
    last_downloaded_at = UTCDateTimeAttribute(null=True)
    revoked = BooleanAttribute(default=False)  # its order was refunded: kept for the record, not downloadable

    by_vtuber = RewardsByVtuber()


def reward_id(source_id: str, draw_index: int, asset_index: int = 0) -> str:
    return f"{source_id}#{draw_index:03d}#{asset_index:02d}"


class MedalBalance(Model):
    Meta = table_meta("medal-balances")

    fan_id = UnicodeAttribute(hash_key=True)
    vtuber_id = UnicodeAttribute(range_key=True)
    balance = NumberAttribute(default=0)
    earned = NumberAttribute(default=0)
    spent = NumberAttribute(default=0)  # spent in the exchange, plus medals clawed back by refunds
    updated_at = UTCDateTimeAttribute(null=True)


class LedgerKind(StrEnum):
    EARN = "earn"  # a fulfilled order
    SPEND = "spend"  # an exchange trade
    CLAWBACK = "clawback"  # a refunded order's medals taken back


class MedalLedgerEntry(Model):
    Meta = table_meta("medal-ledger")

    fan_vtuber = UnicodeAttribute(hash_key=True)  # "<fan_id>#<vtuber_id>"
    entry_id = UnicodeAttribute(range_key=True)  # "<source id>#<kind>": one entry per source and kind
    fan_id = UnicodeAttribute()
    vtuber_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # LedgerKind
    delta = NumberAttribute()  # signed: + earned, - spent or clawed back
    source_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    multiplier = NumberAttribute(null=True)  # a campaign's medal multiplier applied to this earn (issue 20)
    campaign_id = UnicodeAttribute(null=True)


def fan_vtuber(fan_id: str, vtuber_id: str) -> str:
    return f"{fan_id}#{vtuber_id}"
