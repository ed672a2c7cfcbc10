"""The developer mailbox: every mail sent through (moto's) SES, newest first.

``make run`` serves it at ``/_local/mail`` (an HTML page with clickable links) and ``/_local/mail.json``;
integration tests read ``messages()`` directly and the end-to-end tests read the JSON. moto keeps sent
messages in memory in its own process (``local.moto_process``, which answers ``/_local/mail.json`` from
``as_json()``; the gateway reads them there with ``from_moto``), so nothing is ever delivered anywhere.
Only the local gateway serves it: it does not exist on AWS.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass
from email import message_from_string
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Mail:
    message_id: str
    to: list[str]
    source: str
    subject: str
    text: str
    html: str
    links: list[str]

    def link(self, fragment: str) -> str:
        """The first link containing ``fragment`` (tests follow links this way)."""
        for link in self.links:
            if fragment in link:
                return link
        raise LookupError(f"no link with {fragment!r} in {self.subject!r}: {self.links}")


def _part(message: Message, subtype: str) -> str:
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8")
    return ""


def _parse(raw: Any) -> Mail:
    message = message_from_string(raw.raw_data)
    text = _part(message, "plain")
    return Mail(
        message_id=str(raw.id),
        to=[str(d) for d in raw.destinations],
        source=str(raw.source),
        subject=str(make_header(decode_header(message.get("Subject", "")))),
        text=text,
        html=_part(message, "html"),
        links=LINK.findall(text),
    )


def messages() -> list[Mail]:
    """Every message sent so far, newest first (any account and region of the emulated AWS)."""
    from moto.ses.models import ses_backends

    found: list[Mail] = []
    for account in list(ses_backends.values()):
        for backend in list(account.values()):
            found.extend(_parse(m) for m in list(backend.sent_messages) if hasattr(m, "raw_data"))
    return list(reversed(found))


def to(address: str) -> list[Mail]:
    """Messages to ``address``, newest first."""
    wanted = address.strip().lower()
    return [m for m in messages() if wanted in (t.lower() for t in m.to)]


def as_json() -> list[dict[str, Any]]:
    return [asdict(m) for m in messages()]


def from_moto(moto_url: str) -> list[Mail]:
    """Every message the moto server at ``moto_url`` has sent (``local.moto_process``), newest first."""
    import requests

    answer = requests.get(f"{moto_url}/_local/mail.json", timeout=10)
    answer.raise_for_status()
    return [Mail(**mail) for mail in answer.json()]


def page(mails: list[Mail]) -> str:
    rows = []
    for mail in mails:
        body = html.escape(mail.text)
        for link in mail.links:
            escaped = html.escape(link)
            body = body.replace(escaped, f'<a href="{escaped}">{escaped}</a>')
        rows.append(
            f"<article><h2>{html.escape(mail.subject)}</h2>"
            f"<p>To: {html.escape(', '.join(mail.to))} · From: {html.escape(mail.source)}</p>"
            f"<pre>{body}</pre></article>"
        )
    content = "".join(rows) or "<p>No mail yet. / まだメールはありません。</p>"
    return (
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Local mailbox</title>"
        "<style>body{font-family:sans-serif;max-width:50rem;margin:1rem auto;padding:0 1rem}"
        "article{border-bottom:1px solid #ccc;padding:0.5rem 0}pre{white-space:pre-wrap}</style></head>"
        "<body><main><h1>ローカルメールボックス (local mailbox)</h1>"
        "<p>Every mail the local stack sent, newest first. Nothing leaves this machine.</p>"
        f"{content}</main></body></html>"
    )
