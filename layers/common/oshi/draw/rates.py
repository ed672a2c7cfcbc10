"""Drop-rate rules, the guaranteed slot and the disclosure maths. Pure code: integers and fractions only.

Rates are integer ppm (parts per million) summing to exactly 1,000,000, so 0.01 % is 100 ppm and every
rate is drawn exactly (``oshi.draw.engine``). The prize order is the lineup order and never changes once frozen:
prize ``i`` (0-based) has the id ``p{i+1:02d}``; the draw engine's cumulative table follows that order.

Guaranteed slot ("10-draw: at least one prize of rarity >= X"): the slot draws only among the qualifying
prizes, each in proportion to its main rate. Its ppm are derived with the **largest remainder method**:
``g_i = floor(w_i * 1e6 / W)`` (W = sum of the qualifying weights), then the ``1e6 - sum(g_i)`` missing
ppm go one each to the prizes with the largest remainders ``(w_i * 1e6) mod W``; ties go to the earlier
prize in lineup order. The result sums to exactly 1,000,000, every g_i is within 1 ppm of the exact
proportional value, and every qualifying prize keeps at least 1 ppm (``w_i * 1e6 / W >= 1``).

The frozen rate table is the document ``oshi.draw.fairness`` hashes and the engine reads:
``{"format": "oshi-rate-table/1", "entries": [{prize_id, rarity, ppm}...], "guarantee": {...} | null}``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, NamedTuple

PPM_TOTAL = 1_000_000
RARITY_ORDER: tuple[str, ...] = ("N", "R", "SR", "SSR", "UR")  # lowest first: the one place it is defined
GUARANTEE_BATCH = 10
TABLE_FORMAT = "oshi-rate-table/1"
TABLE_FORMAT_CEILING = "oshi-rate-table/2"
MAX_PRIZES = 40  # with at most 40 linked assets, a lineup edit stays within one 100-action transaction
MIN_PRIZE_PPM = 1


class PrizeRate(NamedTuple):
    prize_id: str
    rarity: str
    ppm: int

    def to_json(self) -> dict[str, Any]:
        return {"prize_id": self.prize_id, "rarity": self.rarity, "ppm": self.ppm}


class RateRuleError(ValueError):
    """The lineup breaks a rate rule. ``problems`` are field errors: ``{field, message, type}``."""

    def __init__(self, problems: list[dict[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{p['field']}: {p['message']}" for p in problems))


def prize_id_for(position: int) -> str:
    return f"p{position + 1:02d}"


def rank(rarity: str) -> int:
    return RARITY_ORDER.index(rarity)


def qualifies(rarity: str, min_rarity: str) -> bool:
    return rank(rarity) >= rank(min_rarity)


def lineup(rarities_and_ppm: Sequence[tuple[str, int]]) -> tuple[PrizeRate, ...]:
    return tuple(PrizeRate(prize_id_for(i), rarity, ppm) for i, (rarity, ppm) in enumerate(rarities_and_ppm))


def check(entries: Sequence[PrizeRate], min_rarity: str | None) -> None:
    """Raise ``RateRuleError`` with every broken rule (not just the first)."""
    problems: list[dict[str, str]] = []
    if not entries:
        problems.append({"field": "prizes", "message": "a lineup needs at least one prize", "type": "empty"})
    if len(entries) > MAX_PRIZES:
        problems.append(
            {"field": "prizes", "message": f"at most {MAX_PRIZES} prizes", "type": "too_many_prizes"}
        )
    for i, entry in enumerate(entries):
        if entry.rarity not in RARITY_ORDER:
            problems.append(
                {
                    "field": f"prizes.{i}.rarity",
                    "message": f"rarity must be one of {', '.join(RARITY_ORDER)}",
                    "type": "unknown_rarity",
                }
            )
        if type(entry.ppm) is not int or entry.ppm < MIN_PRIZE_PPM:
            problems.append(
                {
                    "field": f"prizes.{i}.rate_ppm",
                    "message": f"a rate is an integer number of ppm >= {MIN_PRIZE_PPM}",
                    "type": "invalid_rate",
                }
            )
    total = sum(e.ppm for e in entries if type(e.ppm) is int)
    if entries and total != PPM_TOTAL:
        problems.append(
            {
                "field": "prizes",
                "message": f"rates must sum to exactly {PPM_TOTAL} ppm (100 %), they sum to {total}",
                "type": "rates_do_not_sum",
            }
        )
    if min_rarity is not None:
        if min_rarity not in RARITY_ORDER:
            problems.append(
                {
                    "field": "guarantee.min_rarity",
                    "message": f"must be one of {', '.join(RARITY_ORDER)}",
                    "type": "unknown_rarity",
                }
            )
        elif not problems:
            qualifying = [e for e in entries if qualifies(e.rarity, min_rarity)]
            if not qualifying:
                problems.append(
                    {
                        "field": "guarantee.min_rarity",
                        "message": f"no prize in the lineup is {min_rarity} or better",
                        "type": "guarantee_unreachable",
                    }
                )
            elif len(qualifying) == len(entries):
                problems.append(
                    {
                        "field": "guarantee.min_rarity",
                        "message": f"every prize is already {min_rarity} or better: the guarantee means nothing",
                        "type": "guarantee_meaningless",
                    }
                )
    if problems:
        raise RateRuleError(problems)


def guaranteed_slot(entries: Sequence[PrizeRate], min_rarity: str) -> tuple[PrizeRate, ...]:
    """The guaranteed slot's table (largest remainder method, see the module docstring)."""
    qualifying = [e for e in entries if qualifies(e.rarity, min_rarity)]
    weight = sum(e.ppm for e in qualifying)
    if weight <= 0:
        raise RateRuleError(
            [
                {
                    "field": "guarantee.min_rarity",
                    "message": "nothing qualifies",
                    "type": "guarantee_unreachable",
                }
            ]
        )
    floors = [e.ppm * PPM_TOTAL // weight for e in qualifying]
    remainders = [e.ppm * PPM_TOTAL % weight for e in qualifying]
    missing = PPM_TOTAL - sum(floors)
    # Largest remainder first; ties to the earlier prize (lineup order).
    for i in sorted(range(len(qualifying)), key=lambda i: (-remainders[i], i))[:missing]:
        floors[i] += 1
    return tuple(PrizeRate(e.prize_id, e.rarity, g) for e, g in zip(qualifying, floors, strict=True))


def proportional_ppm(weights: Sequence[int]) -> list[int]:
    """Integer ppm proportional to ``weights``, summing to exactly 1,000,000 (largest remainder, ties to
    the earlier entry): the same rounding as the guaranteed slot."""
    weight = sum(weights)
    floors = [w * PPM_TOTAL // weight for w in weights]
    remainders = [w * PPM_TOTAL % weight for w in weights]
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[: PPM_TOTAL - sum(floors)]:
        floors[i] += 1
    return floors


def box_entries(document: dict[str, Any], remaining: dict[str, int] | None = None) -> tuple[PrizeRate, ...]:
    """A box's chances as rate entries: each prize's tickets (left) over all tickets (left), in ppm
    rounded by the largest remainder (the exact chance is the fraction; the ppm are for display)."""
    tickets = document["tickets"]
    counts = [
        int((remaining or {}).get(t["prize_id"], t["count"])) if remaining is not None else int(t["count"])
        for t in tickets
    ]
    ppm = proportional_ppm(counts) if sum(counts) else [0] * len(counts)
    return tuple(PrizeRate(t["prize_id"], t["rarity"], p) for t, p in zip(tickets, ppm, strict=True))


def rarity_totals(entries: Sequence[PrizeRate]) -> list[tuple[str, int]]:
    """ppm per rarity, highest rarity first, only the rarities present."""
    totals: dict[str, int] = {}
    for e in entries:
        totals[e.rarity] = totals.get(e.rarity, 0) + e.ppm
    return [(r, totals[r]) for r in reversed(RARITY_ORDER) if r in totals]


def top_rarity(entries: Sequence[PrizeRate]) -> str:
    """The highest rarity in the lineup: what the ceiling (天井) guarantees."""
    return max((e.rarity for e in entries), key=rank)


def rate_table_document(
    entries: Sequence[PrizeRate], min_rarity: str | None, ceiling: int | None = None
) -> dict[str, Any]:
    guarantee = None
    if min_rarity is not None:
        guarantee = {
            "batch_size": GUARANTEE_BATCH,
            "entries": [e.to_json() for e in guaranteed_slot(entries, min_rarity)],
            "min_rarity": min_rarity,
            "rarity_order": list(RARITY_ORDER),
        }
    document: dict[str, Any] = {
        "format": TABLE_FORMAT,
        "entries": [e.to_json() for e in entries],
        "guarantee": guarantee,
    }
    if (
        ceiling is not None
    ):  # oshi-rate-table/2 (docs/fairness.md section 11): the /1 hashes stay as they were
        document["format"] = TABLE_FORMAT_CEILING
        document["ceiling"] = {"draws": ceiling, "rarity": top_rarity(entries)}
    return document


def ceiling_of(document: dict[str, Any]) -> tuple[int, str] | None:
    rule = document.get("ceiling")
    return (int(rule["draws"]), str(rule["rarity"])) if rule else None


def canonical_json(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def table_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def entries_from_document(document: dict[str, Any]) -> tuple[tuple[PrizeRate, ...], str | None]:
    entries = tuple(PrizeRate(e["prize_id"], e["rarity"], int(e["ppm"])) for e in document["entries"])
    guarantee = document.get("guarantee")
    return entries, (guarantee["min_rarity"] if guarantee else None)


# --- disclosure maths -------------------------------------------------------------------------------------


def percent(ppm: int) -> str:
    """Exact percentage text: 100 ppm -> "0.0100"."""
    return f"{ppm // 10_000}.{ppm % 10_000:04d}"


def rarest(entries: Sequence[PrizeRate]) -> PrizeRate:
    """The prize with the lowest rate; ties go to the higher rarity, then the earlier prize."""
    return min(entries, key=lambda e: (e.ppm, -rank(e.rarity), e.prize_id))


def p_single(ppm: int) -> Fraction:
    return Fraction(ppm, PPM_TOTAL)


def expected_single_draws(ppm: int) -> Fraction:
    """Expected number of single draws until the prize first appears (geometric): 1e6 / ppm."""
    return 1 / p_single(ppm)


def p_hit_in_ten(entries: Sequence[PrizeRate], prize_id: str, min_rarity: str | None) -> Fraction:
    """Probability that one 10-draw contains ``prize_id`` at least once, with the guarantee if any.

    Slots 1-9 draw from the main table. Slot 10 draws from the guaranteed table when none of slots 1-9
    qualified, otherwise from the main table. With p the prize's main rate, q the total main rate of the
    qualifying rarities and g the prize's guaranteed-slot rate:
    P(miss) = (B - A) * (1 - p) + A * (1 - g), where B = (1 - p)^9 (no hit in 1-9) and
    A = P(no hit and nothing qualifying in 1-9) = (1 - q)^9 if the prize qualifies, else (1 - q - p)^9.
    """
    target = next(e for e in entries if e.prize_id == prize_id)
    p = p_single(target.ppm)
    first = GUARANTEE_BATCH - 1
    if min_rarity is None:
        return 1 - (1 - p) ** GUARANTEE_BATCH
    q = sum((p_single(e.ppm) for e in entries if qualifies(e.rarity, min_rarity)), Fraction(0))
    slot = {e.prize_id: e.ppm for e in guaranteed_slot(entries, min_rarity)}
    g = p_single(slot.get(prize_id, 0))
    b = (1 - p) ** first
    a = (1 - q) ** first if qualifies(target.rarity, min_rarity) else (1 - q - p) ** first
    return 1 - ((b - a) * (1 - p) + a * (1 - g))


def round_half_up(value: Fraction, places: int = 2) -> str:
    scale = 10**places
    scaled = (value * scale * 2 + 1) // 2  # floor(x + 1/2): half up for positive values
    whole, frac = divmod(int(scaled), scale)
    return f"{whole}.{frac:0{places}d}" if places else str(whole)


def fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
