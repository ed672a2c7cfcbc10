"""The local API gateway: an HTTP server on 127.0.0.1 that hands each ``/api`` request to ``local.dispatch``
and serves the fan web app's static export for every other path (``local.static_site``), one origin as
behind CloudFront.

Each route's function runs as up to ``instances`` Lambda instances (``LOCAL_INSTANCES``, default
``DEFAULT_INSTANCES``), as Lambda scales a function out per concurrent request: an instance serves one
request at a time (a handler module holds per-invocation state, as it may on Lambda), and a request that
finds every instance busy waits for one, as it would at a reserved-concurrency limit. The first instance is
the module ``python -m local`` imported; each further one is a fresh copy of the handler module (its own
resolver and module globals: a cold start), sharing the domain modules (``oshi``) like one container's
layer would not, but they keep no per-request state.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from local.dispatch import HttpResponse, dispatch
from local.instances import FunctionInstances
from local.stack import DEFAULT_INSTANCES
from local.static_site import SITE_DIR, is_site_path, serve_static
from oshi.kernel.errors import error_body
from oshi.kernel.observability import logger
from oshi.web.routes import match

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


_functions: dict[str, FunctionInstances] = {}
_functions_lock = threading.Lock()
_instances_per_function = DEFAULT_INSTANCES


def function(handler: str) -> FunctionInstances:
    with _functions_lock:
        if handler not in _functions:
            _functions[handler] = FunctionInstances(handler, _instances_per_function)
        return _functions[handler]


class _Handler(BaseHTTPRequestHandler):
    server_version = "oshi-local-gateway"
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send(
                HttpResponse(
                    413,
                    {"Content-Type": "application/json"},
                    _json(error_body("PAYLOAD_TOO_LARGE", "Too large.")),
                )
            )
            return
        body = self.rfile.read(length) if length else None
        if urlsplit(self.path).path in MAILBOX_PATHS:
            self._send(_mailbox(urlsplit(self.path).path))
            return
        if is_site_path(self.path):
            site = serve_static(self.command, self.path, getattr(self.server, "site_root", SITE_DIR))
            self._send(HttpResponse(site.status, site.headers, site.body))
            return
        route, _, _ = match(self.command, urlsplit(self.path).path.rstrip("/") or "/")
        try:
            if route is None:  # 404/405 from the gateway itself: no function runs
                response = dispatch(self.command, self.path, headers=dict(self.headers.items()), body=body)
            else:
                with function(route.handler).instance() as module:
                    response = dispatch(
                        self.command,
                        self.path,
                        headers=dict(self.headers.items()),
                        body=body,
                        source_ip=self.client_address[0],
                        handler_module=module,
                    )
        except Exception:  # noqa: BLE001 - a crashed Lambda: API Gateway answers 502 and the error is in the logs
            logger.exception("handler crashed", extra={"path": self.path})
            response = HttpResponse(
                502,
                {"Content-Type": "application/json"},
                _json(error_body("INTERNAL_ERROR", "Internal server error")),
            )
        self._send(response)

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for key, value in response.headers.items():
            if key.lower() not in ("content-length", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("local gateway: " + format % args)


MAILBOX_PATHS = ("/_local/mail", "/_local/mail.json")  # the developer mailbox (local.mailbox); local only


def _mailbox(path: str) -> HttpResponse:
    from local import mailbox

    mails = mailbox.from_moto(os.environ["AWS_ENDPOINT_URL"])  # moto keeps them in its process
    if path.endswith(".json"):
        return HttpResponse(
            200,
            {"Content-Type": "application/json", "Cache-Control": "no-store"},
            _json([asdict(mail) for mail in mails]),
        )
    return HttpResponse(
        200,
        {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
        mailbox.page(mails).encode(),
    )


class _Server(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: 50 clients connecting at once were reset by the kernel
    # (ConnectionResetError in the clients) before a handler thread could accept them.
    request_queue_size = 128


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def serve(
    host: str, port: int, site_root: Path = SITE_DIR, *, instances: int = DEFAULT_INSTANCES
) -> ThreadingHTTPServer:
    """Start the gateway in a background thread and return the server (call .shutdown() to stop).
    ``site_root``: the static export served for non-API paths (the console's port serves web/console/out).
    ``instances``: how many requests one route's function serves at once."""
    global _instances_per_function
    if instances < 1:
        raise ValueError("LOCAL_INSTANCES must be at least 1")
    with _functions_lock:
        _instances_per_function = instances
        _functions.clear()
    server = _Server((host, port), _Handler)
    server.site_root = site_root  # type: ignore[attr-defined]  # read back by _Handler
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="local-gateway", daemon=True).start()
    return server
