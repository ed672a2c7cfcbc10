"""Helpers shared by the in-process tests: import them with ``from support import Api, token_for``."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from local.dispatch import HttpResponse, dispatch
from oshi.identity import tokens
from oshi.identity.principal import Caller, Role


def _client_ip() -> str:
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@dataclass
class Api:
    """In-process HTTP-like calls through the local gateway's dispatcher.

    Each ``Api`` is one client with its own source IP, so per-IP rate limits (sign-in) count per test,
    as they would for separate clients."""

    source_ip: str = field(default_factory=_client_ip)

    def call(
        self,
        method: str,
        target: str,
        *,
        token: str | None = None,
        json_body: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        raw = body.encode() if isinstance(body, str) else body
        if json_body is not None:
            raw = json.dumps(json_body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        return dispatch(method, target, headers=all_headers, body=raw, source_ip=self.source_ip)

    def get(self, target: str, **kwargs: Any) -> HttpResponse:
        return self.call("GET", target, **kwargs)

    def post(self, target: str, **kwargs: Any) -> HttpResponse:
        return self.call("POST", target, **kwargs)


def token_for(user_id: str, *roles: Role, mfa: bool = False, email_verified: bool = True) -> str:
    """An access token signed with the provisioned key, for tests that need a caller but not the login flow."""
    caller = Caller(
        user_id=user_id, roles=frozenset(roles or (Role.FAN,)), mfa=mfa, email_verified=email_verified
    )
    return tokens.issue_access_token(caller, amr=["pwd", "mfa"] if mfa else ["pwd"])


def audit_log() -> list[Any]:
    """Every audit entry, chained: runs the audit chainer first (what the outbox's stream does on AWS)."""
    from oshi import audit
    from oshi.models.audit import AuditEntry

    audit.chain_pending()
    return list(AuditEntry.scan())


def audit_day(day: str) -> list[Any]:
    """One day's chain after the audit chainer ran (what a reader sees once the outbox is drained)."""
    from oshi import audit

    audit.chain_day(day)
    return audit.partition_entries(day)
