"""`make run` with no port set: every local server the stack starts gets a port of its own."""

from __future__ import annotations

import pytest

from local import websocket
from local.stack import LocalConfig


def test_the_default_ports_do_not_collide(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PORT", "CONSOLE_PORT", "MOTO_PORT", "WS_PORT"):
        monkeypatch.delenv(name, raising=False)
    config = LocalConfig.from_env()
    ports = [config.port, config.console_port, config.moto_port, websocket.default_port(config.port)]
    assert config.console_port != 0  # make run serves the console
    assert len(set(ports)) == len(ports), ports
