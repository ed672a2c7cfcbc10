"""Every event on the bus, declared once: detail type, its ``data``'s pydantic model (by name, in
``oshi.events.payloads``), its producer, what it means, and how its event id is derived.

Producers build events with ``DEFINITION.event(Data(...), ...)``: the data is validated, undeclared fields
are refused, and the event id comes from the declared template, so a retried publish carries the same id
(consumers dedupe on it). Consumers read them with ``DEFINITION.parse(detail)``: a typed ``Received``
(metadata and data). ``oshi.web.topology`` wires consumers to these detail types; ``docs/events.md`` is
generated from this module and the topology (``make events``), and tests check that every declared event
is published by its producer and every detail type in the topology is declared here.

This module imports no pydantic: the models load where one is used (``event``, ``parse``, ``data``, or a
model imported by name from here, which still works). A producer on a path whose cold start counts (the
payment webhooks) builds its data in JSON form with a plain function and calls
``DEFINITION.event_from_json({...})``: not validated at run time, and, with ``OSHI_CHECK_RESPONSES=1`` (the
tests and the local stack), checked to be byte for byte what ``event`` makes of the model validated from it.

Wire format: ``detail = {"metadata": {...}, "data": {...}}`` (``oshi.events.bus``); ``data`` holds the
fields of the model, in its order, as JSON (the fields the producer set). Consumers are tolerant readers:
fields they do not know are kept (``model_extra``) and ignored, so a producer may add an optional field
before its consumers know it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from oshi.events.bus import Event, parse_detail

if TYPE_CHECKING:
    # Still importable from here (loaded on first use, see ``__getattr__``); they live in oshi.events.payloads.
    from oshi.events.payloads import AnomalousPrize as AnomalousPrize
    from oshi.events.payloads import DataExportRequestedData as DataExportRequestedData
    from oshi.events.payloads import DrawnPrize as DrawnPrize
    from oshi.events.payloads import EventData as EventData
    from oshi.events.payloads import GachaChangedData as GachaChangedData
    from oshi.events.payloads import GachaCompletedData as GachaCompletedData
    from oshi.events.payloads import GachaSuspendedData as GachaSuspendedData
    from oshi.events.payloads import IsoDateTime as IsoDateTime
    from oshi.events.payloads import Metadata as Metadata
    from oshi.events.payloads import OrderRefundedData as OrderRefundedData
    from oshi.events.payloads import PasswordResetRequestedData as PasswordResetRequestedData
    from oshi.events.payloads import PaymentCompletedData as PaymentCompletedData
    from oshi.events.payloads import PaymentMismatchData as PaymentMismatchData
    from oshi.events.payloads import PaymentTerms as PaymentTerms
    from oshi.events.payloads import RateAnomalyData as RateAnomalyData
    from oshi.events.payloads import RefundDueData as RefundDueData
    from oshi.events.payloads import VtuberScreenedData as VtuberScreenedData


def __getattr__(name: str) -> Any:
    """The payload models by the name they had here (``from oshi.events.definitions import XData``): they
    live in ``oshi.events.payloads`` and load, with pydantic, when first asked for (PEP 562)."""
    if not name.startswith("_"):
        from oshi.events import payloads

        if hasattr(payloads, name):
            return getattr(payloads, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class EventShapeMismatch(AssertionError):
    """Data built in JSON form that its model would have put on the wire differently."""


def checking() -> bool:
    """As ``oshi.web.shapes.checking`` (the tests and the local stack set it; this layer is beneath ``web``)."""
    return os.environ.get("OSHI_CHECK_RESPONSES") == "1"


def _wire(data: Mapping[str, Any]) -> str:
    """``data`` as ``oshi.events.bus.publish`` writes it into the detail."""
    return json.dumps(data, separators=(",", ":"), default=str)


# --- declarations ----------------------------------------------------------------------------------------------

D = TypeVar("D", bound="EventData")
D_co = TypeVar("D_co", bound="EventData", covariant=True)


@dataclass(frozen=True)
class Received(Generic[D_co]):
    """An event as a consumer reads it."""

    detail_type: str
    metadata: Metadata
    data: D_co


@dataclass(frozen=True)
class EventDefinition(Generic[D]):
    detail_type: str
    data_model: str  # the name of its data's model in oshi.events.payloads
    producer: str  # the module that publishes it (tests check that it does)
    description: str
    # ``str.format`` template over the data's fields and ``id_parts``: the same cause gives the same id.
    event_id: str
    id_parts: tuple[tuple[str, str], ...] = ()  # (name, meaning) of template fields that are not data fields

    @property
    def data(self) -> type[D]:
        """The pydantic model of its ``data`` (imports pydantic)."""
        from oshi.events import payloads

        return cast("type[D]", getattr(payloads, self.data_model))

    def event(self, data: D, *, correlation_id: str | None = None, **id_parts: object) -> Event:
        """The event to publish; ``id_parts`` fill the template fields that are not data fields."""
        if type(data) is not self.data:
            raise TypeError(f"{self.detail_type} carries {self.data.__name__}, not {type(data).__name__}")
        if data.model_extra:
            raise TypeError(f"{self.detail_type}: undeclared fields {sorted(data.model_extra)}")
        self._check_id_parts(id_parts)
        fields = {name: getattr(data, name) for name in type(data).model_fields}
        return Event(
            self.detail_type,
            data.model_dump(mode="json", exclude_unset=True),
            event_id=self.event_id.format(**fields, **id_parts),
            correlation_id=correlation_id or "",
        )

    def event_from_json(
        self, data: dict[str, Any], *, correlation_id: str | None = None, **id_parts: object
    ) -> Event:
        """The event to publish from its ``data`` already in JSON form, built by a plain function: no pydantic.

        ``data`` must be what ``event(Model(...))`` would put on the wire: the fields the producer sets, in the
        model's order, in JSON form (``IsoDateTime``: ``.isoformat()``), nothing undeclared. Not validated at
        run time; with ``OSHI_CHECK_RESPONSES=1`` it is validated by the model and compared, data and event
        id, with what ``event`` makes of that (``EventShapeMismatch`` when they differ)."""
        self._check_id_parts(id_parts)
        event = Event(
            self.detail_type,
            data,
            event_id=self.event_id.format(**data, **id_parts),
            correlation_id=correlation_id or "",
        )
        if checking():
            self._compare(event, id_parts)
        return event

    def _compare(self, event: Event, id_parts: Mapping[str, object]) -> None:
        sent = _wire(event.data)
        model = self.data.model_validate_json(sent)  # ValidationError: not even the model's shape
        if model.model_extra:
            raise EventShapeMismatch(f"{self.detail_type}: undeclared fields {sorted(model.model_extra)}")
        expected = self.event(model, correlation_id=event.correlation_id, **id_parts)
        if sent != _wire(expected.data):
            raise EventShapeMismatch(
                f"{self.detail_type}: sent {sent}, the model {self.data_model} would send {_wire(expected.data)}"
            )
        if event.event_id != expected.event_id:
            raise EventShapeMismatch(
                f"{self.detail_type}: event id {event.event_id!r}, the model gives {expected.event_id!r}"
            )

    def _check_id_parts(self, id_parts: Mapping[str, object]) -> None:
        if set(id_parts) != {name for name, _ in self.id_parts}:
            raise TypeError(f"{self.detail_type}: event id parts are {[n for n, _ in self.id_parts]}")

    def parse(self, detail: Mapping[str, Any]) -> Received[D]:
        """Read a received ``detail``; raises ``pydantic.ValidationError`` (or ``KeyError``) on a foreign shape."""
        from oshi.events.payloads import Metadata

        metadata, data = parse_detail(detail)
        return Received(self.detail_type, Metadata.model_validate(metadata), self.data.model_validate(data))


EVENTS: dict[str, EventDefinition[Any]] = {}


def declare(
    detail_type: str,
    data_model: str,
    *,
    producer: str,
    description: str,
    event_id: str,
    id_parts: tuple[tuple[str, str], ...] = (),
) -> EventDefinition[Any]:
    """Declare an event; ``data_model`` names its model in ``oshi.events.payloads`` (the constant's annotation,
    ``EventDefinition[ThatModel]``, says the same for the type checker: a test holds them together)."""
    if detail_type in EVENTS:
        raise ValueError(f"{detail_type} is declared twice")
    definition: EventDefinition[Any] = EventDefinition(
        detail_type, data_model, producer, description, event_id, id_parts
    )
    EVENTS[detail_type] = definition
    return definition


PAYMENT_COMPLETED: EventDefinition[PaymentCompletedData] = declare(
    "PaymentCompleted",
    "PaymentCompletedData",
    producer="oshi.commerce.settlement",
    description="An order was paid (provider webhook, or its redelivery after a crash): draw it.",
    event_id="payment-completed-{order_id}",
)
GACHA_COMPLETED: EventDefinition[GachaCompletedData] = declare(
    "GachaCompleted",
    "GachaCompletedData",
    producer="oshi.fulfilment.fulfil",
    description="A paid order was drawn: results, medals and rewards are committed; tell the fan.",
    event_id="gacha-completed-{order_id}",
)
ORDER_REFUNDED: EventDefinition[OrderRefundedData] = declare(
    "OrderRefunded",
    "OrderRefundedData",
    producer="oshi.commerce.refunds",
    description="An order was refunded (admin, failed fulfilment, or at the provider); tell the fan.",
    event_id="order-refunded-{order_id}",
)
REFUND_DUE: EventDefinition[RefundDueData] = declare(
    "RefundDue",
    "RefundDueData",
    producer="oshi.commerce.refunds",
    description="Money was received for an order that will not be fulfilled: refund it at the provider "
    "(retried with backoff, then the DLQ alarm and the admins' pending-refund list).",
    event_id="refund-due-{order_id}",
)
PAYMENT_MISMATCH: EventDefinition[PaymentMismatchData] = declare(
    "PaymentMismatch",
    "PaymentMismatchData",
    producer="oshi.commerce.webhooks",
    description="A provider reported money that does not match an open order: an admin must look.",
    event_id="paymentmismatch-{event}",
)
GACHA_CREATED: EventDefinition[GachaChangedData] = declare(
    "GachaCreated",
    "GachaChangedData",
    producer="oshi.catalogue.lineup",
    description="A VTuber created a gacha (as a draft, or published at once).",
    event_id="GachaCreated:{gacha_id}:{version}",
    id_parts=(("version", "the gacha's version after the change"),),
)
GACHA_PUBLISHED: EventDefinition[GachaChangedData] = declare(
    "GachaPublished",
    "GachaChangedData",
    producer="oshi.catalogue.lineup",
    description="A draft gacha was published: in the catalogue, its server seed committed.",
    event_id="GachaPublished:{gacha_id}:{version}",
    id_parts=(("version", "the gacha's version after the change"),),
)
GACHA_SUSPENDED: EventDefinition[GachaSuspendedData] = declare(
    "GachaSuspended",
    "GachaSuspendedData",
    producer="oshi.catalogue.moderation",
    description="An admin suspended one gacha's sale (paid orders are refunded by the fulfilment).",
    event_id="GachaSuspended:{gacha_id}:{version}",
    id_parts=(("version", "the gacha's version after the change"),),
)
RATE_ANOMALY: EventDefinition[RateAnomalyData] = declare(
    "RateAnomaly",
    "RateAnomalyData",
    producer="oshi.draw.anomalies",
    description="The scheduled scan found stated rates outside their 99% interval: look at the proofs.",
    event_id="rate-anomaly-{gacha_id}-{thousands}",
    id_parts=(("thousands", "draws // 1000: one alert per gacha per 1,000 compared draws"),),
)


# --- account flows (issue 18) ---------------------------------------------------------------------------
DATA_EXPORT_REQUESTED: EventDefinition[DataExportRequestedData] = declare(
    "DataExportRequested",
    "DataExportRequestedData",
    producer="oshi.identity.accounts",
    description="A fan asked for a copy of their data (APPI): a consumer builds it and mails a link.",
    event_id="data-export-{export_id}",
)

VTUBER_SCREENED: EventDefinition[VtuberScreenedData] = declare(
    "VtuberScreened",
    "VtuberScreenedData",
    producer="oshi.catalogue.vtubers",
    description="An admin approved or rejected a VTuber application (the applicant is mailed).",
    event_id="vtuber-screened-{vtuber_id}-{decision}-{decided_at}",
)

PASSWORD_RESET_REQUESTED: EventDefinition[PasswordResetRequestedData] = declare(
    "PasswordResetRequested",
    "PasswordResetRequestedData",
    producer="oshi.identity.accounts",
    description="Someone asked for a password reset link; a consumer mails it if the address has an account.",
    event_id="password-reset-{request_id}",
)
