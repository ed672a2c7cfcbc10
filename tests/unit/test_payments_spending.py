"""Monthly spending caps by age, and the JST month they count in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oshi.commerce.spending import Allowance, age_on, monthly_cap, period_of

AT = datetime(2026, 11, 29, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("birth_date", "own_cap", "expected"),
    [
        ("2012-01-01", None, 5000),  # 14
        ("2010-11-29", None, 10000),  # 16 today (JST date)
        ("2010-11-30", None, 5000),  # 16 tomorrow: still 15
        ("2009-01-01", None, 10000),  # 17
        ("2008-11-29", None, None),  # 18 today: no cap
        ("1990-01-01", 20000, 20000),  # an adult's own cap
        ("2012-01-01", 3000, 3000),  # a minor may lower the cap...
        ("2012-01-01", 9000, 5000),  # ...never raise it
        (None, None, 5000),  # unknown age: the strictest cap
        ("not-a-date", None, 5000),
    ],
)
def test_caps_by_age(birth_date: str | None, own_cap: int | None, expected: int | None) -> None:
    assert monthly_cap(birth_date, own_cap, AT) == expected


def test_the_month_is_japan_time() -> None:
    assert period_of(datetime(2026, 11, 30, 14, 59, tzinfo=UTC)) == "2026-11"
    assert period_of(datetime(2026, 11, 30, 15, 0, tzinfo=UTC)) == "2026-12"  # midnight in Tokyo


def test_age_and_remaining_allowance() -> None:
    assert age_on("2000-02-29", datetime(2026, 2, 28).date()) == 25
    assert age_on("2000-02-29", datetime(2026, 3, 1).date()) == 26
    assert Allowance(5000, 6000, "2026-11").remaining == 0
    assert Allowance(None, 6000, "2026-11").remaining is None
    assert Allowance(5000, 1200, "2026-11").as_details()["remaining"] == 3800
