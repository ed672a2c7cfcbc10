"""Password policy and bcrypt hashing.

bcrypt only reads the first 72 bytes; bcrypt 5 raises on longer input. We check first and answer 422
``PASSWORD_TOO_LONG``: a password is never truncated silently (and never pre-hashed, which would make
hashes incompatible with any other bcrypt verifier).

bcrypt is imported by the functions that hash or check, not at module level: ``oshi.identity.users``
imports this module, and the routes that only read a profile (``GET /api/me``) never hash anything.
"""

from __future__ import annotations

import hmac
import unicodedata
from functools import cache

from oshi.kernel.errors import PasswordPolicy, PasswordTooLong
from oshi.kernel.settings import get_settings

MIN_LENGTH = 10
MAX_BYTES = 72
MIN_CLASSES = 2  # of: lower case, upper case, digits, symbols, uncased letters (kana, kanji...)
PROD_ROUNDS = 12
TEST_ROUNDS = 4  # the test stage only: keeps the suite fast; the cost is stored in each hash anyway


def rounds() -> int:
    """The bcrypt cost, decided here only."""
    return TEST_ROUNDS if get_settings().stage == "test" else PROD_ROUNDS


def _encode(password: str) -> bytes:
    return unicodedata.normalize("NFC", password).encode()


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
            any(c.isalpha() and not c.islower() and not c.isupper() for c in password),  # kana, kanji...
        )
    )


def check_policy(password: str, *, email: str | None = None) -> None:
    """Raise ``PasswordTooLong`` or ``PasswordPolicy`` (with one detail per broken rule)."""
    if len(_encode(password)) > MAX_BYTES:
        raise PasswordTooLong(
            details=[{"field": "password", "message": f"at most {MAX_BYTES} bytes", "type": "too_long"}]
        )
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append({"message": f"at least {MIN_LENGTH} characters", "type": "too_short"})
    if len(set(password)) <= 1 and password:
        problems.append({"message": "not a single repeated character", "type": "repeated"})
    elif _classes(password) < MIN_CLASSES:
        problems.append(
            {
                "message": "mix at least two of: lower case, upper case, digits, symbols",
                "type": "too_simple",
            }
        )
    local_part = (email or "").split("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append({"message": "must not contain your email address", "type": "contains_email"})
    if problems:
        raise PasswordPolicy(details=[{"field": "password", **problem} for problem in problems])


def hash_password(password: str) -> str:
    raw = _encode(password)
    if len(raw) > MAX_BYTES:
        raise PasswordTooLong()
    import bcrypt  # here, not at import: see the module docstring

    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds())).decode()


def verify_password(password: str, password_hash: str) -> bool:
    raw = _encode(password)
    if len(raw) > MAX_BYTES:
        # Nothing this long was ever accepted; still spend the same time so length is not an oracle.
        burn_time()
        return False
    import bcrypt

    return bcrypt.checkpw(raw, password_hash.encode())


@cache
def _dummy_hash() -> bytes:
    import bcrypt

    return bcrypt.hashpw(b"no such account", bcrypt.gensalt(rounds()))


def burn_time() -> None:
    """Spend one bcrypt check, so an unknown email takes as long to refuse as a wrong password."""
    import bcrypt

    hmac.compare_digest(bcrypt.hashpw(b"x", _dummy_hash()), _dummy_hash())
