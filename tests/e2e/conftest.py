"""The local stack, started once per test session in a subprocess, exactly as `make run` starts it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests
from e2e_support import ROOT, START_TIMEOUT_SECONDS, LocalStack, free_port


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    port, moto_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OSHI_"))}
    env.update({"PORT": str(port), "MOTO_PORT": str(moto_port), "PYTHONUNBUFFERED": "1"})
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
        pytest.fail("local stack did not start:\n" + "\n".join(output[-40:]))
    try:
        yield LocalStack(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{moto_port}", output)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def http() -> requests.Session:
    return requests.Session()
