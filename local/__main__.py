"""``python -m local``: the whole system on one machine, in the foreground until Ctrl-C or SIGTERM.

Stopping: the first SIGINT or SIGTERM stops every part at once and waits at most ``STOP_SECONDS`` for
them together (moto last, so in-flight handlers can finish their writes), then exits 0 without the
interpreter's teardown of the in-memory data; a second signal exits at once. ``kill -USR1 <pid>`` prints every thread's stack (a hung stop, a slow request).
"""

from __future__ import annotations

import faulthandler
import importlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from local.stack import LocalConfig, prepare_environment

STOP_SECONDS = 5.0
LOCAL_SERVICES = ("dynamodb", "events", "s3", "secretsmanager", "sesv2", "sqs", "kms")  # what handlers call


def wait_for_stop_signal() -> str:
    """Block until SIGINT or SIGTERM; a second one exits immediately. Returns the signal's name."""
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        if received:
            os._exit(128 + signum)
        received.append(signum)  # no lock in a signal handler: the main thread polls this list

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    # Poll, never block: the kernel delivers a process signal to any thread, and Python runs the handler
    # in the main thread only when it next executes bytecode. A main thread parked in Event.wait() missed
    # SIGTERM under load (other threads took it) and had to be killed.
    while not received:
        time.sleep(0.2)
    return signal.Signals(received[0]).name


def stop_together(parts: list[tuple[str, Callable[[], None]]], seconds: float) -> list[str]:
    """Run every stop at once, on daemon threads, within one deadline. Returns those still running."""
    began = time.perf_counter()

    def timed(name: str, stop: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            stop()
            print(f"  {name} stopped after {time.perf_counter() - began:.1f}s", flush=True)

        return run

    parts = [(name, timed(name, stop)) for name, stop in parts]
    threads = [
        (name, threading.Thread(target=stop, name=f"stop-{name}", daemon=True)) for name, stop in parts
    ]
    for _, thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for _, thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [name for name, thread in threads if thread.is_alive()]


def main() -> int:
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <pid>`: every thread's stack
    started = time.perf_counter()
    config = LocalConfig.from_env()
    prepare_environment(config)

    # Imported only now: they bind AWS endpoints and table names from the environment set above.
    from local.gateway import serve
    from local.moto_process import MotoProcess
    from local.provision import provision
    from local.pump import EventPump, start_extras
    from local.seed import DEMO_PASSWORD, seed
    from local.standins import start_standins
    from local.static_site import CONSOLE_DIR, site_built
    from local.totp import DEMO_TOTP_SECRET
    from oshi.kernel.aws import client
    from oshi.kernel.settings import get_settings
    from oshi.models.base import build_clients as build_model_clients
    from oshi.web import topology
    from oshi.web.routes import ROUTES

    standins = start_standins(config.api_url)  # Stripe and KOMOJU stand-ins; sets the adapters' API bases
    moto = MotoProcess(config.host, config.moto_port)  # its own interpreter (local.moto_process)
    settings = get_settings()
    queue_urls = provision(settings)
    demo = seed()
    # Import every handler now, on this thread: the gateway, pump and WebSocket threads would otherwise
    # import them concurrently on first use, and a thread can see another's half-initialised module.
    for module in topology.all_handlers():
        importlib.import_module(module)
    # And build the clients now: a Lambda instance builds its own once, on its own CPU; here all threads
    # share them, and at a launch's first second 16 pollers and the gateway each built the same ones.
    build_model_clients()
    for service in LOCAL_SERVICES:
        client(service)
    extras = start_extras(config.host, config.port, queue_urls)  # WebSocket API, S3 uploads, schedules
    pump = EventPump(queue_urls, instances=config.consumer_instances)
    pump.start()
    gateway = serve(config.host, config.port, instances=config.instances)
    # The console on its own origin (cookies: stack.py); a stack on a chosen PORT may run without it.
    console = (
        serve(config.host, config.console_port, CONSOLE_DIR, instances=config.instances)
        if config.console_port
        else None
    )

    print(f"\noshi gacha local stack ready in {time.perf_counter() - started:.1f}s", flush=True)
    print(
        f"  App        {config.app_url}/  (the fan web app{'' if site_built() else '; not built: run `make web`'})"
    )
    if console is not None:
        note = "" if site_built(CONSOLE_DIR) else "; not built: run `make web`"
        print(f"  Console    {config.console_url}/  (VTuber studio and admin{note})")
    print(f"  API        {config.api_url}  (try {config.api_url}/api/health)")
    print(f"  OpenAPI    {config.api_url}/api/openapi.json")
    print(f"  moto (AWS) {config.moto_url}  stage={settings.stage}")
    print(f"  mailbox    {config.app_url}/_local/mail  (every mail sent; nothing leaves this machine)")
    print(standins.summary())
    print(extras.summary())
    print(
        f"  routes     {len(ROUTES)}, up to {config.instances} instances each (LOCAL_INSTANCES);"
        f" consumers pumped ({config.consumer_instances} each, LOCAL_CONSUMER_INSTANCES):"
        f" {', '.join(queue_urls) or 'none yet'}"
    )
    print(f"  demo gacha {demo.gacha_id} (on sale) by VTuber {demo.vtuber_id}")
    print(f"  sold out   {demo.sold_out_gacha_id} (a limited sale with no draws left)")
    print(f"  demo accounts (password {DEMO_PASSWORD}; bearer tokens valid 12 h):")
    for account in demo.accounts:
        print(f"    {account.label:7} {account.email:20} {account.user_id} {account.token}")
    print(
        f"  admin MFA  TOTP secret {DEMO_TOTP_SECRET}; current code: .venv/bin/python -m local.totp"
        " (admin routes need MFA: sign in, then POST /api/auth/mfa/verify with the challenge and code)"
    )
    print("Ctrl-C to stop.", flush=True)

    name = wait_for_stop_signal()
    stopping = time.perf_counter()
    print(f"{name}: stopping", flush=True)

    def stop_gateway() -> None:
        for server in (gateway, console):
            if server is None:
                continue
            server.shutdown()
            server.server_close()

    stuck = stop_together(
        [
            ("gateway", stop_gateway),
            ("pump", pump.stop),
            ("extras", extras.stop),
            ("stand-ins", standins.stop),
        ],
        STOP_SECONDS,
    )
    stuck += stop_together([("moto", moto.stop)], STOP_SECONDS / 2)
    if stuck:  # their threads are daemons, and the exit below does not wait for any thread
        print(f"  {', '.join(stuck)} did not finish within {STOP_SECONDS:.0f}s", flush=True)
    print(f"stopped in {time.perf_counter() - stopping:.1f}s", flush=True)
    # Every listener is closed and every part stopped; what is left is the interpreter tearing down
    # moto's in-memory tables object by object, which took 5-9 s after a busy session. Skip it.
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
