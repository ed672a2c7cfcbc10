"""Settings validated once at cold start.

Logic never reads ``os.environ``: it asks ``get_settings()``. All resource names derive from the stage
and app name, so the CDK stack, the local stack and the tests agree on them by construction.

A plain dataclass rather than pydantic-settings: the authorizer reads settings on every cold start and
must not pay for pydantic's import (see docs/decisions.md).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

ENV_PREFIX = "OSHI_"
STAGES = ("local", "test", "dev", "prod")


class SettingsError(ValueError):
    """The environment does not describe a valid deployment; raised at cold start, not mid-request."""


@dataclass(frozen=True)
class Settings:
    stage: str = "local"
    app_name: str = "oshi"
    region: str = "ap-northeast-1"
    jwt_issuer: str = "https://oshi-gacha.example/auth"
    jwt_audience: str = "oshi-gacha-api"
    event_source: str = "oshi.gacha"
    log_level: str = "INFO"
    # --- payments (issue 5): provider API bases are overridable so the local stand-ins can answer ---
    stripe_api_base: str = "https://api.stripe.com"
    komoju_api_base: str = "https://komoju.com"
    frontend_url: str = "http://localhost:3000"  # where providers send the fan back after checkout
    # The console's own origin (VTuber studio + admin): only it may use the console's refresh cookie.
    console_url: str = "http://127.0.0.1:3001"
    spending_cap_under_16: int = 5000  # JPY a month (oshi.commerce.spending); 0 = no cap
    spending_cap_16_17: int = 10000
    # --- rewards (issue 7): CloudFront domain for signed downloads; empty = S3 presigned URLs (local) ---
    cdn_domain: str = ""
    cdn_key_pair_id: str = ""
    # --- infra / notifications: set by the CDK stack (AWS) or the local stack; empty = derived/off ---
    content_bucket_name: str = ""  # globally unique name from CDK; empty = "{prefix}-content"
    websocket_endpoint: str = (
        ""  # https://{api}.execute-api.{region}.amazonaws.com/{stage} (postToConnection)
    )
    # --- mail (issue 18): the SES sending identity and configuration set (CDK parameters on AWS) ---
    mail_from: str = "no-reply@oshi-gacha.example"
    mail_configuration_set: str = ""  # empty = none (the local stack and tests)
    seller_name: str = (
        "【要設定】販売事業者名"  # the seller of record on receipts (特定商取引法), as on the site
    )
    # --- SnapStart (oshi.kernel.snapstart): what to prime before the snapshot, comma-separated AWS
    # services ("dynamodb,s3") and key sets ("jwt-public"); set per function by CDK from infra/permissions.py
    snapstart_prime: str = ""

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise SettingsError(f"OSHI_STAGE must be one of {STAGES}, not {self.stage!r}")
        if not re.fullmatch(r"[a-z][a-z0-9-]{1,20}", self.app_name):
            raise SettingsError("OSHI_APP_NAME must be 2-21 lowercase letters, digits or dashes")
        if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", self.region):
            raise SettingsError(f"not an AWS region: {self.region!r}")

    # --- names of resources: one rule for CDK, the local stack and the tests ---
    @property
    def snapstart_primes(self) -> frozenset[str]:
        return frozenset(item.strip() for item in self.snapstart_prime.split(",") if item.strip())

    @property
    def prefix(self) -> str:
        return f"{self.app_name}-{self.stage}"

    def table_name(self, short_name: str) -> str:
        return f"{self.prefix}-{short_name}"

    def queue_name(self, short_name: str) -> str:
        return f"{self.prefix}-{short_name}"

    @property
    def bus_name(self) -> str:
        return f"{self.prefix}-bus"

    @property
    def content_bucket(self) -> str:
        return self.content_bucket_name or f"{self.prefix}-content"

    @property
    def jwt_private_keys_secret(self) -> str:
        """Private signing keys: readable only by the auth service's token-issuing functions."""
        return f"{self.prefix}/jwt/private-keys"

    @property
    def jwt_public_keys_secret(self) -> str:
        """Public keys: all the authorizer needs."""
        return f"{self.prefix}/jwt/public-keys"

    # --- secrets: one per provider (API key + webhook secret in one JSON document) ---
    @property
    def stripe_secret(self) -> str:
        return f"{self.prefix}/payments/stripe"

    @property
    def komoju_secret(self) -> str:
        return f"{self.prefix}/payments/komoju"

    @property
    def fairness_key_alias(self) -> str:
        """The KMS key that encrypts the gachas' server seeds (oshi.draw.fairness_store)."""
        return f"alias/{self.prefix}-fairness-seeds"

    @property
    def cdn_signing_key_secret(self) -> str:
        """The CloudFront key group's private key (PEM), for signed download URLs."""
        return f"{self.prefix}/cdn/signing-key"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        names = {f.name for f in fields(cls)}
        raw = {
            key[len(ENV_PREFIX) :].lower(): value for key, value in env.items() if key.startswith(ENV_PREFIX)
        }
        values: dict[str, Any] = {key: value for key, value in raw.items() if key in names}
        for f in fields(cls):  # environment values are strings; integer settings are parsed here, once
            if f.name in values and f.type in ("int", int):
                try:
                    values[f.name] = int(values[f.name])
                except ValueError:
                    raise SettingsError(f"{ENV_PREFIX}{f.name.upper()} must be an integer") from None
        values.setdefault(
            "region", env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-northeast-1"
        )
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment that reproduces these settings (CDK function environments, the local stack)."""
        return {
            ENV_PREFIX + f.name.upper(): str(getattr(self, f.name))
            for f in fields(self)
            if f.name != "region"
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
