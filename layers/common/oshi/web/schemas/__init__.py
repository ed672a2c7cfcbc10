"""Response shapes more than one service answers with, and the common error body.

A handler's own shapes live in ``functions/<service>/schemas.py``; the ones here are shared across
services (each Lambda ships only its own ``functions/<service>`` folder, plus this layer). Every 2xx body
is one of these pydantic models, so ``docs/openapi.json`` names it (``oshi.web.openapi``); a read route
builds its body by hand and names its model by reference (``oshi.web.shapes``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema


def _isoformat(value: datetime) -> str:
    return value.isoformat()


# A timestamp written as ``datetime.isoformat()`` writes it ("2026-11-29T12:00:00+00:00"), the form the
# catalogue and the audit export have always used; plain ``datetime`` fields serialise UTC as "...Z".
IsoDateTime = Annotated[
    datetime,
    PlainSerializer(_isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Strict(BaseModel):
    """A response shape that names every field it may carry: an unknown field is a bug, not a pass-through."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class ErrorInfo(Strict):
    code: str = Field(description="Machine-readable, upper case, e.g. VALIDATION_FAILED")
    message: str = Field(description="For people; may change without notice")
    details: Any = Field(
        default=None,
        description="Absent unless there is more to say: field errors (a list of {field, message, type}), "
        "limits, the request id of an internal error...",
    )


class Error(Strict):
    """Every error response: ``{"error": {"code", "message", "details"?}}`` (``oshi.kernel.errors``)."""

    error: ErrorInfo
