"""Where provably fair draws keep their state (docs/fairness.md): seeds, rate-table history, nonces, stats.

- The server seed is created when a gacha is published, encrypted with KMS (the gacha id bound as
  encryption context) and committed to by SHA-256; it is revealed once the sale has ended.
- Every rate table a published gacha had is recorded (version, hash, document, effective from), so
  anyone can see the rates did not change during the sale (they cannot: lineup freezes them).
- The per-fan, per-gacha nonce and the per-gacha draw counts are updated inside the fulfilment
  transaction (``nonce_update`` / ``stats_update`` add one action each).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.operand import Path, Value

from oshi.kernel import clock
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings
from oshi.models.fairness import (
    BOX,
    NONCE,
    SEED,
    STATS,
    FairnessRecord,
    box_log_sk,
    gacha_pk,
    nonce_pk,
    rates_sk,
)
from oshi.models.gachas import Gacha, Prize

if TYPE_CHECKING:
    from oshi.draw.engine import Draw
    from oshi.kernel.txn import Txn  # the fulfilment's transaction: readers never load it

NONCE_LABEL = "nonce"
BOX_LABEL = "box"
BOX_LOG_LABEL = "box-log"
STATS_LABEL = "stats"
Z_99 = 2.5758293035489004  # two-sided 99% normal quantile
MIN_DRAWS_FOR_ALERT = 1000  # below this, an interval says little and one lucky fan would page someone


# --- the server seed ---------------------------------------------------------------------------------------


def _encrypt(gacha_id: str, seed: bytes) -> bytes:
    response = client("kms").encrypt(
        KeyId=get_settings().fairness_key_alias, Plaintext=seed, EncryptionContext={"gacha_id": gacha_id}
    )
    return bytes(response["CiphertextBlob"])


def _decrypt(gacha_id: str, ciphertext: bytes) -> bytes:
    response = client("kms").decrypt(CiphertextBlob=ciphertext, EncryptionContext={"gacha_id": gacha_id})
    return bytes(response["Plaintext"])


def on_published(gacha: Gacha, at: datetime | None = None) -> FairnessRecord:
    """Commit to a fresh server seed (once per gacha) and record the rate table in effect."""
    at = at or clock.utc_now()
    record_rate_table(gacha, at)
    return ensure_seed(gacha.gacha_id, at)


# --- box gachas (oshi.draw.box) ------------------------------------------------------------------------------


def box_key(gacha_id: str) -> tuple[str, str]:
    return gacha_pk(gacha_id), BOX


def reset_box(gacha_id: str, box_document: dict[str, Any], at: datetime) -> None:
    """The full box, before its sale (publication, or a lineup edit before the start). Never once a ticket
    was taken: the condition refuses to refill a box that has been drawn from."""
    from oshi.draw import box as boxes

    full = boxes.from_document(box_document).full()
    FairnessRecord(*box_key(gacha_id), box_drawn=0, box_remaining=full, created_at=at, updated_at=at).save(
        condition=FairnessRecord.pk.does_not_exist() | (FairnessRecord.box_drawn == 0)
    )


def box_state(gacha_id: str, *, consistent: bool = True) -> FairnessRecord | None:
    try:
        return FairnessRecord.get(*box_key(gacha_id), consistent_read=consistent)
    except DoesNotExist:
        return None


def box_update(
    txn: Txn,
    gacha_id: str,
    drawn: int,
    taken: int,
    remaining: dict[str, int],
    at: datetime,
    *,
    last_one: tuple[str, str] | None = None,
) -> None:
    """Take ``taken`` tickets from a box that had ``drawn`` taken: only if nobody took one meanwhile, so two
    fulfilments can never take the same ticket and the last ticket (and its last-one prize) goes once."""
    actions: list[Any] = [
        FairnessRecord.box_drawn.set(drawn + taken),
        FairnessRecord.box_remaining.set(remaining),
        FairnessRecord.updated_at.set(at),
    ]
    condition = FairnessRecord.box_drawn == drawn
    if last_one is not None:
        order_id, fan_id = last_one
        actions += [
            FairnessRecord.last_one_order_id.set(order_id),
            FairnessRecord.last_one_fan_id.set(fan_id),
        ]
        condition &= FairnessRecord.last_one_order_id.does_not_exist()
    txn.update(BOX_LABEL, FairnessRecord(*box_key(gacha_id)), actions=actions, condition=condition)


def box_log_put(
    txn: Txn, gacha_id: str, position: int, order_id: str, fan_id: str, proof: dict[str, Any], at: datetime
) -> None:
    """The box's public draw log: one item per order, keyed by its first position (condition: new)."""
    txn.put(
        BOX_LOG_LABEL,
        FairnessRecord(
            gacha_pk(gacha_id),
            box_log_sk(position),
            order_id=order_id,
            fan_id=fan_id,
            proof=proof,
            created_at=at,
        ),
        condition=FairnessRecord.sk.does_not_exist(),
    )


def box_log(gacha_id: str) -> list[FairnessRecord]:
    """Every box order's proof, by position (a box holds at most a few thousand tickets)."""
    return list(
        FairnessRecord.query(gacha_pk(gacha_id), FairnessRecord.sk.startswith("box#"), consistent_read=True)
    )


def ensure_seed(gacha_id: str, at: datetime | None = None) -> FairnessRecord:
    from oshi.draw import fairness  # the draw's own modules load on the paths that draw or publish

    seed = fairness.new_server_seed()
    record = FairnessRecord(
        gacha_pk(gacha_id),
        SEED,
        seed_ciphertext=_encrypt(gacha_id, seed),
        commitment=fairness.commitment(seed),
        created_at=at or clock.utc_now(),
    )
    try:
        record.save(condition=FairnessRecord.sk.does_not_exist())  # never replace a committed seed
        return record
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
    return FairnessRecord.get(gacha_pk(gacha_id), SEED, consistent_read=True)


def seed_record(gacha_id: str) -> FairnessRecord | None:
    try:
        return FairnessRecord.get(gacha_pk(gacha_id), SEED, consistent_read=True)
    except DoesNotExist:
        return None


def server_seed(gacha_id: str) -> tuple[bytes, str]:
    """The decrypted server seed and its commitment, creating them if the gacha has none (a gacha
    published before seeds existed: its commitment is then only as old as its first draw)."""
    from oshi.draw import fairness  # as in ``ensure_seed``

    record = seed_record(gacha_id) or ensure_seed(gacha_id)
    assert record.seed_ciphertext is not None and record.commitment is not None
    seed = _decrypt(gacha_id, record.seed_ciphertext)
    if fairness.commitment(seed) != record.commitment:
        raise RuntimeError(f"the stored seed of gacha {gacha_id} does not match its commitment")
    return seed, record.commitment


def reveal_if_ended(
    gacha: Gacha, record: FairnessRecord, at: datetime | None = None, *, sold_out: bool = False
) -> FairnessRecord:
    """After the sale (or once a box is empty: ``sold_out``), the seed is public: decrypt it once and keep
    it in the clear."""
    at = at or clock.utc_now()
    if record.revealed_seed or (at < gacha.ends_at and not sold_out) or record.seed_ciphertext is None:
        return record
    seed = _decrypt(gacha.gacha_id, record.seed_ciphertext)
    try:
        record.update(
            actions=[FairnessRecord.revealed_seed.set(seed.hex()), FairnessRecord.revealed_at.set(at)],
            condition=FairnessRecord.revealed_seed.does_not_exist(),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        record.refresh(consistent_read=True)
    return record


# --- rate-table history -------------------------------------------------------------------------------------


def record_rate_table(gacha: Gacha, at: datetime | None = None) -> None:
    """Record the gacha's current rate table as a history entry (a lineup edit before the sale adds one)."""
    version = int(gacha.rate_table_version)
    FairnessRecord(
        gacha_pk(gacha.gacha_id),
        rates_sk(version),
        rate_table_version=version,
        rate_table_hash=gacha.rate_table_hash,
        rate_table=gacha.rate_table,
        effective_from=at or clock.utc_now(),
    ).save()


def rate_history(gacha_id: str) -> list[FairnessRecord]:
    return list(FairnessRecord.query(gacha_pk(gacha_id), FairnessRecord.sk.startswith("rates#")))


# --- nonces ---------------------------------------------------------------------------------------------------


def nonce_key(fan_id: str, gacha_id: str) -> tuple[str, str]:
    return nonce_pk(fan_id, gacha_id), NONCE


def nonce_update(
    txn: Txn, fan_id: str, gacha_id: str, nonce: int, at: datetime, *, since_top: int | None = None
) -> None:
    """Use ``nonce`` and move the counter to ``nonce + 1``, only if nobody used it first. ``since_top``: the
    ceiling counter after this order, on the same item, so the nonce's condition makes it exact too."""
    condition = FairnessRecord.pk.does_not_exist() if nonce == 0 else FairnessRecord.next_nonce == nonce
    actions = [FairnessRecord.next_nonce.set(nonce + 1), FairnessRecord.updated_at.set(at)]
    if since_top is not None:
        actions.append(FairnessRecord.since_top.set(since_top))
    txn.update(
        NONCE_LABEL, FairnessRecord(*nonce_key(fan_id, gacha_id)), actions=actions, condition=condition
    )


def ceiling_counter(fan_id: str, gacha_id: str) -> tuple[int, int]:
    """(draws since the fan's last top-rarity prize, orders drawn) on the gacha."""
    try:
        record = FairnessRecord.get(*nonce_key(fan_id, gacha_id), consistent_read=True)
    except DoesNotExist:
        return 0, 0
    return int(record.since_top or 0), int(record.next_nonce or 0)


# --- stats ----------------------------------------------------------------------------------------------------


def count_attr(prize_id: str) -> str:
    return f"n_{prize_id}"


def stats_update(txn: Txn, gacha_id: str, draws: Sequence[Draw], at: datetime) -> None:
    """One ADD per drawn prize on the gacha's stats item. Only main-table draws with nothing run out are
    compared with the stated rates (the others had different weights, as their proofs show)."""
    from oshi.draw.engine import TableKind  # the fulfilment's path; the public reads load no draw engine

    stated = Counter(d.prize_id for d in draws if d.table is TableKind.MAIN and not d.exhausted)
    actions: list[Any] = [FairnessRecord.updated_at.set(at)]
    for prize_id, n in sorted(stated.items()):
        actions.append(Path([count_attr(prize_id)]).add(Value({"N": str(n)})))
    if stated:
        actions.append(FairnessRecord.stated_draws.add(sum(stated.values())))
    if len(draws) - sum(stated.values()):
        actions.append(FairnessRecord.other_draws.add(len(draws) - sum(stated.values())))
    txn.update(STATS_LABEL, FairnessRecord(gacha_pk(gacha_id), STATS), actions=actions)


def _stats_item(gacha_id: str) -> dict[str, Any]:
    table = FairnessRecord.Meta.table_name
    response = client("dynamodb").get_item(
        TableName=table, Key={"pk": {"S": gacha_pk(gacha_id)}, "sk": {"S": STATS}}, ConsistentRead=True
    )
    return dict(response.get("Item") or {})


def wilson(successes: int, n: int, z: float = Z_99) -> tuple[float, float]:
    """The Wilson score interval of a proportion (good near 0, where rare prizes live)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


class PrizeStats(NamedTuple):
    prize_id: str
    name: str
    rarity: str
    stated_ppm: int
    drawn: int
    observed_rate: float | None
    interval_low: float
    interval_high: float
    anomalous: bool  # the stated rate lies outside the 99% interval, over enough draws


class GachaStats(NamedTuple):
    gacha_id: str
    stated_draws: int
    other_draws: int
    confidence: float
    prizes: tuple[PrizeStats, ...]
    final: bool


def stats(gacha: Gacha, prizes: Sequence[Prize], at: datetime | None = None) -> GachaStats:
    item = _stats_item(gacha.gacha_id)
    n = int(item.get("stated_draws", {}).get("N", "0"))
    other = int(item.get("other_draws", {}).get("N", "0"))
    rows = []
    for prize in sorted(prizes, key=lambda p: int(p.position)):
        drawn = int(item.get(count_attr(prize.prize_id), {}).get("N", "0"))
        low, high = wilson(drawn, n)
        stated = int(prize.rate_ppm) / 1_000_000
        rows.append(
            PrizeStats(
                prize_id=prize.prize_id,
                name=prize.name,
                rarity=prize.rarity,
                stated_ppm=int(prize.rate_ppm),
                drawn=drawn,
                observed_rate=drawn / n if n else None,
                interval_low=low,
                interval_high=high,
                anomalous=n >= MIN_DRAWS_FOR_ALERT and not low <= stated <= high,
            )
        )
    return GachaStats(
        gacha.gacha_id, n, other, 0.99, tuple(rows), final=(at or clock.utc_now()) >= gacha.ends_at
    )
