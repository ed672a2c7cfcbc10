"""One event envelope on the bus, and the publisher.

``detail-type`` names the event (``PaymentCompleted``); ``detail`` is
``{"metadata": {event_id, version, correlation_id, created_at}, "data": {...}}``. The event id is derived
from what caused the event when the caller gives one, so a retried publish carries the same id and
consumers can dedupe on it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from oshi.kernel.aws import client
from oshi.kernel.errors import EventPublishFailed
from oshi.kernel.settings import get_settings

MAX_ENTRIES_PER_CALL = 10


@dataclass(frozen=True)
class Event:
    detail_type: str
    data: Mapping[str, Any]
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    correlation_id: str = ""
    version: str = "1"

    def detail(self, now: datetime | None = None) -> dict[str, Any]:
        return {
            "metadata": {
                "event_id": self.event_id,
                "version": self.version,
                "correlation_id": self.correlation_id or self.event_id,
                "created_at": (now or datetime.now(UTC)).isoformat(),
            },
            "data": dict(self.data),
        }


def parse_detail(detail: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a received envelope into (metadata, data); raises KeyError on a foreign shape."""
    return dict(detail["metadata"]), dict(detail["data"])


def publish(events: Iterable[Event]) -> None:
    """Put events on the bus, in batches of at most 10; any refused entry is an error for the caller."""
    settings = get_settings()
    batch: list[dict[str, Any]] = []
    for event in events:
        batch.append(
            {
                "Source": settings.event_source,
                "DetailType": event.detail_type,
                "Detail": json.dumps(event.detail(), separators=(",", ":"), default=str),
                "EventBusName": settings.bus_name,
            }
        )
        if len(batch) == MAX_ENTRIES_PER_CALL:
            _put(batch)
            batch = []
    if batch:
        _put(batch)


def _put(entries: list[dict[str, Any]]) -> None:
    response = client("events").put_events(Entries=entries)
    if response.get("FailedEntryCount", 0):
        failures = [
            {"detail_type": entry["DetailType"], "error": result.get("ErrorCode")}
            for entry, result in zip(entries, response["Entries"], strict=False)
            if result.get("ErrorCode")
        ]
        raise EventPublishFailed(f"EventBridge refused {response['FailedEntryCount']} entries: {failures}")
