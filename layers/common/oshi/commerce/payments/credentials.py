"""Provider credentials from Secrets Manager: ``{"api_key": ..., "webhook_secret": ...}``, cached.

Cached for a few minutes per warm function, so a rotated secret is picked up without a redeploy.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from oshi.kernel.aws import client

CACHE_SECONDS = 300


@dataclass(frozen=True)
class ProviderCredentials:
    api_key: str
    webhook_secret: str


_cache: dict[str, tuple[float, ProviderCredentials]] = {}


def load(secret_id: str) -> ProviderCredentials:
    cached = _cache.get(secret_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    document = json.loads(client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    credentials = ProviderCredentials(str(document["api_key"]), str(document["webhook_secret"]))
    _cache[secret_id] = (time.monotonic() + CACHE_SECONDS, credentials)
    return credentials


def forget() -> None:
    _cache.clear()
