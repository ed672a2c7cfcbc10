"""GET /api/me/spending: this month's (JST) spending against the caller's monthly cap.

The same rule the purchase transaction enforces (``oshi.commerce.spending``): a null cap is an adult
without a self-set cap; pending orders count until they are paid or released."""

from __future__ import annotations

from oshi.commerce import spending
from oshi.identity import profiles
from oshi.kernel import clock
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="gacha.schemas:SpendingOut")


@endpoint
def get_spending() -> JsonObject:
    fan_id = endpoint.caller().user_id
    profile = profiles.find_user(fan_id)
    birth_date = profile.birth_date.isoformat() if profile is not None and profile.birth_date else None
    allowance = spending.allowance(fan_id, birth_date, clock.utc_now())
    return {
        "month": allowance.period,
        "monthly_cap_jpy": allowance.cap,
        "spent_jpy": allowance.spent,
        "remaining_jpy": allowance.remaining,
    }


handler = endpoint.lambda_handler
