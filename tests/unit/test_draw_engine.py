"""The draw engine (oshi.draw.engine): exact mapping, limited stock, the 10-draw guarantee, and the drawn rates.

The statistical test draws 10^6 prizes through the full engine with the HMAC-seeded source and fixed seeds, so
its chi-square statistic is the same number on every run: it cannot flake, and a change to the engine that
shifts any rate (even of the 100 ppm prize) by a visible amount fails it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oshi.draw.engine import (
    PPM_TOTAL,
    Draw,
    DrawError,
    Guarantee,
    InvalidRateTable,
    RateEntry,
    RateTable,
    SecretsSource,
    SoldOut,
    TableKind,
    draw_many,
    draw_one,
)
from oshi.draw.fairness import SeededSource

ORDER = ("N", "R", "SR", "SSR", "UR")
SIGNIFICANCE = 1e-4  # fixed: a test fails when the observed counts are this unlikely under the stated rates


def chi_square_sf(statistic: float, df: int) -> float:
    """P(X >= statistic) for X ~ chi-square(df): the regularized upper incomplete gamma Q(df/2, statistic/2)."""
    a, x = df / 2, statistic / 2
    if x <= 0:
        return 1.0
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:  # series for P(a, x)
        term = total = 1 / a
        n = a
        while abs(term) > abs(total) * 1e-15:
            n += 1
            term *= x / n
            total += term
        return max(0.0, 1 - total * math.exp(log_prefix))
    # continued fraction for Q(a, x) (modified Lentz)
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return math.exp(log_prefix) * h


def chi_square(observed: list[int], expected: list[float]) -> tuple[float, int, float]:
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    df = len(observed) - 1
    return statistic, df, chi_square_sf(statistic, df)


def test_chi_square_helper_matches_known_quantiles() -> None:
    # Known critical values: chi2(1) 3.841 -> 0.05; chi2(10) 23.209 -> 0.01; chi2(999) 1105.9 -> 0.01.
    assert chi_square_sf(3.841459, 1) == pytest.approx(0.05, rel=1e-4)
    assert chi_square_sf(23.209251, 10) == pytest.approx(0.01, rel=1e-4)
    assert chi_square_sf(1105.917, 999) == pytest.approx(0.01, rel=2e-3)


class Scripted:
    """A source that returns the given numbers in turn (slot-independent), for exact boundary tests."""

    def __init__(self, values: list[int]):
        self.values = iter(values)

    def uniform(self, total: int, slot: int) -> tuple[int, int]:
        return next(self.values), 1


LINEUP = RateTable.from_entries(
    [
        ("voice-n", "N", 550_000),
        ("image-n", "N", 200_000),
        ("voice-r", "R", 200_000),
        ("zip-sr", "SR", 39_900),
        ("video-ssr", "SSR", 10_000),
        ("retired", "SSR", 0),
        ("signed-ur", "UR", 100),
    ]
)
RARE_GUARANTEE = Guarantee(
    min_rarity="SR",
    rarity_order=ORDER,
    table=RateTable.from_entries(
        [("zip-sr", "SR", 798_000), ("video-ssr", "SSR", 200_000), ("signed-ur", "UR", 2_000)]
    ),
)


# --- tables ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [("a", "N", 999_999)],
        [("a", "N", 1_000_001)],
        [("a", "N", 1_000_000), ("b", "N", 0), ("a", "R", 0)],
        [("a", "N", 1_000_001), ("b", "N", -1)],
        [("a", "N", 1_000_000.0)],
        [("a", "N", True), ("b", "N", 999_999)],
        [("has space", "N", 1_000_000)],
        [('quo"te', "N", 1_000_000)],
        [("a", "", 1_000_000)],
        [{"prize_id": "a", "rarity": "N", "ppm": 1_000_000, "extra": 1}],
    ],
)
def test_invalid_tables_are_refused(entries: list) -> None:
    with pytest.raises(InvalidRateTable):
        RateTable.from_entries(entries)


def test_tables_accept_tuples_entries_and_mappings_alike() -> None:
    a = RateTable.from_entries([("a", "N", 999_900), RateEntry("b", "UR", 100)])
    b = RateTable.from_entries([{"prize_id": "a", "rarity": "N", "ppm": 999_900}, ("b", "UR", 100)])
    assert a == b and hash(a) == hash(b)
    assert a.to_json() == [
        {"prize_id": "a", "rarity": "N", "ppm": 999_900},
        {"prize_id": "b", "rarity": "UR", "ppm": 100},
    ]


def test_guarantee_refuses_a_guaranteed_table_below_its_rarity() -> None:
    low = RateTable.from_entries([("n", "N", 1), ("sr", "SR", 999_999)])
    with pytest.raises(InvalidRateTable):
        Guarantee("SR", ORDER, low)
    with pytest.raises(InvalidRateTable):
        Guarantee("LR", ORDER, RARE_GUARANTEE.table)
    with pytest.raises(InvalidRateTable):
        draw_many(
            RateTable.from_entries([("x", "LR", PPM_TOTAL)]), 10, SecretsSource(), guarantee=RARE_GUARANTEE
        )
    # a zero-weight entry below the rarity is disclosed but can never be drawn: allowed
    Guarantee("SR", ORDER, RateTable.from_entries([("n", "N", 0), ("sr", "SR", PPM_TOTAL)]))


# --- the mapping is exact -------------------------------------------------------------------------------


def test_every_number_maps_to_exactly_ppm_numbers_of_each_prize() -> None:
    """Exhaustive over all 10^6 values of r: each prize owns exactly its ppm of them (100 ppm -> 100)."""
    weights = LINEUP.weights()
    owned = Counter(weights.prize_ids[weights.index_of(r)] for r in range(weights.total))
    assert owned == {e.prize_id: e.ppm for e in LINEUP.entries if e.ppm}


def test_exhausted_prizes_lose_their_weight_and_the_others_keep_theirs() -> None:
    weights = LINEUP.weights(frozenset({"voice-r", "signed-ur"}))
    assert weights.total == PPM_TOTAL - 200_000 - 100
    owned = Counter(weights.prize_ids[weights.index_of(r)] for r in range(weights.total))
    assert owned == {"voice-n": 550_000, "image-n": 200_000, "zip-sr": 39_900, "video-ssr": 10_000}


def test_boundaries_of_the_cumulative_table() -> None:
    # cumulative: voice-n 550000, image-n 750000, voice-r 950000, zip-sr 989900, video-ssr 999900, ur 1000000
    cases = {0: "voice-n", 549_999: "voice-n", 550_000: "image-n", 989_899: "zip-sr", 999_899: "video-ssr"}
    cases |= {999_900: "signed-ur", 999_999: "signed-ur"}
    draws = draw_many(LINEUP, len(cases), Scripted(list(cases)))
    assert [d.prize_id for d in draws] == list(cases.values())
    assert all(d.prize_id != "retired" for d in draws)


def test_a_source_out_of_range_is_refused() -> None:
    with pytest.raises(DrawError):
        draw_one(LINEUP, Scripted([PPM_TOTAL]))
    with pytest.raises(DrawError):
        draw_one(LINEUP, Scripted([-1]))
    with pytest.raises(DrawError):
        draw_many(LINEUP, 0, SecretsSource())


# --- limited stock --------------------------------------------------------------------------------------


def test_a_limited_prize_drawn_out_leaves_the_later_slots() -> None:
    # r = 999_950 is the UR in the full table; once the single UR is gone the same r is out of range,
    # so the source sees the smaller total and the slot records it.
    draws = draw_many(LINEUP, 3, Scripted([999_950, 999_850, 0]), remaining={"signed-ur": 1, "zip-sr": 5})
    assert [d.prize_id for d in draws] == ["signed-ur", "video-ssr", "voice-n"]
    assert [d.total_weight for d in draws] == [PPM_TOTAL, PPM_TOTAL - 100, PPM_TOTAL - 100]
    assert [d.exhausted for d in draws] == [(), ("signed-ur",), ("signed-ur",)]


def test_sold_out_when_nothing_is_left() -> None:
    solo = RateTable.from_entries([("only", "N", PPM_TOTAL)])
    with pytest.raises(SoldOut):
        draw_many(solo, 2, SecretsSource(), remaining={"only": 1})
    with pytest.raises(SoldOut):
        draw_one(solo, SecretsSource(), exhausted={"only"})
    gone = {e.prize_id for e in RARE_GUARANTEE.table.entries}
    with pytest.raises(SoldOut) as raised:
        draw_many(LINEUP, 10, Scripted([0] * 10), guarantee=RARE_GUARANTEE, exhausted=gone)
    assert raised.value.table is TableKind.GUARANTEED and raised.value.slot == 9


# --- property tests -------------------------------------------------------------------------------------


@st.composite
def rate_tables(draw: st.DrawFn, rarities: tuple[str, ...] = ORDER) -> RateTable:
    n = draw(st.integers(1, 8))
    cuts = sorted(draw(st.lists(st.integers(0, PPM_TOTAL), min_size=n - 1, max_size=n - 1)))
    ppms = [b - a for a, b in zip([0, *cuts], [*cuts, PPM_TOTAL], strict=True)]
    return RateTable.from_entries(
        (f"p{i}", draw(st.sampled_from(rarities)), ppm) for i, ppm in enumerate(ppms)
    )


seeds = st.binary(min_size=32, max_size=32)
sources = st.one_of(
    st.just(SecretsSource()),
    st.builds(
        SeededSource,
        seeds,
        st.just("fan-1"),
        st.text("abcXYZ09:", min_size=1, max_size=8),
        st.integers(0, 10**9),
    ),
)


def check_draws(draws: tuple[Draw, ...], table: RateTable, count: int, guarantee: Guarantee | None) -> None:
    assert [d.slot for d in draws] == list(range(count))
    for d in draws:
        source = guarantee.table if d.table is TableKind.GUARANTEED and guarantee else table
        ppm = {e.prize_id: e.ppm for e in source.entries}
        assert ppm[d.prize_id] > 0, "a zero-weight prize was drawn"
        assert d.prize_id not in d.exhausted, "an exhausted prize was drawn"
        assert d.total_weight == sum(v for k, v in ppm.items() if k not in d.exhausted)
        assert 0 <= d.r < d.total_weight and d.attempts >= 1
        assert d.rarity == source.rarity_of(d.prize_id)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(table=rate_tables(), count=st.integers(1, 30), source=sources, data=st.data())
def test_any_valid_table_draws_only_live_prizes(
    table: RateTable, count: int, source, data: st.DataObject
) -> None:
    ids = sorted(table.prize_ids)
    exhausted = data.draw(st.sets(st.sampled_from(ids)))
    remaining = data.draw(st.dictionaries(st.sampled_from(ids), st.integers(0, 3)))
    try:
        draws = draw_many(table, count, source, exhausted=exhausted, remaining=remaining)
    except SoldOut as sold_out:
        live = table.weights(frozenset(exhausted) | {k for k, v in remaining.items() if v <= 0})
        assert live.total == 0 or sold_out.slot > 0
        return
    check_draws(draws, table, count, None)
    assert set(exhausted) <= set(draws[0].exhausted)
    drawn = Counter(d.prize_id for d in draws)
    assert all(drawn[p] <= units for p, units in remaining.items()), (
        "a limited prize was drawn beyond its stock"
    )


@st.composite
def guarantees(draw: st.DrawFn) -> Guarantee:
    min_rarity = draw(st.sampled_from(ORDER[1:]))
    allowed = ORDER[ORDER.index(min_rarity) :]
    return Guarantee(min_rarity, ORDER, draw(rate_tables(allowed)))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(table=rate_tables(), guarantee=guarantees(), source=sources)
def test_the_guarantee_always_holds_in_a_10_draw(table: RateTable, guarantee: Guarantee, source) -> None:
    draws = draw_many(table, 10, source, guarantee=guarantee)
    check_draws(draws, table, 10, guarantee)
    assert any(guarantee.qualifies(d.rarity) for d in draws)
    earlier_hit = any(guarantee.qualifies(d.rarity) for d in draws[:9])
    assert draws[9].table is (TableKind.MAIN if earlier_hit else TableKind.GUARANTEED)
    assert all(d.table is TableKind.MAIN for d in draws[:9])


@given(table=rate_tables(), guarantee=guarantees(), count=st.sampled_from([1, 2, 9, 11]))
def test_the_guarantee_applies_only_to_a_batch_of_its_size(
    table: RateTable, guarantee: Guarantee, count: int
) -> None:
    draws = draw_many(table, count, SecretsSource(), guarantee=guarantee)
    assert all(d.table is TableKind.MAIN for d in draws)


@given(table=rate_tables(), seed=seeds, nonce=st.integers(0, 2**63 - 1))
def test_seeded_draws_are_deterministic(table: RateTable, seed: bytes, nonce: int) -> None:
    first = draw_many(table, 10, SeededSource(seed, "fan", "cs", nonce))
    assert first == draw_many(table, 10, SeededSource(seed, "fan", "cs", nonce))


# --- the guarantee, exhaustively ------------------------------------------------------------------------


def test_the_guarantee_exhaustively_over_every_pattern_of_the_first_nine() -> None:
    """SR or better is 5 % of the main table here. For all 2^9 patterns of (qualifying or not) in slots 0..8,
    and every prize of the guaranteed table (its first and last number), the tenth slot follows the rule."""
    weights = RARE_GUARANTEE.table.weights()
    edges = [
        r
        for c_prev, c in zip((0, *weights.cumulative), weights.cumulative, strict=False)
        for r in (c_prev, c - 1)
    ]
    low_r, high_r = 0, 950_000  # voice-n (N) and zip-sr (SR) in LINEUP
    checked = 0
    for pattern in range(2**9):
        nine = [high_r if pattern >> s & 1 else low_r for s in range(9)]
        for last in edges:
            draws = draw_many(LINEUP, 10, Scripted([*nine, last]), guarantee=RARE_GUARANTEE)
            assert [d.table for d in draws[:9]] == [TableKind.MAIN] * 9
            expected = TableKind.MAIN if pattern else TableKind.GUARANTEED
            assert draws[9].table is expected
            assert any(RARE_GUARANTEE.qualifies(d.rarity) for d in draws)
            if expected is TableKind.GUARANTEED:
                assert draws[9].prize_id == weights.prize_ids[weights.index_of(last)]
            checked += 1
    assert checked == 512 * len(edges)


def test_the_guarantee_over_many_seeded_10_draws() -> None:
    source_seed = bytes(range(32))
    guaranteed = 0
    for nonce in range(3000):
        draws = draw_many(
            LINEUP, 10, SeededSource(source_seed, "fan-g", "guarantee", nonce), guarantee=RARE_GUARANTEE
        )
        assert any(RARE_GUARANTEE.qualifies(d.rarity) for d in draws)
        guaranteed += draws[9].table is TableKind.GUARANTEED
    # P(no SR+ in nine) = 0.95^9 ~ 0.630; 3000 orders -> 1890 +- 26 (sd). Deterministic seeds: a fixed number.
    assert abs(guaranteed - 3000 * 0.95**9) < 5 * math.sqrt(3000 * 0.63 * 0.37)


# --- the drawn rates match the stated rates (10^6 draws) ------------------------------------------------

DRAWS = 1_000_000


@pytest.fixture(scope="module")
def million_counts() -> Iterator[Counter[str]]:
    source = SeededSource(bytes.fromhex("5eed" * 16), "fan-stats", "chi-square", 0)
    yield Counter(d.prize_id for d in draw_many(LINEUP, DRAWS, source))


def test_a_million_draws_match_the_stated_rates(million_counts: Counter[str]) -> None:
    live = [e for e in LINEUP.entries if e.ppm]
    observed = [million_counts[e.prize_id] for e in live]
    expected = [DRAWS * e.ppm / PPM_TOTAL for e in live]
    statistic, df, p = chi_square(observed, expected)
    print(
        f"\nchi-square over {DRAWS} draws: statistic {statistic:.3f}, df {df}, p {p:.4f}; counts {dict(million_counts)}"
    )
    assert million_counts["retired"] == 0
    assert sum(observed) == DRAWS
    assert p > SIGNIFICANCE
    # the 100 ppm prize on its own: 100 expected, Poisson sd 10
    assert abs(million_counts["signed-ur"] - 100) < 45


def test_the_chi_square_test_would_see_a_misstated_100_ppm_rate(million_counts: Counter[str]) -> None:
    """Power check on the same counts: had the UR really been 300 ppm (not 100), the test would fail."""
    live = [e for e in LINEUP.entries if e.ppm]
    misstated = {e.prize_id: e.ppm for e in live} | {"signed-ur": 300, "voice-n": 549_800}
    _, _, p = chi_square(
        [million_counts[e.prize_id] for e in live], [DRAWS * misstated[e.prize_id] / PPM_TOTAL for e in live]
    )
    assert p < SIGNIFICANCE
