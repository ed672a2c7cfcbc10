"""Every table's model. Importing this package imports them all (CDK, local setup and tests do);
handlers import only the model modules they use."""

from __future__ import annotations

from pynamodb.models import Model

from oshi.models.audit import AuditEntry


def all_models() -> tuple[type[Model], ...]:
    return (AuditEntry,)
