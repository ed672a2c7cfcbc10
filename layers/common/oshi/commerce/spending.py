"""Monthly spending caps by age (Japanese practice for minors; the numbers are configuration).

Under 16: ``settings.spending_cap_under_16`` (default 5,000 JPY a month); 16-17:
``settings.spending_cap_16_17`` (10,000 JPY); adults: the cap they set for themselves, if any. A minor may
set a lower cap too, never a higher one. A fan whose birth date is unknown gets the strictest cap: the
rule protects minors, so "unknown" cannot mean "unlimited".

Months are Japan time (JST, UTC+9, no DST): that is the month a Japanese fan and their parents count in.
The cap is enforced by the purchase transaction itself (``oshi.commerce.orders``): the month's ``Spending`` item is
ADDed with a condition that it stays at or under the cap, so two concurrent purchases cannot both slip
under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from oshi.kernel import batch, clock
from oshi.kernel.errors import ValidationFailed
from oshi.kernel.settings import get_settings
from oshi.models.payments import CAP_PERIOD, Spending

JST = timezone(timedelta(hours=9), "JST")
MAX_OWN_CAP = 10_000_000  # JPY: anything above is a typo, not a limit


@dataclass(frozen=True)
class Allowance:
    cap: int | None  # None = no cap
    spent: int
    period: str

    @property
    def remaining(self) -> int | None:
        return None if self.cap is None else max(self.cap - self.spent, 0)

    def as_details(self) -> dict[str, int | str | None]:
        return {"cap": self.cap, "spent": self.spent, "remaining": self.remaining, "period": self.period}


def period_of(at: datetime) -> str:
    return at.astimezone(JST).strftime("%Y-%m")


def age_on(birth_date: str, today: date) -> int | None:
    try:
        born = date.fromisoformat(birth_date)
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _configured(value: int | str) -> int | None:
    amount = int(value)
    return amount if amount > 0 else None


def _lowest(*caps: int | None) -> int | None:
    present = [cap for cap in caps if cap is not None]
    return min(present) if present else None


def monthly_cap(birth_date: str | None, own_cap: int | None, at: datetime) -> int | None:
    settings = get_settings()
    under_16 = _configured(settings.spending_cap_under_16)
    age = age_on(birth_date, at.astimezone(JST).date()) if birth_date else None
    if age is None or age < 16:
        return _lowest(under_16, own_cap)
    if age < 18:
        return _lowest(_configured(settings.spending_cap_16_17), own_cap)
    return own_cap


def set_own_cap(fan_id: str, cap: int | None) -> None:
    """An adult's (or a minor's lower) self-set monthly cap; None removes it."""
    if cap is not None and not 0 <= cap <= MAX_OWN_CAP:
        raise ValidationFailed(details=[{"field": "cap", "message": f"0 to {MAX_OWN_CAP} JPY"}])
    Spending(fan_id, CAP_PERIOD, own_cap=cap, updated_at=clock.utc_now()).save()


def allowance(fan_id: str, birth_date: str | None, at: datetime) -> Allowance:
    """Read the fan's cap and this month's spending (one batch read)."""
    period = period_of(at)
    items = {item.period: item for item in batch.get_many(Spending, [(fan_id, CAP_PERIOD), (fan_id, period)])}
    own = items.get(CAP_PERIOD)
    month = items.get(period)
    own_cap = int(own.own_cap) if own is not None and own.own_cap is not None else None
    spent = int(month.spent or 0) if month is not None else 0
    return Allowance(monthly_cap(birth_date, own_cap, at), spent, period)
