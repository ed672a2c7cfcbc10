"""moto's server in a process of its own: the local stack's AWS (``python -m local`` starts it).

Why a process: in a launch on the local stack (docs/performance.md §9) moto's server held the interpreter
lock for ~73% of the samples, so the handlers, the event pump and moto took turns on one core while the
machine's second core waited. In its own process moto has an interpreter of its own.

The DynamoDB patches (``local.moto_dynamodb``: atomic requests; ``local.moto_fast``: the same answers
sooner) are installed here, where the requests are served. moto keeps the mail SES "sent" in this process,
so it also answers ``GET /_local/mail.json`` (``local.mailbox``) for the gateway's mailbox.

    python -m local.moto_process HOST PORT

Runs until SIGTERM or SIGINT, or until the process that started it is gone (a stack killed with -9 must
not leave its moto behind holding the port).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

MAIL_PATH = "/_local/mail.json"  # local.mailbox.from_moto reads it


def with_mailbox(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """The moto app, plus the sent mail as JSON at ``MAIL_PATH``."""
    from local import mailbox

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == MAIL_PATH and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps(mailbox.as_json()).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return app(environ, start_response)

    return wrapped


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    parent = os.getppid()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from local import moto_dynamodb, moto_fast

    moto_dynamodb.install()
    moto_fast.install()
    app = with_mailbox(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    stopping: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: stopping.append(signum))
    threading.Thread(target=server.serve_forever, name="moto-server", daemon=True).start()
    while not stopping and os.getppid() == parent:
        time.sleep(0.2)
    server.shutdown()
    # The in-memory data goes with the process: skip the interpreter's teardown of it (local.__main__).
    os._exit(0)


class MotoProcess:
    """The stack's handle on its moto process."""

    def __init__(self, host: str, port: int, ready_seconds: float = 60.0) -> None:
        # A session of its own: a Ctrl-C in the terminal reaches the stack, which stops moto last
        # (local.__main__), after the handlers' in-flight writes; not moto first.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.moto_process", host, str(port)], start_new_session=True
        )
        deadline = time.monotonic() + ready_seconds
        while True:  # ready once it accepts connections
            if self.process.poll() is not None:
                raise RuntimeError(f"moto's process exited with {self.process.returncode} before serving")
            try:
                socket.create_connection((host, port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"moto's process did not serve {host}:{port} in {ready_seconds:.0f} s"
                    ) from None
                time.sleep(0.05)

    def stop(self, timeout: float = 3.0) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()


if __name__ == "__main__":
    sys.exit(main())
