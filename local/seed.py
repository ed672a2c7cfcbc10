"""Demo data, safe to load twice."""

from __future__ import annotations

from dataclasses import dataclass

from oshi import tokens
from oshi.access import Caller
from oshi.routes import Role

DEMO_TOKEN_SECONDS = 12 * 3600


@dataclass(frozen=True)
class DemoAccount:
    label: str
    user_id: str
    roles: frozenset[Role]
    mfa: bool
    token: str


def seed() -> list[DemoAccount]:
    accounts = []
    for label, user_id, roles, mfa in (
        ("fan", "demo-fan", frozenset({Role.FAN}), False),
        ("vtuber", "demo-vtuber", frozenset({Role.FAN, Role.VTUBER}), True),
        ("admin", "demo-admin", frozenset({Role.FAN, Role.ADMIN}), True),
    ):
        caller = Caller(user_id=user_id, roles=roles, mfa=mfa)
        token = tokens.issue_access_token(
            caller, amr=["pwd", "mfa"] if mfa else ["pwd"], ttl=DEMO_TOKEN_SECONDS
        )
        accounts.append(DemoAccount(label, user_id, roles, mfa, token))
    return accounts
