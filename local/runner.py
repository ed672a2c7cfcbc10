"""Run the local stack in a subprocess, exactly as `make run` starts it: for end-to-end tests and benches."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
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
    process: subprocess.Popen[str] | None = None
    ports: tuple[int, ...] = ()  # every port it listens on (API, moto, WebSocket, stand-ins)

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

    def demo_sold_out_gacha_id(self) -> str:
        """The seeded limited gacha whose every draw is sold (its counter set, no orders behind it)."""
        for line in self.output:
            if line.strip().startswith("sold out "):
                return line.split()[2]
        raise LookupError("no sold-out demo gacha in the local stack's summary")


def _drain(stream: Any, output: list[str], keep: int = 2000) -> None:
    started = len(output)  # the start-up output, with the ready summary (demo tokens), always stays
    for line in stream:
        output.append(line.rstrip("\n"))
        if len(output) > started + 2 * keep:
            del output[started:-keep]


@contextmanager
def running_local_stack() -> Iterator[LocalStack]:
    """``python -m local`` in a subprocess on free ports, exactly as `make run` starts it."""
    port, moto_port, ws_port, stripe_port, komoju_port = (free_port() for _ in range(5))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OSHI_"))}
    env.update(
        {
            "PORT": str(port),
            "MOTO_PORT": str(moto_port),
            "WS_PORT": str(ws_port),  # its default (PORT + 2) may be another stack's free port
            "STRIPE_STANDIN_PORT": str(stripe_port),
            "KOMOJU_STANDIN_PORT": str(komoju_port),
            "PYTHONUNBUFFERED": "1",
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "local"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line.rstrip("\n"))
        if line.startswith("Ctrl-C to stop."):
            break
    if not output or not output[-1].startswith("Ctrl-C"):
        process.kill()
        raise RuntimeError("local stack did not start:\n" + "\n".join(output[-40:]))
    # Keep reading what it prints: a full pipe (64 KB of warnings under a load test) would block every
    # thread of the stack that logs. The last lines are kept for a failing test's message.
    threading.Thread(
        target=_drain, args=(process.stdout, output), name="local-stack-output", daemon=True
    ).start()
    try:
        yield LocalStack(
            f"http://127.0.0.1:{port}",
            f"http://127.0.0.1:{moto_port}",
            output,
            process,
            (port, moto_port, ws_port, stripe_port, komoju_port),
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
