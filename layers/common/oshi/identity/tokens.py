"""Access tokens: ES256 JWTs with a ``kid``; verified with public keys only.

Keys live in Secrets Manager as JSON. The private-key secret (``{"active_kid": ..., "keys": {kid: pem}}``)
is readable only by the functions that issue tokens; the public-key secret (``{"keys": {kid: pem}}``) is
all the authorizer reads. Several kids may be listed at once so keys can be rotated without logging
everybody out.

Tokens are signed with ``cryptography`` directly (``_encode``: the same bytes PyJWT would write, a test
checks it) and verified with PyJWT. PyJWT's import (every algorithm, the JWKS client) is ~0.2x ``import
boto3``: the functions that only issue tokens (sign-in, refresh, MFA changes) do not load it; the two that
verify (the authorizer, MFA verification) load it at init with ``load_verifier()``.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

# Signing needs these on every issuing request: imported with the module (PyJWT is not, see above)
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from oshi.identity.principal import Caller, Role
from oshi.kernel import clock, snapstart
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings

ALGORITHM = "ES256"  # the only algorithm accepted; never read from the token
ACCESS_TOKEN_SECONDS = 15 * 60
MFA_CHALLENGE_SECONDS = 5 * 60
KEY_CACHE_SECONDS = 300  # re-read the secret at most every 5 minutes (rotation)
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "iss", "aud", "sub", "typ"]
LEEWAY_SECONDS = 5


class InvalidToken(Exception):
    """The token is missing, malformed, expired, forged or of the wrong kind."""


@dataclass
class _CachedKeys:
    loaded_at: float
    keys: dict[str, Any]
    active_kid: str | None = None


_public: _CachedKeys | None = None
_private: _CachedKeys | None = None


def _read_secret(secret_id: str) -> dict[str, Any]:
    value = client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    return dict(json.loads(value))


def _public_keys() -> dict[str, Any]:
    global _public
    if _public is None or time.monotonic() - _public.loaded_at > KEY_CACHE_SECONDS:
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        raw = _read_secret(get_settings().jwt_public_keys_secret)
        _public = _CachedKeys(
            time.monotonic(), {kid: load_pem_public_key(pem.encode()) for kid, pem in raw["keys"].items()}
        )
    return _public.keys


def _private_key() -> tuple[str, Any]:
    global _private
    if _private is None or time.monotonic() - _private.loaded_at > KEY_CACHE_SECONDS:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        raw = _read_secret(get_settings().jwt_private_keys_secret)
        keys = {kid: load_pem_private_key(pem.encode(), password=None) for kid, pem in raw["keys"].items()}
        _private = _CachedKeys(time.monotonic(), keys, raw["active_kid"])
    assert _private.active_kid is not None
    return _private.active_kid, _private.keys[_private.active_kid]


def _prime() -> None:
    """SnapStart: load the key sets this function may read before the snapshot (the Secrets Manager client,
    cryptography's key loading). A snapshot may be resumed days later, after a rotation, so each resumed
    environment forgets the keys and reads them once more on first use (``forget_keys`` after restore)."""
    primes = get_settings().snapstart_primes
    if "jwt-public" in primes:
        _public_keys()
    if "jwt-private" in primes:
        _private_key()


snapstart.register("jwt-keys", _prime, after_restore=lambda: forget_keys())


def forget_keys() -> None:
    """Drop cached keys (tests, and after a rotation)."""
    global _public, _private
    _public = _private = None


def issue_access_token(
    caller: Caller, *, amr: list[str], now: float | None = None, ttl: int = ACCESS_TOKEN_SECONDS
) -> str:
    settings = get_settings()
    issued = int(now if now is not None else clock.now())
    kid, key = _private_key()
    claims = {
        "sub": caller.user_id,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl,
        "typ": "access",
        "roles": sorted(role.value for role in caller.roles),
        "amr": amr,
        "ev": caller.email_verified,
    }
    return _encode(claims, key, kid)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _encode(claims: dict[str, Any], key: Any, kid: str) -> str:
    """``jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})``, without PyJWT: the header with
    sorted keys and the claims as compact JSON, then the ECDSA signature as r || s (RFC 7518 §3.4)."""
    header = {"alg": ALGORITHM, "kid": kid, "typ": "JWT"}
    signing_input = b".".join(
        [
            _b64(json.dumps(header, separators=(",", ":"), sort_keys=True).encode()),
            _b64(json.dumps(claims, separators=(",", ":")).encode()),
        ]
    )
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    size = (key.curve.key_size + 7) // 8
    return (signing_input + b"." + _b64(r.to_bytes(size, "big") + s.to_bytes(size, "big"))).decode()


def load_verifier() -> None:
    """Import PyJWT now (at a verifying function's init): every request of that function needs it."""
    import jwt  # noqa: F401


def _check_times(claims: dict[str, Any], now: float) -> None:
    """exp/nbf/iat against ``oshi.kernel.clock`` (PyJWT would read the system clock), with its rules:
    integers, ``exp`` strictly after now, ``nbf`` and ``iat`` not after now (all within the leeway)."""
    try:
        exp, nbf, iat = (int(claims[name]) for name in ("exp", "nbf", "iat"))
    except (KeyError, ValueError, TypeError, OverflowError):
        raise InvalidToken("exp, nbf and iat must be integers") from None
    if exp <= now - LEEWAY_SECONDS:
        raise InvalidToken("Signature has expired")
    if nbf > now + LEEWAY_SECONDS or iat > now + LEEWAY_SECONDS:
        raise InvalidToken("The token is not yet valid")


def _decode(token: str, *, typ: str, audience: str) -> dict[str, Any]:
    """Verify signature (ES256 only, known kid), exp/nbf/iat/iss/aud and the token's kind."""
    import jwt  # loaded at init by the functions that verify (load_verifier)

    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
        key = _public_keys().get(str(header.get("kid")))
        if key is None or header.get("alg") != ALGORITHM:
            raise InvalidToken("unknown key or algorithm")
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=settings.jwt_issuer,
            # The times are checked below against the one clock; every claim is still required.
            options={
                "require": REQUIRED_CLAIMS,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    _check_times(claims, clock.now())
    if claims.get("typ") != typ:
        raise InvalidToken(f"not an {typ} token")
    return claims


def verify_access_token(token: str) -> Caller:
    claims = _decode(token, typ="access", audience=get_settings().jwt_audience)
    roles = frozenset(Role(r) for r in claims.get("roles", []) if r in Role._value2member_map_)
    return Caller(
        user_id=str(claims["sub"]),
        roles=roles,
        mfa="mfa" in (claims.get("amr") or []),
        issued_at=int(claims["iat"]),
        email_verified=claims.get("ev") is True,
    )


def _challenge_audience() -> str:
    # A different audience as well as a different typ: a verifier that forgot the typ check still refuses it.
    return f"{get_settings().jwt_audience}#mfa-challenge"


def issue_mfa_challenge(user_id: str, *, now: float | None = None) -> str:
    """The short-lived proof that the password step succeeded; /auth/mfa/verify exchanges it plus a code."""
    settings = get_settings()
    issued = int(now if now is not None else clock.now())
    kid, key = _private_key()
    claims = {
        "sub": user_id,
        "iss": settings.jwt_issuer,
        "aud": _challenge_audience(),
        "iat": issued,
        "nbf": issued,
        "exp": issued + MFA_CHALLENGE_SECONDS,
        "typ": "mfa_challenge",
        "amr": ["pwd"],
        "jti": secrets.token_urlsafe(12),
    }
    return _encode(claims, key, kid)


def verify_mfa_challenge(token: str) -> str:
    """The user id the challenge was issued to."""
    return str(_decode(token, typ="mfa_challenge", audience=_challenge_audience())["sub"])


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise InvalidToken("no Authorization header")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("expected 'Bearer <token>'")
    return token.strip()


def generate_key_pair() -> tuple[str, str]:
    """A new P-256 key pair as (private PEM, public PEM): used by local setup, tests and key rotation."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def key_secrets(kid: str, private_pem: str, public_pem: str) -> tuple[str, str]:
    """The two secret values (private, public) for a key set with one key."""
    return (
        json.dumps({"active_kid": kid, "keys": {kid: private_pem}}),
        json.dumps({"keys": {kid: public_pem}}),
    )
