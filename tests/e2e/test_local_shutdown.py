"""`make run` stops cleanly on SIGTERM as on Ctrl-C, under load: within seconds, exit code 0, and no
listener left on any of its ports. (Before: the main thread parked in ``Event.wait()`` could miss a
SIGTERM delivered to another thread and hang until SIGKILL; when it did stop, the interpreter's teardown
of moto's data took 5-9 s more.)"""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest
import requests
from e2e_support import running_local_stack

pytestmark = [pytest.mark.e2e]

STOP_WITHIN_SECONDS = 5
CLIENTS = 6


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGTERM, signal.SIGINT], ids=["TERM", "TERM2", "INT"])
def test_the_local_stack_stops_under_load_within_seconds_leaving_no_listener(sig: signal.Signals) -> None:
    with running_local_stack() as stack:
        assert stack.process is not None
        assert all(_listening(port) for port in stack.ports), stack.ports
        token, gacha = stack.demo_token("fan"), stack.demo_gacha_id()
        done = threading.Event()

        def client() -> None:  # purchases keep the gateway, moto and the pump's consumers busy
            session = requests.Session()
            headers = {"Authorization": f"Bearer {token}"}
            while not done.is_set():
                try:
                    session.post(
                        f"{stack.api_url}/api/gacha/purchase",
                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                        json={"gacha_id": gacha, "count": 1, "provider": "stripe", "payment_method": "card"},
                        timeout=5,
                    )
                    session.get(f"{stack.api_url}/api/gacha/orders", headers=headers, timeout=5)
                except requests.RequestException:
                    pass

        clients = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
        for thread in clients:
            thread.start()
        time.sleep(3)
        started = time.monotonic()
        stack.process.send_signal(sig)
        try:
            code = stack.process.wait(timeout=STOP_WITHIN_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {STOP_WITHIN_SECONDS} s after {sig.name}")
        finally:
            done.set()
        took = time.monotonic() - started
        assert code == 0, (code, stack.output[-20:])
        assert not [port for port in stack.ports if _listening(port)]
        print(f"stopped in {took:.1f} s after {sig.name}")
