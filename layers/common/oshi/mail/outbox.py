"""Sending mail through Amazon SES (API v2): one MIME message with a text and an HTML part.

Locally and in tests SES is moto's: nothing leaves the machine, and the local stack's mailbox
(``/_local/mail``) lists what was sent. Every send first checks the suppression list (an address that
bounced or complained is never mailed again) and, when asked, a per-address hourly cap (abuse of
"forgot password" or "resend" cannot flood a mailbox).

``send_once`` is for mail caused by an event (receipts...): a ``MailSent`` item keyed by the cause is
written with ``attribute_not_exists`` before sending, so a redelivered event sends nothing. If SES fails
the item is removed again and the error raised, so the consumer's retry sends it. (A crash between the
write and SES' answer loses that one mail rather than sending it twice.)
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from pynamodb.exceptions import PutError, UpdateError

from oshi.kernel import clock
from oshi.kernel.aws import client
from oshi.kernel.observability import logger
from oshi.kernel.settings import get_settings
from oshi.mail import suppression
from oshi.mail.templates import Rendered
from oshi.models.accounts import MailSent
from oshi.models.ratelimit import RateLimitCounter

SENT_KEEP_SECONDS = 15 * 24 * 3600  # past SQS' longest retention (14 days): no redelivery outlives it
CONDITION_FAILED = "ConditionalCheckFailedException"


def address_hash(address: str) -> str:
    return hashlib.sha256(suppression.normalize(address).encode()).hexdigest()


def mime(to: str, rendered: Rendered) -> bytes:
    settings = get_settings()
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = formataddr(("Oshi Gacha", settings.mail_from))
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    message.set_content(rendered.text, charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return message.as_bytes()


def under_hourly_cap(scope: str, address: str, per_hour: int) -> bool:
    """Count one mail of ``scope`` to ``address`` in this clock hour; False once ``per_hour`` were counted."""
    at = clock.now()
    window = int(at // 3600) * 3600
    counter = RateLimitCounter(f"mail-{scope}#{address_hash(address)}#{window}")
    try:
        counter.update(
            actions=[
                RateLimitCounter.hits.add(1),
                RateLimitCounter.expires_at.set(datetime.fromtimestamp(window + 7200, UTC)),
            ],
            condition=RateLimitCounter.hits.does_not_exist() | (RateLimitCounter.hits < per_hour),
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def send(to: str, rendered: Rendered, *, kind: str, per_hour: int | None = None) -> bool:
    """Send one mail. False (and nothing sent) when the address is suppressed or over its hourly cap."""
    if suppression.is_suppressed(to):
        logger.info("mail not sent: suppressed address", extra={"kind": kind})
        return False
    if per_hour is not None and not under_hourly_cap(kind, to, per_hour):
        logger.info("mail not sent: hourly cap", extra={"kind": kind})
        return False
    settings = get_settings()
    request: dict[str, object] = {
        "FromEmailAddress": settings.mail_from,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Raw": {"Data": mime(to, rendered)}},
        "EmailTags": [{"Name": "kind", "Value": kind}],
    }
    if settings.mail_configuration_set:
        request["ConfigurationSetName"] = settings.mail_configuration_set
    client("sesv2").send_email(**request)
    return True


def send_once(key: str, to: str, rendered: Rendered, *, kind: str) -> bool:
    """``send`` at most once per ``key`` (an event's cause). False if already sent (or suppressed)."""
    at = clock.now()
    marker = MailSent(
        key,
        to_hash=address_hash(to),
        at=int(at),
        expires_at=datetime.fromtimestamp(int(at) + SENT_KEEP_SECONDS, UTC),
    )
    try:
        marker.save(condition=MailSent.key.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            logger.info("mail already sent for this cause", extra={"kind": kind})
            return False
        raise
    try:
        return send(to, rendered, kind=kind)
    except Exception:
        marker.delete()  # SES refused: let the redelivery try again
        raise
