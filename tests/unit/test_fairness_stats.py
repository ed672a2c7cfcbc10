"""The 99% Wilson score interval behind GET /api/gachas/{id}/stats (oshi.draw.fairness_store)."""

from __future__ import annotations

from oshi.draw import fairness_store


def test_wilson_interval_by_hand() -> None:
    low, high = fairness_store.wilson(100, 1000)
    assert 0.0781 < low < 0.0782 and 0.1271 < high < 0.1272  # p=0.1, n=1000, z=2.5758 worked by hand


def test_wilson_interval_edges() -> None:
    assert fairness_store.wilson(0, 0) == (0.0, 1.0)
    low, high = fairness_store.wilson(0, 10_000)
    assert low == 0.0 and 0 < high < 0.001  # nothing drawn: a 100 ppm prize is still plausible
    low, high = fairness_store.wilson(10_000, 10_000)
    assert low > 0.999 and high == 1.0
