"""The local API gateway: an HTTP server on 127.0.0.1 that hands each ``/api`` request to ``local.dispatch``
and serves the fan web app's static export for every other path (``local.static_site``), one origin as
behind CloudFront.

Each function is one Lambda instance here: requests to the same route are served one at a time (a
handler module holds per-invocation state, as it may on Lambda), requests to different routes run in
parallel.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from local.dispatch import HttpResponse, dispatch
from local.static_site import SITE_DIR, is_site_path, serve_static
from oshi.kernel.errors import error_body
from oshi.kernel.observability import logger
from oshi.web.routes import match

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_instance_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


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
        lock = _instance_locks[route.handler if route else ""]
        try:
            with lock:
                response = dispatch(
                    self.command,
                    self.path,
                    headers=dict(self.headers.items()),
                    body=body,
                    source_ip=self.client_address[0],
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

    if path.endswith(".json"):
        return HttpResponse(
            200, {"Content-Type": "application/json", "Cache-Control": "no-store"}, _json(mailbox.as_json())
        )
    return HttpResponse(
        200,
        {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
        mailbox.page().encode(),
    )


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def serve(host: str, port: int, site_root: Path = SITE_DIR) -> ThreadingHTTPServer:
    """Start the gateway in a background thread and return the server (call .shutdown() to stop).
    ``site_root``: the static export served for non-API paths (the console's port serves web/console/out)."""
    server = ThreadingHTTPServer((host, port), _Handler)
    server.site_root = site_root  # type: ignore[attr-defined]  # read back by _Handler
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="local-gateway", daemon=True).start()
    return server
