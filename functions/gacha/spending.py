"""GET /api/me/spending: this month's (JST) spending against the caller's monthly cap.

The same rule the purchase transaction enforces (``oshi.commerce.spending``): a null cap is an adult
without a self-set cap; pending orders count until they are paid or released."""

from __future__ import annotations

from pydantic import BaseModel, Field

from oshi.commerce import spending
from oshi.identity import users
from oshi.kernel import clock
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class SpendingOut(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="The spending month, Japan time (YYYY-MM)")
    monthly_cap_jpy: int | None = Field(description="null: no cap (an adult who set none)")
    spent_jpy: int = Field(description="Paid this month plus what pending orders reserve")
    remaining_jpy: int | None = Field(description="null: no cap")


@endpoint
def get_spending() -> SpendingOut:
    fan_id = endpoint.caller().user_id
    profile = users.find_user(fan_id)
    birth_date = profile.birth_date.isoformat() if profile is not None and profile.birth_date else None
    allowance = spending.allowance(fan_id, birth_date, clock.utc_now())
    return SpendingOut(
        month=allowance.period,
        monthly_cap_jpy=allowance.cap,
        spent_jpy=allowance.spent,
        remaining_jpy=allowance.remaining,
    )


handler = endpoint.lambda_handler
