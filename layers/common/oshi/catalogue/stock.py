"""Sharded stock (issue 21): a limited gacha's draws reserved on N shard items instead of one.

One DynamoDB item takes ~1,000 write units per second. A reservation is a transactional update (2 units per
KB), so the ~2 KB gacha item takes ~250 purchases/s and a < 1 KB shard item ~500 (docs/performance.md §6).
A gacha published with ``stock_shards = N > 1`` keeps its stock on N ``StockShard`` items, each with its
own partition key; shard ``k`` may reserve ``allocation(total, N, k)`` draws (the stock split as evenly as
integers allow). N = 1 (or absent) is the gacha item itself, as before: ``Gacha.sold_draws``.

- **N** is part of the gacha's spec (``stock_shards``), fixed like the rest of the lineup once the sale
  starts; absent, ``default_shards`` derives it from the stock size (the expected demand).
- **Purchase** (``oshi.commerce.orders``): reserve ``count`` on one shard chosen at random, on the
  condition that it stays within its allocation. On a full shard, read every shard (one batch read) and
  reserve where there is room (``plan``): one shard with ``count`` left, or, near the end, several
  shards' remainders. Sold out only when the shards together have less than ``count`` left. The order
  records where its draws are (``Order.stock_shards``), so its release gives back exactly those.
- **Release**: ``oshi.commerce.reservations.release``, the one place, gives each shard its draws back.
- **Display**: the catalogue fills ``sold_draws`` of a sharded gacha in memory with the shards' sum
  (``fill_sums``), cached per container for ``SUM_TTL`` seconds; the pages themselves are cached for
  ``storefront.STOCK_TTL``. Nothing ever writes the sum back.

The sale window and status are not conditions of a sharded reservation: the gacha item is read
(consistently) at the start of the purchase, and a condition on it, even a ConditionCheck, is billed as a
write to that one item at every purchase, which is the hot key sharding removes. The window is fixed once
the sale starts, so only a suspension landing in the milliseconds between that read and the transaction
can let a purchase through (as if it had come a moment earlier).
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable, Mapping

from oshi.kernel import batch, clock
from oshi.models.gachas import Gacha, GachaStatus, StockShard

_sums: dict[str, tuple[float, int]] = {}  # gacha id -> (read at, shards' sum): never decides a sale alone

# One shard per DRAWS_PER_SHARD draws of stock by default. The arithmetic: a launch sells a limited gacha
# out in ~8 s, at ~5 draws a purchase (singles and 10-draws), so a stock S brings S / 40 purchases/s; a
# shard is planned at PLANNED_RATE_PER_SHARD = 250/s, so S / 40 / 250 = S / 10,000 shards.
DRAWS_PER_SHARD = 10_000
PLANNED_RATE_PER_SHARD = 250  # purchases/s: half of the ~500 a < 1 KB item absorbs (releases write too)
MAX_SHARDS = 32  # 8,000 purchases/s planned; the catalogue's sum reads at most 32 items
SUM_TTL = 5.0  # seconds a container reuses a gacha's shard sum for display


def default_shards(total_stock: int | None) -> int:
    if total_stock is None:
        return 1
    return max(1, min(MAX_SHARDS, math.ceil(total_stock / DRAWS_PER_SHARD)))


def shard_count(gacha: Gacha) -> int:
    """1 for an unlimited gacha or one on its own item."""
    if gacha.total_stock is None or gacha.stock_shards is None:
        return 1
    return max(1, int(gacha.stock_shards))


def is_sharded(gacha: Gacha) -> bool:
    return shard_count(gacha) > 1


def allocation(total: int, shards: int, k: int) -> int:
    """Shard ``k``'s draws: ``total`` split evenly, the first ``total % shards`` shards one more."""
    return total // shards + (1 if k < total % shards else 0)


def shard_key(gacha_id: str, k: int) -> str:
    return f"{gacha_id}#{k}"


def label(k: int) -> str:
    """The Txn label of shard ``k``'s reservation or release."""
    return f"stock:{k}"


def stock_failed(labels: Iterable[str]) -> bool:
    return any(item == "stock" or item.startswith("stock:") for item in labels)


def first_choice(gacha: Gacha, count: int) -> dict[int, int] | None:
    """The common case: all ``count`` draws on one shard, chosen at random among those whose allocation
    can hold them (per call: no random state at import, so restored snapshots do not all pick the same
    shard). None when no shard is that big (a tiny stock): the purchase reads the shards first."""
    n, total = shard_count(gacha), int(gacha.total_stock or 0)
    fits = [k for k in range(n) if allocation(total, n, k) >= count]
    return {fits[secrets.randbelow(len(fits))]: count} if fits else None


def read(gacha: Gacha, *, consistent: bool = True) -> list[int]:
    """Draws reserved on each shard (one batch read; a shard never written has reserved nothing). The
    sum is remembered for display and for ``seen_sold_out``."""
    n = shard_count(gacha)
    found = batch.get_many(
        StockShard, [shard_key(gacha.gacha_id, k) for k in range(n)], consistent_read=consistent
    )
    by_key = {item.shard_key: int(item.sold or 0) for item in found}
    sold = [by_key.get(shard_key(gacha.gacha_id, k), 0) for k in range(n)]
    _sums[gacha.gacha_id] = (clock.now(), sum(sold))
    return sold


def seen_sold_out(gacha: Gacha) -> bool:
    """This container read the shards less than SUM_TTL ago and they were full: a purchase reads them
    again (a batch read, which releases may have changed) instead of trying a write bound to fail, so a
    sold-out gacha costs its shards no write capacity."""
    seen = _sums.get(gacha.gacha_id)
    return seen is not None and clock.now() - seen[0] < SUM_TTL and seen[1] >= int(gacha.total_stock or 0)


def remaining(gacha: Gacha, sold: list[int]) -> list[int]:
    total, n = int(gacha.total_stock or 0), len(sold)
    return [max(allocation(total, n, k) - sold[k], 0) for k in range(n)]


def plan(gacha: Gacha, count: int, sold: list[int]) -> dict[int, int] | None:
    """Where to reserve ``count`` draws given each shard's reserved draws: a random shard with room for
    all of them, else the remainders of several (random order); None when fewer than ``count`` are left."""
    left = remaining(gacha, sold)
    if sum(left) < count:
        return None
    whole = [k for k, n in enumerate(left) if n >= count]
    if whole:
        return {whole[secrets.randbelow(len(whole))]: count}
    order = [k for k, n in enumerate(left) if n > 0]
    secrets.SystemRandom().shuffle(order)
    spread: dict[int, int] = {}
    need = count
    for k in order:
        take = min(left[k], need)
        spread[k] = take
        need -= take
        if need == 0:
            break
    return spread


def encode(reserved: Mapping[int, int]) -> dict[str, int]:
    """``Order.stock_shards``: JSON object keys are strings."""
    return {str(k): int(n) for k, n in sorted(reserved.items())}


def decode(recorded: Mapping[str, int] | None) -> dict[int, int]:
    return {int(k): int(n) for k, n in (recorded or {}).items()}


def fill_sums(gachas: Iterable[Gacha]) -> None:
    """Set ``sold_draws`` of each sharded gacha (in memory, for display and the sale state) to its
    shards' sum, reusing a sum read less than SUM_TTL seconds ago. One batch read for all the others."""
    at = clock.utc_now()
    # Before its sale (a draft, a preview, a published gacha not yet open) nothing can be reserved.
    gachas = [g for g in gachas if is_sharded(g) and g.status != GachaStatus.DRAFT and g.starts_at <= at]
    now = clock.now()
    stale = [g for g in gachas if not (g.gacha_id in _sums and now - _sums[g.gacha_id][0] < SUM_TTL)]
    if stale:
        keys = [shard_key(g.gacha_id, k) for g in stale for k in range(shard_count(g))]
        found = {s.shard_key: int(s.sold or 0) for s in batch.get_many(StockShard, keys)}
        for g in stale:
            total = sum(found.get(shard_key(g.gacha_id, k), 0) for k in range(shard_count(g)))
            _sums[g.gacha_id] = (now, total)
    for g in gachas:
        g.sold_draws = _sums[g.gacha_id][1]


def forget_sums() -> None:
    """Tests: drop the per-container cache."""
    _sums.clear()
