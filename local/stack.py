"""Start and stop the whole local system: moto server, resources, demo data, event pump, HTTP gateway.

``python -m local`` (``make run``) runs it in the foreground; the end-to-end tests start it in a
subprocess the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_INSTANCES = 8  # per route function: requests one route serves at once (local.gateway)


@dataclass(frozen=True)
class LocalConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 5000
    console_port: int = 8001  # 0: no console
    instances: int = DEFAULT_INSTANCES
    consumer_instances: int = 1  # pollers (each with its own instance) per consumer queue (local.pump)

    @classmethod
    def from_env(cls) -> LocalConfig:
        return cls(
            port=int(os.environ.get("PORT", "8000")),
            moto_port=int(os.environ.get("MOTO_PORT", "5000")),
            # A stack on a chosen PORT (the test suites) serves no console unless given CONSOLE_PORT too:
            # a fixed default would collide between stacks started side by side.
            console_port=int(os.environ.get("CONSOLE_PORT", "0" if "PORT" in os.environ else "8001")),
            instances=int(os.environ.get("LOCAL_INSTANCES", str(DEFAULT_INSTANCES))),
            consumer_instances=int(os.environ.get("LOCAL_CONSUMER_INSTANCES", "1")),
        )

    @property
    def moto_url(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def app_url(self) -> str:
        """The fan app, on the gateway's port (same origin as /api). ``localhost``, not 127.0.0.1: it is the
        origin the payment providers send the fan back to, and the session cookie belongs to one host name."""
        return f"http://localhost:{self.port}"

    @property
    def console_url(self) -> str:
        """The console (VTuber studio, admin) on its own port, with /api there too (same origin for it).
        127.0.0.1, not localhost: browsers share cookies across ports, not across host names, so the fan
        app's pages can never see or send the console's session cookie."""
        return f"http://{self.host}:{self.console_port}"


def prepare_environment(config: LocalConfig) -> None:
    """Point every AWS client at the moto server. Must run before project modules bind settings or models."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": config.moto_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "ap-northeast-1",
            "AWS_REGION": "ap-northeast-1",
            "OSHI_STAGE": "local",
            # The fan app is served by the gateway at the API's own origin, so checkout success/cancel URLs
            # come back to it; "localhost" (not 127.0.0.1) because that is the name a person types, and the
            # session cookie belongs to the name it was set on.
            "OSHI_FRONTEND_URL": config.app_url,
            "OSHI_CONSOLE_URL": config.console_url,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            # Hand-built read bodies checked against their documented models (oshi.web.shapes).
            "OSHI_CHECK_RESPONSES": os.environ.get("OSHI_CHECK_RESPONSES", "1"),
        }
    )
    os.environ.pop("AWS_PROFILE", None)
