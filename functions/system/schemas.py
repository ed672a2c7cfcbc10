"""Response shapes of the system routes: the audit export (``GET /api/admin/audit``) and ``GET /api/health``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from oshi.web.schemas import Strict


class AuditEntryOut(Strict):
    """One entry exactly as ``oshi.audit.to_json`` exports it: ``tools/verify_audit.py`` re-hashes these
    fields, so they pass through untouched (``at`` stays the text that was hashed)."""

    partition: str = Field(description="The UTC day, YYYY-MM-DD: one hash chain per day")
    seq: int = Field(description="1, 2, 3... within the partition")
    at: str = Field(json_schema_extra={"format": "date-time"})
    actor: str = Field(description='A user id, "system" or "provider:<name>"')
    action: str = Field(description='e.g. "vtuber.approved"')
    target: str
    before: Any = Field(description="Any JSON value, or null")
    after: Any = Field(description="Any JSON value, or null")
    request_id: str | None
    prev_hash: str = Field(description="The previous entry's hash; 64 zeros for the first of the day")
    hash: str = Field(description="SHA-256 of prev_hash and the canonical JSON of the fields above")


class ChainCheck(Strict):
    entries: int = Field(description="Entries in the whole day (all pages)")
    intact: bool
    problems: list[str]
    pending: int = Field(
        description="Entries recorded for the day but not chained yet (the audit outbox, until the audit "
        "chainer runs: about a second): never part of the export; they appear, chained, in a later one"
    )


class AuditPage(Strict):
    partition: str
    entries: list[AuditEntryOut]
    next_after_seq: int | None = Field(description="Pass as ?after_seq= for the next page; null on the last")
    chain: ChainCheck


class HealthOut(BaseModel):
    status: Literal["ok"]
    stage: str
