"""Every event on the bus, declared once: detail type, the pydantic model of its ``data``, its producer,
what it means, and how its event id is derived.

Producers build events with ``DEFINITION.event(Data(...), ...)``: the data is validated, undeclared fields
are refused, and the event id comes from the declared template, so a retried publish carries the same id
(consumers dedupe on it). Consumers read them with ``DEFINITION.parse(detail)``: a typed ``Received``
(metadata and data). ``oshi.web.topology`` wires consumers to these detail types; ``docs/events.md`` is
generated from this module and the topology (``make events``), and tests check that every declared event
is published by its producer and every detail type in the topology is declared here.

Wire format: ``detail = {"metadata": {...}, "data": {...}}`` (``oshi.events.bus``); ``data`` holds the
fields below, in this order, as JSON. Consumers are tolerant readers: fields they do not know are kept
(``model_extra``) and ignored, so a producer may add an optional field before its consumers know it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from oshi.events.bus import Event, parse_detail

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


# --- declarations ----------------------------------------------------------------------------------------------

D = TypeVar("D", bound=EventData)
D_co = TypeVar("D_co", bound=EventData, covariant=True)


@dataclass(frozen=True)
class Received(Generic[D_co]):
    """An event as a consumer reads it."""

    detail_type: str
    metadata: Metadata
    data: D_co


@dataclass(frozen=True)
class EventDefinition(Generic[D]):
    detail_type: str
    data: type[D]
    producer: str  # the module that publishes it (tests check that it does)
    description: str
    # ``str.format`` template over the data's fields and ``id_parts``: the same cause gives the same id.
    event_id: str
    id_parts: tuple[tuple[str, str], ...] = ()  # (name, meaning) of template fields that are not data fields

    def event(self, data: D, *, correlation_id: str | None = None, **id_parts: object) -> Event:
        """The event to publish; ``id_parts`` fill the template fields that are not data fields."""
        if type(data) is not self.data:
            raise TypeError(f"{self.detail_type} carries {self.data.__name__}, not {type(data).__name__}")
        if data.model_extra:
            raise TypeError(f"{self.detail_type}: undeclared fields {sorted(data.model_extra)}")
        if set(id_parts) != {name for name, _ in self.id_parts}:
            raise TypeError(f"{self.detail_type}: event id parts are {[n for n, _ in self.id_parts]}")
        fields = {name: getattr(data, name) for name in type(data).model_fields}
        return Event(
            self.detail_type,
            data.model_dump(mode="json", exclude_unset=True),
            event_id=self.event_id.format(**fields, **id_parts),
            correlation_id=correlation_id or "",
        )

    def parse(self, detail: Mapping[str, Any]) -> Received[D]:
        """Read a received ``detail``; raises ``pydantic.ValidationError`` (or ``KeyError``) on a foreign shape."""
        metadata, data = parse_detail(detail)
        return Received(self.detail_type, Metadata.model_validate(metadata), self.data.model_validate(data))


EVENTS: dict[str, EventDefinition[Any]] = {}


def declare(
    detail_type: str,
    data: type[D],
    *,
    producer: str,
    description: str,
    event_id: str,
    id_parts: tuple[tuple[str, str], ...] = (),
) -> EventDefinition[D]:
    if detail_type in EVENTS:
        raise ValueError(f"{detail_type} is declared twice")
    definition = EventDefinition(detail_type, data, producer, description, event_id, id_parts)
    EVENTS[detail_type] = definition
    return definition


PAYMENT_COMPLETED = declare(
    "PaymentCompleted",
    PaymentCompletedData,
    producer="oshi.commerce.orders",
    description="An order was paid (provider webhook, or its redelivery after a crash): draw it.",
    event_id="payment-completed-{order_id}",
)
GACHA_COMPLETED = declare(
    "GachaCompleted",
    GachaCompletedData,
    producer="oshi.fulfilment.fulfil",
    description="A paid order was drawn: results, medals and rewards are committed; tell the fan.",
    event_id="gacha-completed-{order_id}",
)
ORDER_REFUNDED = declare(
    "OrderRefunded",
    OrderRefundedData,
    producer="oshi.commerce.refunds",
    description="An order was refunded (admin, failed fulfilment, or at the provider); tell the fan.",
    event_id="order-refunded-{order_id}",
)
REFUND_DUE = declare(
    "RefundDue",
    RefundDueData,
    producer="oshi.commerce.refunds",
    description="Money was received for an order that will not be fulfilled: refund it at the provider "
    "(retried with backoff, then the DLQ alarm and the admins' pending-refund list).",
    event_id="refund-due-{order_id}",
)
PAYMENT_MISMATCH = declare(
    "PaymentMismatch",
    PaymentMismatchData,
    producer="oshi.commerce.webhooks",
    description="A provider reported money that does not match an open order: an admin must look.",
    event_id="paymentmismatch-{event}",
)
GACHA_CREATED = declare(
    "GachaCreated",
    GachaChangedData,
    producer="oshi.catalogue.lineup",
    description="A VTuber created a gacha (as a draft, or published at once).",
    event_id="GachaCreated:{gacha_id}:{version}",
    id_parts=(("version", "the gacha's version after the change"),),
)
GACHA_PUBLISHED = declare(
    "GachaPublished",
    GachaChangedData,
    producer="oshi.catalogue.lineup",
    description="A draft gacha was published: in the catalogue, its server seed committed.",
    event_id="GachaPublished:{gacha_id}:{version}",
    id_parts=(("version", "the gacha's version after the change"),),
)
GACHA_SUSPENDED = declare(
    "GachaSuspended",
    GachaSuspendedData,
    producer="oshi.catalogue.moderation",
    description="An admin suspended one gacha's sale (paid orders are refunded by the fulfilment).",
    event_id="GachaSuspended:{gacha_id}:{version}",
    id_parts=(("version", "the gacha's version after the change"),),
)
RATE_ANOMALY = declare(
    "RateAnomaly",
    RateAnomalyData,
    producer="oshi.draw.anomalies",
    description="The scheduled scan found stated rates outside their 99% interval: look at the proofs.",
    event_id="rate-anomaly-{gacha_id}-{thousands}",
    id_parts=(("thousands", "draws // 1000: one alert per gacha per 1,000 compared draws"),),
)


# --- account flows (issue 18) ---------------------------------------------------------------------------
class DataExportRequestedData(EventData):
    user_id: str = Field(description="The person whose data is exported (and mailed the link).")
    export_id: str = Field(description="This request's id: the export's object key and its event id.")


DATA_EXPORT_REQUESTED = declare(
    "DataExportRequested",
    DataExportRequestedData,
    producer="oshi.identity.accounts",
    description="A fan asked for a copy of their data (APPI): a consumer builds it and mails a link.",
    event_id="data-export-{export_id}",
)


class VtuberScreenedData(EventData):
    vtuber_id: str = Field(description="The VTuber's public id.")
    user_id: str = Field(description="The applicant's account (mailed the decision).")
    decision: Literal["approved", "rejected"] = Field(description="The admin's decision.")
    reason: str | None = Field(None, description="The reason given (always for a rejection).")
    decided_at: int = Field(description="When it was decided (epoch seconds).")


VTUBER_SCREENED = declare(
    "VtuberScreened",
    VtuberScreenedData,
    producer="oshi.catalogue.vtubers",
    description="An admin approved or rejected a VTuber application (the applicant is mailed).",
    event_id="vtuber-screened-{vtuber_id}-{decision}-{decided_at}",
)


class PasswordResetRequestedData(EventData):
    request_id: str = Field(
        description="The request's id; the address waits in account-tokens (1 h), never on the bus."
    )


PASSWORD_RESET_REQUESTED = declare(
    "PasswordResetRequested",
    PasswordResetRequestedData,
    producer="oshi.identity.accounts",
    description="Someone asked for a password reset link; a consumer mails it if the address has an account.",
    event_id="password-reset-{request_id}",
)
