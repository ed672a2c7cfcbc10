"""Helpers for end-to-end tests against the local stack (kept out of conftest so tests can import them)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from local.runner import ROOT, START_TIMEOUT_SECONDS, LocalStack, free_port, running_local_stack

__all__ = [
    "ROOT",
    "START_TIMEOUT_SECONDS",
    "LocalStack",
    "free_port",
    "link_in",
    "mailbox",
    "running_local_stack",
    "token_of",
    "verify_email",
]


def mailbox(
    stack: LocalStack, address: str, *, wait_for: str = "", seconds: float = 20
) -> list[dict[str, Any]]:
    """The local stack's mail to ``address`` (``/_local/mail.json``), newest first; with ``wait_for``,
    polls until a mail whose subject or text contains it has arrived (consumers send asynchronously)."""
    deadline = time.monotonic() + seconds
    while True:
        mails = [
            m
            for m in requests.get(f"{stack.api_url}/_local/mail.json", timeout=10).json()
            if address.lower() in (t.lower() for t in m["to"])
        ]
        if not wait_for or any(wait_for in m["subject"] or wait_for in m["text"] for m in mails):
            return mails
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail with {wait_for!r} to {address}: {[m['subject'] for m in mails]}")
        time.sleep(0.2)


def link_in(mails: list[dict[str, Any]], fragment: str) -> str:
    """The newest link containing ``fragment`` in ``mails``."""
    for mail in mails:
        for link in mail["links"]:
            if fragment in link:
                return str(link)
    raise AssertionError(f"no link with {fragment!r}")


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def verify_email(stack: LocalStack, address: str, http: requests.Session | None = None) -> None:
    """Follow the sign-up mail's verification link (the API call its page makes), from ``http``'s address
    when given (the verification route is rate-limited per IP)."""
    token = token_of(
        link_in(mailbox(stack, address, wait_for="/account/verify-email"), "/account/verify-email")
    )
    response = (http or requests).post(
        f"{stack.api_url}/api/auth/email/verify", json={"token": token}, timeout=10
    )
    assert response.status_code == 200, response.text
