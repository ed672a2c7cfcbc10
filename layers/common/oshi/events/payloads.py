"""The pydantic models of every event's ``data`` (and of ``detail.metadata``): what consumers parse, what
``docs/events.md`` documents, what producers' data is checked against.

The events themselves are declared in ``oshi.events.definitions``, which names each model and imports this
module only where a model is used (``parse``, ``event``, the checks of ``event_from_json``), so that a
producer building its data in JSON form (the payment webhooks) never imports pydantic.
Wire format: see ``oshi.events.definitions``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Datetimes travel as ``datetime.isoformat()`` (``+00:00``, not pydantic's ``Z``): the bytes stay as they were.
IsoDateTime = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]


class EventData(BaseModel):
    """The ``data`` of one event. Unknown fields are kept on parse (tolerant reader) and refused on publish."""

    # defer_build: a consumer builds the validator of the events it reads only, on first use (cold start).
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)


class Metadata(BaseModel):
    """``detail.metadata``, written by ``oshi.events.bus.Event.detail`` for every event."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    event_id: str = Field(
        description="Derived from what caused the event (see each event): consumers dedupe on it."
    )
    version: str = Field("1", description="Version of the data's shape.")
    correlation_id: str | None = Field(
        None, description="The request or order that caused it; the event id when there is none."
    )
    created_at: str | None = Field(None, description="When it was published (ISO 8601, UTC).")


# --- payloads ------------------------------------------------------------------------------------------------


class PaymentCompletedData(EventData):
    order_id: str = Field(description="The paid order.")
    fan_id: str = Field(description="The fan who bought it.")
    gacha_id: str = Field(description="The gacha drawn from.")
    vtuber_id: str = Field(description="The gacha's VTuber.")
    count: int = Field(description="Draws bought (1 or 10).")
    amount: int = Field(description="Amount paid, integer JPY.")
    provider: str = Field(description="Payment provider (stripe, komoju).")


class DrawnPrize(EventData):
    prize_id: str = Field(description="Prize id in the gacha's lineup (p01, p02, ...).")
    name: str = Field(description="Prize name.")
    rarity: str = Field(description="Rarity (N, R, SR, SSR, UR).")


class GachaCompletedData(EventData):
    order_id: str = Field(description="The fulfilled order.")
    fan_id: str | None = Field(
        None,
        description="The fan; always set by the producer (without it, the notify consumer reads the order).",
    )
    gacha_id: str = Field(description="The gacha drawn from.")
    vtuber_id: str = Field(description="The gacha's VTuber.")
    count: int = Field(description="Draws made.")
    results: list[DrawnPrize] = Field(description="What was drawn, one entry per draw, in draw order.")


class OrderRefundedData(EventData):
    order_id: str = Field(description="The refunded order.")
    fan_id: str | None = Field(
        None,
        description="The fan; always set by the producer (without it, the notify consumer reads the order).",
    )
    gacha_id: str = Field(description="The order's gacha.")
    vtuber_id: str = Field(description="The gacha's VTuber.")
    amount: int = Field(description="Amount refunded, integer JPY.")
    provider: str = Field(description="Payment provider (stripe, komoju).")
    reason: str = Field(description="Why (admin reason, fulfilment failure, refunded at the provider).")
    medals_clawed_back: int = Field(description="Medals taken back from the fan's balance.")
    medals_unrecovered: int = Field(description="Medals already spent that could not be taken back.")


class RefundDueData(EventData):
    order_id: str = Field(description="The order holding money it will not be fulfilled for.")
    provider: str = Field(description="Payment provider that holds the money (the order's).")
    amount: int = Field(description="Amount received, in the currency's minor unit (JPY: yen).")
    currency: str = Field(description="ISO 4217 code of the money received, upper case.")
    reason: str = Field(
        description="Why it is owed: late_payment, amount_mismatch, currency_mismatch, or "
        "`fulfilment_failed: <why>`."
    )


class PaymentTerms(EventData):
    amount: int | None = Field(description="Integer amount in the currency's minor unit (JPY: yen).")
    currency: str | None = Field(description="ISO 4217 code, upper case.")
    provider: str = Field(description="Payment provider.")


class PaymentMismatchData(EventData):
    order_id: str = Field(description="The order the provider's event names.")
    provider: str = Field(description="Payment provider that sent the webhook.")
    event: str = Field(description="The provider event, `<provider>:<event id>`.")
    reason: Literal["unknown_order", "amount_mismatch", "currency_mismatch", "late_payment"] = Field(
        description="unknown_order: no such order; amount_mismatch / currency_mismatch: paid terms differ "
        "from the order's; late_payment: money arrived after the order closed. The last three are refunded "
        "automatically (RefundDue)."
    )
    expected: PaymentTerms | None = Field(None, description="amount_mismatch: the order's terms.")
    received: PaymentTerms | None = Field(
        None, description="amount_mismatch: the terms the provider reported."
    )
    refund: str | None = Field(
        None, description="Money received and not fulfilled: `due` (the refund consumer refunds it)."
    )


class GachaChangedData(EventData):
    gacha_id: str = Field(description="The gacha.")
    vtuber_id: str = Field(description="Its VTuber.")
    status: str = Field(description="Its status after the change (draft, published, suspended).")
    starts_at: IsoDateTime = Field(description="Start of the sale (ISO 8601, UTC).")
    ends_at: IsoDateTime = Field(description="End of the sale (ISO 8601, UTC).")
    prize_count: int = Field(description="Prizes in the lineup.")
    rate_table_version: int = Field(description="Version of the rate table (bumped by every lineup edit).")
    rate_table_hash: str = Field(description="SHA-256 of the rate table document (docs/fairness.md).")


class GachaSuspendedData(EventData):
    gacha_id: str = Field(description="The suspended gacha.")
    vtuber_id: str = Field(description="Its VTuber.")
    reason: str = Field(description="The admin's reason.")


class AnomalousPrize(EventData):
    prize_id: str = Field(description="The prize whose stated rate lies outside its interval.")
    stated_ppm: int = Field(description="Its stated rate, parts per million.")
    drawn: int = Field(description="Times drawn among the compared draws.")


class RateAnomalyData(EventData):
    gacha_id: str = Field(description="The gacha.")
    draws: int = Field(description="Draws compared with the stated rates (main table, nothing run out).")
    prizes: list[AnomalousPrize] = Field(description="The prizes outside their 99% Wilson interval.")


# --- account flows (issue 18) ---------------------------------------------------------------------------
class DataExportRequestedData(EventData):
    user_id: str = Field(description="The person whose data is exported (and mailed the link).")
    export_id: str = Field(description="This request's id: the export's object key and its event id.")


class VtuberScreenedData(EventData):
    vtuber_id: str = Field(description="The VTuber's public id.")
    user_id: str = Field(description="The applicant's account (mailed the decision).")
    decision: Literal["approved", "rejected"] = Field(description="The admin's decision.")
    reason: str | None = Field(None, description="The reason given (always for a rejection).")
    decided_at: int = Field(description="When it was decided (epoch seconds).")


class PasswordResetRequestedData(EventData):
    request_id: str = Field(
        description="The request's id; the address waits in account-tokens (1 h), never on the bus."
    )
