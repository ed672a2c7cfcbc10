"""Provably fair draws' records (docs/fairness.md), several kinds of item in one table:

- ``gacha#<id>`` / ``seed``: the server seed (KMS-encrypted), its commitment, and the seed once revealed;
- ``gacha#<id>`` / ``rates#<version>``: the rate-table history (version, hash, document, effective from);
- ``gacha#<id>`` / ``stats``: observed draw counts, one top-level number attribute per prize
  (``n_<prize_id>``) so the fulfilment transaction can ``ADD`` to it without the item existing first;
- ``nonce#<fan_id>#<gacha_id>`` / ``nonce``: the fan's next sequential nonce for the gacha.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from oshi.models.base import table_meta

SEED = "seed"
BOX = "box"  # gacha#<id> / box: the box's state; gacha#<id> / box#<position>: its draw log (oshi.draw.box)
STATS = "stats"
NONCE = "nonce"


def gacha_pk(gacha_id: str) -> str:
    return f"gacha#{gacha_id}"


def rates_sk(version: int) -> str:
    return f"rates#{version:06d}"


def box_log_sk(position: int) -> str:
    return f"box#{position:06d}"


def nonce_pk(fan_id: str, gacha_id: str) -> str:
    return f"nonce#{fan_id}#{gacha_id}"


class FairnessRecord(Model):
    Meta = table_meta("fairness")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    # seed
    seed_ciphertext = BinaryAttribute(null=True, legacy_encoding=False)
    commitment = UnicodeAttribute(null=True)
    revealed_seed = UnicodeAttribute(null=True)  # hex, set once the sale has ended
    revealed_at = UTCDateTimeAttribute(null=True)
    # rate-table history
    rate_table_version = NumberAttribute(null=True)
    rate_table_hash = UnicodeAttribute(null=True)
    rate_table = JSONAttribute(null=True)
    effective_from = UTCDateTimeAttribute(null=True)
    # nonce counter
    next_nonce = NumberAttribute(null=True)
    # stats: draws from the main table with nothing run out (the stated rates apply exactly), and the rest
    stated_draws = NumberAttribute(null=True)
    other_draws = NumberAttribute(null=True)
    # nonce item: the ceiling (天井) counter, draws since the fan's last top-rarity prize on the gacha
    since_top = NumberAttribute(null=True)
    # box state: tickets taken so far, tickets left per prize, who took the last ticket
    box_drawn = NumberAttribute(null=True)
    box_remaining = JSONAttribute(null=True)
    last_one_order_id = UnicodeAttribute(null=True)
    last_one_fan_id = UnicodeAttribute(null=True)
    # box log entry (one per order, keyed by its first position): the order's proof
    order_id = UnicodeAttribute(null=True)
    fan_id = UnicodeAttribute(null=True)
    proof = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
