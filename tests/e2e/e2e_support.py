"""Helpers for end-to-end tests against the local stack (kept out of conftest so tests can import them)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalStack:
    api_url: str
    moto_url: str
    output: list[str]

    def demo_token(self, label: str) -> str:
        for line in self.output:
            parts = line.split()
            if len(parts) == 3 and parts[0] == label and parts[2].startswith("eyJ"):
                return parts[2]
        raise LookupError(f"no demo account {label!r} in the local stack's summary")
