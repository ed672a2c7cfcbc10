"""``python -m local``: the whole system on one machine, in the foreground until Ctrl-C."""

from __future__ import annotations

import contextlib
import importlib
import logging
import signal
import sys
import threading
import time

from local.stack import LocalConfig, prepare_environment


def main() -> int:
    started = time.perf_counter()
    config = LocalConfig.from_env()
    prepare_environment(config)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's per-request access log
    # Imported only now: they bind AWS endpoints and table names from the environment set above.
    from moto.server import ThreadedMotoServer

    from local.gateway import serve
    from local.provision import provision
    from local.pump import EventPump, start_extras
    from local.seed import DEMO_PASSWORD, seed
    from local.standins import start_standins
    from local.static_site import site_built
    from oshi.kernel.settings import get_settings
    from oshi.web import topology
    from oshi.web.routes import ROUTES

    standins = start_standins(config.api_url)  # Stripe and KOMOJU stand-ins; sets the adapters' API bases
    moto = ThreadedMotoServer(ip_address=config.host, port=config.moto_port, verbose=False)
    moto.start()
    settings = get_settings()
    queue_urls = provision(settings)
    demo = seed()
    # Import every handler now, on this thread: the gateway, pump and WebSocket threads would otherwise
    # import them concurrently on first use, and a thread can see another's half-initialised module.
    for module in topology.all_handlers():
        importlib.import_module(module)
    extras = start_extras(config.host, config.port, queue_urls)  # WebSocket API, S3 uploads, schedules
    pump = EventPump(queue_urls)
    pump.start()
    gateway = serve(config.host, config.port)

    print(f"\noshi gacha local stack ready in {time.perf_counter() - started:.1f}s", flush=True)
    print(
        f"  App        {config.app_url}/  (the fan web app{'' if site_built() else '; not built: run `make web`'})"
    )
    print(f"  API        {config.api_url}  (try {config.api_url}/api/health)")
    print(f"  OpenAPI    {config.api_url}/api/openapi.json")
    print(f"  moto (AWS) {config.moto_url}  stage={settings.stage}")
    print(standins.summary())
    print(extras.summary())
    print(f"  routes     {len(ROUTES)}; consumers pumped: {', '.join(queue_urls) or 'none yet'}")
    print(f"  demo gacha {demo.gacha_id} (on sale) by VTuber {demo.vtuber_id}")
    print(f"  sold out   {demo.sold_out_gacha_id} (a limited sale with no draws left)")
    print(f"  demo accounts (password {DEMO_PASSWORD}; bearer tokens valid 12 h):")
    for account in demo.accounts:
        print(f"    {account.label:7} {account.email:20} {account.user_id} {account.token}")
    print("Ctrl-C to stop.", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    gateway.shutdown()
    pump.stop()
    extras.stop()
    moto.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
