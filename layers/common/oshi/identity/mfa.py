"""TOTP (RFC 6238) for multi-factor sign-in, and encryption of the TOTP secrets at rest.

Secrets are sealed with AES-256-GCM under a data key kept in Secrets Manager
(``{prefix}/mfa/encryption-key``: ``{"active_kid": ..., "keys": {kid: base64 key}}``); the ciphertext
names its key id so keys can rotate, and the user id is bound as associated data, so a ciphertext copied
onto another account does not decrypt. Only the functions that handle MFA may read that secret.

Codes: 30-second steps, at most one step of drift either way. Replay protection (a step is accepted at
most once per account) is enforced by ``oshi.identity.users`` with a conditional write on the last accepted step.

pyotp and cryptography are imported by the functions that use them, not at module level:
``oshi.identity.users`` imports this module, and the routes that only read a profile never touch a code.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oshi.kernel.aws import client
from oshi.kernel.settings import Settings, get_settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from pyotp import TOTP

ISSUER = "Oshi Gacha"
STEP_SECONDS = 30
DRIFT_STEPS = 1
KEY_CACHE_SECONDS = 300
_CODE = re.compile(r"^\d{6}$")


def key_secret_name(settings: Settings) -> str:
    return f"{settings.prefix}/mfa/encryption-key"


def new_key_secret_value(kid: str = "mfa-1") -> str:
    """A fresh key set with one 256-bit key (local provisioning, tests, and rotation runbooks)."""
    return json.dumps({"active_kid": kid, "keys": {kid: base64.b64encode(os.urandom(32)).decode()}})


@dataclass
class _Keys:
    loaded_at: float
    active_kid: str
    keys: dict[str, bytes]


_keys: _Keys | None = None


def forget_keys() -> None:
    global _keys
    _keys = None


def _load_keys() -> _Keys:
    global _keys
    if _keys is None or time.monotonic() - _keys.loaded_at > KEY_CACHE_SECONDS:
        raw = json.loads(
            client("secretsmanager").get_secret_value(SecretId=key_secret_name(get_settings()))[
                "SecretString"
            ]
        )
        _keys = _Keys(
            time.monotonic(),
            raw["active_kid"],
            {kid: base64.b64decode(value) for kid, value in raw["keys"].items()},
        )
    return _keys


def _cipher(key: bytes) -> AESGCM:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # here, not at import: module docstring

    return AESGCM(key)


def _totp(secret: str) -> TOTP:
    import pyotp

    return pyotp.TOTP(secret, interval=STEP_SECONDS)


def _aad(user_id: str) -> bytes:
    return f"oshi-mfa:{user_id}".encode()


def seal(secret: str, user_id: str) -> str:
    keys = _load_keys()
    nonce = os.urandom(12)
    sealed = _cipher(keys.keys[keys.active_kid]).encrypt(nonce, secret.encode(), _aad(user_id))
    return f"{keys.active_kid}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(token: str, user_id: str) -> str:
    kid, _, payload = token.partition(":")
    keys = _load_keys()
    if kid not in keys.keys:
        forget_keys()
        keys = _load_keys()
    raw = base64.b64decode(payload)
    return _cipher(keys.keys[kid]).decrypt(raw[:12], raw[12:], _aad(user_id)).decode()


def new_secret() -> str:
    import pyotp

    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str) -> str:
    return _totp(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def step_at(now: float) -> int:
    return int(now // STEP_SECONDS)


def code_at_step(secret: str, step: int) -> str:
    return _totp(secret).at(step * STEP_SECONDS)


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code this is (within the allowed drift), or None. Replays are checked by the caller."""
    code = code.strip()
    if not _CODE.match(code):
        return None
    current = step_at(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at_step(secret, step), code):
            found = step  # keep the latest matching step: it is the one later codes must exceed
    return found
