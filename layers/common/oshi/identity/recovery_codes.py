"""MFA recovery codes (issue 18): ten one-time codes, shown once, each usable once instead of a TOTP code.

A code is 16 characters from a 31-letter alphabet without look-alikes (~79 bits), shown as
``xxxx-xxxx-xxxx-xxxx``. Only ``SHA-256(user id : code)`` is stored, in the user item's
``mfa_recovery_codes`` set: at 79 bits a plain hash is out of reach of guessing, so no slow hash is needed
(the sign-in lockout also counts wrong codes). Using one is a conditional DELETE from the set
(``contains``), so a code works once even when two sign-ins present it at the same moment.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 16
COUNT = 10


def normalize(code: str) -> str:
    return code.replace("-", "").replace(" ", "").strip().lower()


def looks_like(code: str) -> bool:
    raw = normalize(code)
    return len(raw) == LENGTH and all(c in ALPHABET for c in raw)


def code_hash(user_id: str, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{normalize(code)}".encode()).hexdigest()


def new_codes() -> list[str]:
    codes = []
    for _ in range(COUNT):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, LENGTH, 4)))
    return codes
