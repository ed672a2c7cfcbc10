"""POST /api/admin/orders/{order_id}/refund (admin, MFA): refund through the provider, claw back the
order's unspent medals, revoke its rewards; audited. Refunding a refunded order changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gacha import bodies
from oshi.commerce import refunds
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

if TYPE_CHECKING:
    from gacha.schemas import RefundIn

endpoint = Endpoint(__name__, body_model="gacha.schemas:RefundIn", response_model="gacha.schemas:RefundOut")


@endpoint
def post_refund(order_id: str, body: RefundIn) -> JsonObject:
    order = refunds.refund_order(
        order_id,
        reason=f"admin: {body.reason.strip()}",
        actor=endpoint.caller().user_id,
        request_id=endpoint.request_id,
    )
    return bodies.refunded_order(order)


handler = endpoint.lambda_handler
