"""The draw engine: exact weighted draws over integer ppm weights. Pure code: no I/O, no clock, no floats.

A rate table is an ordered tuple of ``(prize_id, rarity, ppm)`` entries whose ppm sum to exactly 1,000,000.
A draw takes a uniform integer ``r`` in ``[0, total)`` from a :class:`RandomSource` and returns the first
entry (in table order) whose cumulative weight is greater than ``r`` (binary search over a precomputed
cumulative array), so a 100 ppm prize is drawn with probability exactly 100/1,000,000.

Limited prizes that have run out have their weight removed; the others keep their weights as they are, so
``total`` drops below 1,000,000 and their probabilities scale up proportionally (``ppm / total``).

The 10-draw guarantee (:class:`Guarantee`): when an order has exactly ``batch_size`` draws and none of the
first ``batch_size - 1`` is of ``min_rarity`` or better, the last slot is drawn from the guaranteed-slot
table instead of the main table.

Two randomness sources share one protocol, ``uniform(total, slot) -> (r, attempts)``:
:class:`SecretsSource` (the OS CSPRNG) here, and ``oshi.draw.fairness.SeededSource`` (HMAC-SHA256 over a committed
server seed, verifiable afterwards; see docs/fairness.md).
"""

from __future__ import annotations

import re
import secrets
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple, Protocol

PPM_TOTAL = 1_000_000
GUARANTEE_BATCH = 10
# Identifiers that go into the canonical (hashed) JSON: printable ASCII that JSON never escapes, so every
# language serialises them byte for byte the same.
IDENTIFIER = re.compile(r"[A-Za-z0-9_.:#@+-]{1,128}")
_CACHE_LIMIT = 256


class DrawError(ValueError):
    """The engine was given something it cannot draw from (invalid table, rule, or source output)."""


class InvalidRateTable(DrawError):
    pass


class SoldOut(DrawError):
    """Every prize the slot could draw has run out (the weights in effect sum to 0)."""

    def __init__(self, table: TableKind, slot: int):
        self.table = table
        self.slot = slot
        super().__init__(f"nothing left to draw in the {table.value} table at slot {slot}")


class TableKind(StrEnum):
    MAIN = "main"
    GUARANTEED = "guaranteed"
    CEILING = "ceiling"  # the ceiling (天井) slot: only the top rarity's prizes, at their main weights
    BOX = (
        "box"  # a ticket drawn from a box gacha (oshi.draw.box); only in drawn items, never in an engine draw
    )
    LAST_ONE = "last_one"  # a box's last-one prize (ラストワン賞), granted with the last ticket


@dataclass(frozen=True, slots=True)
class RateEntry:
    prize_id: str
    rarity: str
    ppm: int

    def to_json(self) -> dict[str, Any]:
        return {"prize_id": self.prize_id, "rarity": self.rarity, "ppm": self.ppm}


@dataclass(frozen=True, slots=True)
class Weights:
    """The cumulative table in effect: only entries with a positive weight that have not run out."""

    prize_ids: tuple[str, ...]
    rarities: tuple[str, ...]
    cumulative: tuple[int, ...]  # strictly increasing; the last one is ``total``
    total: int

    def index_of(self, r: int) -> int:
        """The first entry whose cumulative weight is greater than ``r`` (``0 <= r < total``)."""
        return bisect_right(self.cumulative, r)


def _check_identifier(kind: str, value: object) -> str:
    if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
        raise InvalidRateTable(f"{kind} must be 1-128 characters of [A-Za-z0-9_.:#@+-], got {value!r}")
    return value


def _entry(raw: RateEntry | tuple[str, str, int] | Mapping[str, Any]) -> RateEntry:
    if isinstance(raw, RateEntry):
        entry = raw
    elif isinstance(raw, Mapping):
        if set(raw) != {"prize_id", "rarity", "ppm"}:
            raise InvalidRateTable(f"an entry has exactly prize_id, rarity and ppm, got {sorted(raw)}")
        entry = RateEntry(raw["prize_id"], raw["rarity"], raw["ppm"])
    else:
        prize_id, rarity, ppm = raw
        entry = RateEntry(prize_id, rarity, ppm)
    _check_identifier("prize_id", entry.prize_id)
    _check_identifier("rarity", entry.rarity)
    if type(entry.ppm) is not int or entry.ppm < 0:
        raise InvalidRateTable(f"ppm of {entry.prize_id} must be an integer >= 0, got {entry.ppm!r}")
    return entry


@dataclass(frozen=True)
class RateTable:
    """An ordered, validated rate table. Build it with :meth:`from_entries`."""

    entries: tuple[RateEntry, ...]
    _weights: dict[frozenset[str], Weights] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        entries = tuple(_entry(e) for e in self.entries)
        object.__setattr__(self, "entries", entries)
        if not entries:
            raise InvalidRateTable("a rate table needs at least one entry")
        ids = [e.prize_id for e in entries]
        if len(set(ids)) != len(ids):
            raise InvalidRateTable("prize ids must be unique within a table")
        total = sum(e.ppm for e in entries)
        if total != PPM_TOTAL:
            raise InvalidRateTable(f"rates must sum to exactly {PPM_TOTAL} ppm, got {total}")

    @classmethod
    def from_entries(
        cls, entries: Iterable[RateEntry | tuple[str, str, int] | Mapping[str, Any]]
    ) -> RateTable:
        return cls(tuple(_entry(e) for e in entries))

    @property
    def prize_ids(self) -> frozenset[str]:
        return frozenset(e.prize_id for e in self.entries)

    def rarity_of(self, prize_id: str) -> str:
        for e in self.entries:
            if e.prize_id == prize_id:
                return e.rarity
        raise KeyError(prize_id)

    def weights(self, exhausted: frozenset[str] = frozenset()) -> Weights:
        """The weights in effect once the ``exhausted`` prizes are removed (cached per exhausted set)."""
        cached = self._weights.get(exhausted)
        if cached is not None:
            return cached
        ids: list[str] = []
        rarities: list[str] = []
        cumulative: list[int] = []
        running = 0
        for e in self.entries:
            if e.ppm > 0 and e.prize_id not in exhausted:
                running += e.ppm
                ids.append(e.prize_id)
                rarities.append(e.rarity)
                cumulative.append(running)
        weights = Weights(tuple(ids), tuple(rarities), tuple(cumulative), running)
        if len(self._weights) >= _CACHE_LIMIT:
            self._weights.clear()
        self._weights[exhausted] = weights
        return weights

    def to_json(self) -> list[dict[str, Any]]:
        return [e.to_json() for e in self.entries]


@dataclass(frozen=True)
class Guarantee:
    """In an order of exactly ``batch_size`` draws, if none of the first ``batch_size - 1`` is of
    ``min_rarity`` or better (by ``rarity_order``, lowest first), the last slot uses ``table``."""

    min_rarity: str
    rarity_order: tuple[str, ...]
    table: RateTable
    batch_size: int = GUARANTEE_BATCH
    _qualifying: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        order = tuple(self.rarity_order)
        object.__setattr__(self, "rarity_order", order)
        for rarity in order:
            _check_identifier("rarity", rarity)
        if len(set(order)) != len(order):
            raise InvalidRateTable("rarity_order has duplicates")
        if self.min_rarity not in order:
            raise InvalidRateTable(f"min_rarity {self.min_rarity!r} is not in the rarity order")
        if type(self.batch_size) is not int or self.batch_size < 2:
            raise InvalidRateTable("batch_size must be an integer >= 2")
        qualifying = frozenset(order[order.index(self.min_rarity) :])
        object.__setattr__(self, "_qualifying", qualifying)
        for e in self.table.entries:
            if e.rarity not in order:
                raise InvalidRateTable(f"rarity {e.rarity!r} of {e.prize_id} is not in the rarity order")
            if e.ppm > 0 and e.rarity not in qualifying:
                raise InvalidRateTable(
                    f"guaranteed-slot prize {e.prize_id} is {e.rarity}, below {self.min_rarity}"
                )

    def qualifies(self, rarity: str) -> bool:
        return rarity in self._qualifying

    def check_main(self, table: RateTable) -> None:
        for e in table.entries:
            if e.rarity not in self.rarity_order:
                raise InvalidRateTable(f"rarity {e.rarity!r} of {e.prize_id} is not in the rarity order")

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_size": self.batch_size,
            "entries": self.table.to_json(),
            "min_rarity": self.min_rarity,
            "rarity_order": list(self.rarity_order),
        }


@dataclass(frozen=True)
class Ceiling:
    """The ceiling (天井): a fan's ``draws``-th consecutive paid draw on the gacha without a prize of
    ``rarity`` (the lineup's top rarity) is drawn among the prizes of ``rarity`` only, each with its main
    weight. The counter of draws since the last top-rarity prize carries over between orders."""

    draws: int
    rarity: str

    def __post_init__(self) -> None:
        if type(self.draws) is not int or self.draws < 1:
            raise InvalidRateTable("the ceiling is an integer number of draws >= 1")
        _check_identifier("rarity", self.rarity)

    def applies(self, since_top: int) -> bool:
        return since_top >= self.draws - 1

    def after(self, since_top: int, rarities: Iterable[str]) -> int:
        """The counter after drawing ``rarities`` (in slot order), starting from ``since_top``."""
        for rarity in rarities:
            since_top = 0 if rarity == self.rarity else since_top + 1
        return since_top

    def to_json(self) -> dict[str, Any]:
        return {"draws": self.draws, "rarity": self.rarity}


def ceiling_weights(table: RateTable, rarity: str, exhausted: frozenset[str]) -> Weights:
    full = table.weights(exhausted)
    ids, rarities, cumulative, running = [], [], [], 0
    for i, prize_id in enumerate(full.prize_ids):
        if full.rarities[i] == rarity:
            running += table_ppm(table, prize_id)
            ids.append(prize_id)
            rarities.append(rarity)
            cumulative.append(running)
    return Weights(tuple(ids), tuple(rarities), tuple(cumulative), running)


def table_ppm(table: RateTable, prize_id: str) -> int:
    return next(e.ppm for e in table.entries if e.prize_id == prize_id)


class RandomSource(Protocol):
    def uniform(self, total: int, slot: int) -> tuple[int, int]:
        """A uniform integer in ``[0, total)`` for ``slot``, and how many raw values it took (>= 1)."""
        ...


class SecretsSource:
    """The OS CSPRNG (``secrets.randbelow``, itself unbiased). Not verifiable afterwards."""

    def uniform(self, total: int, slot: int) -> tuple[int, int]:
        return secrets.randbelow(total), 1


class Draw(NamedTuple):
    """One drawn slot (a NamedTuple: immutable, and cheap to build a million of)."""

    slot: int
    prize_id: str
    rarity: str
    table: TableKind
    r: int  # the uniform number in [0, total_weight)
    total_weight: int  # the sum of the weights in effect in ``table``
    attempts: int  # raw values drawn (rejection sampling), >= 1
    exhausted: tuple[str, ...]  # sorted ids (of either table) whose weight was removed at this slot


def draw_many(
    table: RateTable,
    count: int,
    rng: RandomSource,
    *,
    guarantee: Guarantee | None = None,
    exhausted: Iterable[str] = (),
    remaining: Mapping[str, int] | None = None,
    ceiling: Ceiling | None = None,
    since_top: int = 0,
) -> tuple[Draw, ...]:
    """Draw ``count`` prizes (slots ``0 .. count-1``).

    ``ceiling`` / ``since_top``: the ceiling rule and the fan's draws since their last top-rarity prize
    before this order; a slot where the ceiling applies is drawn from the top rarity (``TableKind.CEILING``,
    before the 10-draw guarantee is considered).

    ``exhausted``: prize ids already run out. ``remaining``: units left of limited prizes (absent ids are
    unlimited; ``<= 0`` means run out); a limited prize drawn down to 0 within this order is removed from
    the later slots. The guarantee applies only when ``count == guarantee.batch_size``. Raises
    :class:`SoldOut` when a slot has nothing left to draw (the caller refunds or reports sold out).
    """
    if type(count) is not int or count < 1:
        raise DrawError("count must be an integer >= 1")
    known = table.prize_ids
    if guarantee is not None:
        guarantee.check_main(table)
        known = known | guarantee.table.prize_ids
    gone = {p for p in exhausted if p in known}
    left: dict[str, int] = {}
    for prize_id, units in (remaining or {}).items():
        if prize_id in known:
            if units <= 0:
                gone.add(prize_id)
            else:
                left[prize_id] = units
    guaranteed_slot = count - 1 if guarantee is not None and count == guarantee.batch_size else -1

    frozen = frozenset(gone)
    gone_sorted = tuple(sorted(frozen))
    main = table.weights(frozen)
    qualifies = guarantee.qualifies if guarantee is not None else None
    hit = qualifies is None
    uniform = rng.uniform
    draws: list[Draw] = []
    append = draws.append
    main_kind = TableKind.MAIN
    for slot in range(count):
        if ceiling is not None and ceiling.applies(since_top):
            kind, weights = TableKind.CEILING, ceiling_weights(table, ceiling.rarity, frozen)
        elif slot == guaranteed_slot and not hit:
            assert guarantee is not None
            kind, weights = TableKind.GUARANTEED, guarantee.table.weights(frozen)
        else:
            kind, weights = main_kind, main
        total = weights.total
        if total == 0:
            raise SoldOut(kind, slot)
        r, attempts = uniform(total, slot)
        if not 0 <= r < total or attempts < 1:
            raise DrawError(f"random source returned {r} ({attempts} attempts) for total {total}")
        i = bisect_right(weights.cumulative, r)
        prize_id = weights.prize_ids[i]
        rarity = weights.rarities[i]
        append(Draw(slot, prize_id, rarity, kind, r, total, attempts, gone_sorted))
        if not hit and qualifies is not None and qualifies(rarity):
            hit = True
        if ceiling is not None:
            since_top = 0 if rarity == ceiling.rarity else since_top + 1
        if left and prize_id in left:
            left[prize_id] -= 1
            if left[prize_id] == 0:
                del left[prize_id]
                frozen = frozen | {prize_id}
                gone_sorted = tuple(sorted(frozen))
                main = table.weights(frozen)
    return tuple(draws)


def draw_one(
    table: RateTable,
    rng: RandomSource,
    *,
    exhausted: Iterable[str] = (),
    remaining: Mapping[str, int] | None = None,
) -> Draw:
    return draw_many(table, 1, rng, exhausted=exhausted, remaining=remaining)[0]
