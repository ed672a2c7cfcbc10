"""The suppression list: addresses SES reported as bounced (permanent) or complaining.

Fed by the ``mail.feedback`` consumer (SES configuration set → SNS → SQS). Nothing is ever mailed to a
listed address again (``oshi.mail.outbox`` checks before every send), and ``GET /api/me`` tells the
fan app, which asks the person to change their address.
"""

from __future__ import annotations

import unicodedata

from pynamodb.exceptions import DoesNotExist

from oshi.kernel import clock
from oshi.models.accounts import MailSuppression

REASONS = ("bounce", "complaint")


def normalize(address: str) -> str:
    return unicodedata.normalize("NFKC", address).strip().lower()


def is_suppressed(address: str) -> bool:
    try:
        MailSuppression.get(normalize(address))
    except DoesNotExist:
        return False
    return True


def suppress(address: str, reason: str) -> None:
    """Idempotent: a second report of the same address keeps the first reason."""
    if reason not in REASONS:
        raise ValueError(f"unknown suppression reason {reason!r}")
    if is_suppressed(address):
        return
    MailSuppression(normalize(address), reason=reason, at=int(clock.now())).save()


def addresses_in_notification(notification: dict[str, object]) -> tuple[str, list[str]]:
    """(reason, addresses) of an SES event notification; ("", []) for kinds that suppress nothing
    (a transient bounce, a delivery). See docs/notifications.md for the shapes."""
    kind = str(notification.get("eventType") or notification.get("notificationType") or "")
    if kind == "Bounce":
        bounce = notification.get("bounce")
        if not isinstance(bounce, dict) or bounce.get("bounceType") != "Permanent":
            return "", []
        recipients = bounce.get("bouncedRecipients") or []
        return "bounce", [str(r["emailAddress"]) for r in recipients if isinstance(r, dict)]
    if kind == "Complaint":
        complaint = notification.get("complaint")
        recipients = complaint.get("complainedRecipients") if isinstance(complaint, dict) else []
        return "complaint", [str(r["emailAddress"]) for r in recipients or [] if isinstance(r, dict)]
    return "", []
