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

    def _demo_account(self, label: str) -> list[str]:
        for line in self.output:  # "    <label> <email> <user id> <token>" in the ready summary
            parts = line.split()
            if len(parts) == 4 and parts[0] == label and parts[3].startswith("eyJ"):
                return parts
        raise LookupError(f"no demo account {label!r} in the local stack's summary")

    def demo_token(self, label: str) -> str:
        """A bearer token of a demo account: fan, minor, vtuber or admin."""
        return self._demo_account(label)[3]

    def demo_user_id(self, label: str) -> str:
        return self._demo_account(label)[2]

    def demo_gacha_id(self) -> str:
        """The seeded gacha that is on sale."""
        for line in self.output:
            if line.strip().startswith("demo gacha "):
                return line.split()[2]
        raise LookupError("no demo gacha in the local stack's summary")
