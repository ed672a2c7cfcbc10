"""Rate rules, the guaranteed slot's derivation and the disclosure maths (pure, exact integers)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oshi.draw import rates
from oshi.draw.rates import PPM_TOTAL, PrizeRate


def table(*pairs: tuple[str, int]) -> tuple[PrizeRate, ...]:
    return rates.lineup(pairs)


STANDARD = table(("N", 600_000), ("R", 300_000), ("SR", 90_000), ("SSR", 9_900), ("UR", 100))


def test_a_valid_lineup_passes_and_100_ppm_is_a_rate() -> None:
    rates.check(STANDARD, "SR")
    assert [e.prize_id for e in STANDARD] == ["p01", "p02", "p03", "p04", "p05"]
    assert rates.percent(100) == "0.0100"
    assert rates.percent(PPM_TOTAL) == "100.0000"


@pytest.mark.parametrize(
    ("entries", "min_rarity", "kind"),
    [
        (table(("N", 999_999)), None, "rates_do_not_sum"),
        (table(("N", 600_000), ("R", 400_001)), None, "rates_do_not_sum"),
        (table(("N", 1_000_000), ("R", 0)), None, "invalid_rate"),
        (table(("N", 1_000_001), ("R", -1)), None, "invalid_rate"),
        (table(("XR", 1_000_000)), None, "unknown_rarity"),
        ((), None, "empty"),
        (table(("N", 900_000), ("R", 100_000)), "SSR", "guarantee_unreachable"),
        (table(("SR", 900_000), ("SSR", 100_000)), "SR", "guarantee_meaningless"),
        (table(("N", 900_000), ("R", 100_000)), "LR", "unknown_rarity"),
        (table(*[("N", 25_000)] * 40, ("N", 0)), None, "too_many_prizes"),
    ],
)
def test_each_rate_rule(entries: tuple[PrizeRate, ...], min_rarity: str | None, kind: str) -> None:
    with pytest.raises(rates.RateRuleError) as caught:
        rates.check(entries, min_rarity)
    assert kind in {p["type"] for p in caught.value.problems}


def test_a_float_rate_is_refused() -> None:
    with pytest.raises(rates.RateRuleError):
        rates.check((PrizeRate("p01", "N", 500_000.0), PrizeRate("p02", "R", 500_000)), None)  # type: ignore[arg-type]


def test_guaranteed_slot_uses_the_largest_remainder_method() -> None:
    # Qualifying SR+: 90,000 + 9,900 + 100 = 100,000 -> exactly x10.
    slot = rates.guaranteed_slot(STANDARD, "SR")
    assert [(e.prize_id, e.ppm) for e in slot] == [("p03", 900_000), ("p04", 99_000), ("p05", 1_000)]
    # Three equal weights: 333,333 each + 1 leftover ppm to the first (ties go to lineup order).
    thirds = table(("N", 700_000), ("SR", 100_000), ("SR", 100_000), ("SR", 100_000))
    assert [e.ppm for e in rates.guaranteed_slot(thirds, "SR")] == [333_334, 333_333, 333_333]
    # Remainders decide before order: 1/7, 2/7, 4/7 of a million.
    sevenths = table(("N", 300_000), ("SR", 100_000), ("SR", 200_000), ("SSR", 400_000))
    exact = [Fraction(w * PPM_TOTAL, 700_000) for w in (100_000, 200_000, 400_000)]
    got = [e.ppm for e in rates.guaranteed_slot(sevenths, "SR")]
    assert sum(got) == PPM_TOTAL
    assert got == [142_857, 285_714, 571_429]  # 571,428.57 has the largest remainder
    assert all(abs(g - x) < 1 for g, x in zip(got, exact, strict=True))


def test_rate_table_document_matches_the_fairness_engine() -> None:
    fairness = pytest.importorskip("oshi.draw.fairness")
    document = rates.rate_table_document(STANDARD, "SR")
    table_, guarantee = fairness.tables_from_document(document)
    assert fairness.rate_table_hash(table_, guarantee) == rates.table_hash(document)
    assert rates.entries_from_document(document) == (STANDARD, "SR")


def test_rarity_totals_highest_first() -> None:
    assert rates.rarity_totals(STANDARD) == [
        ("UR", 100),
        ("SSR", 9_900),
        ("SR", 90_000),
        ("R", 300_000),
        ("N", 600_000),
    ]


def test_expected_costs_of_the_rarest_prize() -> None:
    ur = rates.rarest(STANDARD)
    assert ur.prize_id == "p05"
    assert rates.expected_single_draws(100) == 10_000
    no_guarantee = rates.p_hit_in_ten(STANDARD, "p05", None)
    assert no_guarantee == 1 - Fraction(999_900, PPM_TOTAL) ** 10
    with_guarantee = rates.p_hit_in_ten(STANDARD, "p05", "SR")
    # Slot 10 draws UR at 1,000 ppm instead of 100 when slots 1-9 had no SR+ (probability 0.9^9).
    a = Fraction(9, 10) ** 9
    b = Fraction(999_900, PPM_TOTAL) ** 9
    expected_miss = (b - a) * Fraction(999_900, PPM_TOTAL) + a * Fraction(999_000, PPM_TOTAL)
    assert with_guarantee == 1 - expected_miss
    assert with_guarantee > no_guarantee
    assert rates.round_half_up(Fraction(1, 8), 2) == "0.13"
    assert rates.round_half_up(Fraction(10_000), 0) == "10000"


def test_a_non_qualifying_rare_prize_never_comes_from_the_guaranteed_slot() -> None:
    entries = table(("N", 500_000), ("R", 50), ("SR", 499_950))
    p = rates.p_hit_in_ten(entries, "p02", "SR")
    miss = Fraction(PPM_TOTAL - 50, PPM_TOTAL)
    a = Fraction(500_000, PPM_TOTAL) ** 9  # nine N: slot 10 is the SR-only table, which has no R
    assert p == 1 - ((miss**9 - a) * miss + a)
    assert p < 1 - miss**10


@st.composite
def lineups(draw: st.DrawFn) -> tuple[tuple[PrizeRate, ...], str]:
    n = draw(st.integers(min_value=2, max_value=rates.MAX_PRIZES))
    cuts = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=PPM_TOTAL - 1), min_size=n - 1, max_size=n - 1))
    )
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, PPM_TOTAL], strict=True)]
    rarities = draw(st.lists(st.sampled_from(rates.RARITY_ORDER), min_size=n, max_size=n))
    entries = table(*zip(rarities, weights, strict=True))
    present = sorted({rates.rank(r) for r in rarities})
    min_rarity = rates.RARITY_ORDER[draw(st.sampled_from(present))]
    return entries, min_rarity


@settings(max_examples=300, deadline=None)
@given(lineups())
def test_guaranteed_slot_properties(case: tuple[tuple[PrizeRate, ...], str]) -> None:
    entries, min_rarity = case
    assert sum(e.ppm for e in entries) == PPM_TOTAL
    slot = rates.guaranteed_slot(entries, min_rarity)
    qualifying = [e for e in entries if rates.qualifies(e.rarity, min_rarity)]
    weight = sum(e.ppm for e in qualifying)
    assert sum(e.ppm for e in slot) == PPM_TOTAL
    assert [e.prize_id for e in slot] == [e.prize_id for e in qualifying]  # same order, only qualifying
    for got, main in zip(slot, qualifying, strict=True):
        exact = Fraction(main.ppm * PPM_TOTAL, weight)
        assert got.ppm >= 1
        assert abs(got.ppm - exact) < 1
    # Larger main rate never gets a smaller slot rate.
    for x in slot:
        for y in slot:
            if next(e.ppm for e in entries if e.prize_id == x.prize_id) > next(
                e.ppm for e in entries if e.prize_id == y.prize_id
            ):
                assert x.ppm >= y.ppm
    document = rates.rate_table_document(entries, min_rarity)
    assert rates.entries_from_document(document) == (entries, min_rarity)
    p10 = rates.p_hit_in_ten(entries, rates.rarest(entries).prize_id, min_rarity)
    assert 0 < p10 <= 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-5, max_value=PPM_TOTAL + 5), min_size=1, max_size=8))
def test_check_accepts_exactly_the_tables_summing_to_a_million(ppms: list[int]) -> None:
    entries = table(*[("N", p) for p in ppms])
    valid = all(p >= 1 for p in ppms) and sum(ppms) == PPM_TOTAL
    if valid:
        rates.check(entries, None)
    else:
        with pytest.raises(rates.RateRuleError):
            rates.check(entries, None)
