"""POST /api/admin/orders/{order_id}/refund (admin, MFA): refund through the provider, claw back the
order's unspent medals, revoke its rewards; audited. Refunding a refunded order changes nothing."""

from __future__ import annotations

from pydantic import BaseModel, Field

from oshi.commerce import refunds
from oshi.models.orders import OrderStatus
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class RefundIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class RefundOut(BaseModel):
    order_id: str
    status: OrderStatus
    provider_refund_id: str | None = None
    refund_reason: str | None = None
    medals_clawed_back: int | None = None
    medals_unrecovered: int | None = None


@endpoint
def post_refund(order_id: str, body: RefundIn) -> RefundOut:
    order = refunds.refund_order(
        order_id,
        reason=f"admin: {body.reason.strip()}",
        actor=endpoint.caller().user_id,
        request_id=endpoint.request_id,
    )
    return RefundOut(
        order_id=order.order_id,
        status=OrderStatus(order.status),
        provider_refund_id=order.provider_refund_id,
        refund_reason=order.refund_reason,
        medals_clawed_back=int(order.medals_clawed_back) if order.medals_clawed_back is not None else None,
        medals_unrecovered=int(order.medals_unrecovered) if order.medals_unrecovered is not None else None,
    )


handler = endpoint.lambda_handler
