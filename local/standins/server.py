"""A small threaded HTTP server shared by the stand-ins, and webhook delivery to the local gateway."""

from __future__ import annotations

import contextlib
import html
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# (status, headers, body) of a delivered webhook; tests plug in an in-process deliverer.
Deliver = Callable[[str, bytes, dict[str, str]], int]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, status: int, document: Any) -> Reply:
        return cls(status, json.dumps(document).encode())

    @classmethod
    def html(cls, status: int, text: str) -> Reply:
        return cls(status, text.encode(), "text/html; charset=utf-8")

    @classmethod
    def see_other(cls, location: str) -> Reply:
        """303: the browser follows with a GET (after a form POST), as a provider returns the payer."""
        return cls(303, b"", "text/plain", {"Location": location})


PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;line-height:1.6}"
    "button,.button{display:inline-block;min-height:44px;min-width:44px;padding:.6rem 1.2rem;font-size:1rem;"
    "border-radius:.4rem;border:2px solid #1a1a6e;cursor:pointer;margin:.4rem 0;text-decoration:none}"
    "button{background:#1a1a6e;color:#fff}.secondary{background:#fff;color:#1a1a6e}"
    "button:focus-visible,a:focus-visible{outline:3px solid #c60;outline-offset:2px}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem}dt{font-weight:bold}"
)


def page(title: str, body: str, *, lang: str = "ja") -> str:
    """A whole, accessible HTML document (a language, a title, a main landmark) for the demo pages."""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` appended to its query string (keeps what is already there)."""
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


Route = tuple[str, re.Pattern[str], Callable[..., Reply]]


def http_deliverer(base_url: str) -> Deliver:
    def deliver(path: str, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(  # noqa: S310 (the local gateway's http URL)
            base_url.rstrip("/") + path, data=body, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local URL)
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except urllib.error.URLError:
            return 0

    return deliver


class StandinServer:
    """Subclasses list ``routes``: (method, compiled path regex, bound method taking Request + groups)."""

    name = "standin"

    def __init__(self, host: str, port: int, deliver: Deliver) -> None:
        self.deliver = deliver
        self.lock = threading.RLock()
        routes = self.routes()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                reply = Reply.of(404, {"error": {"message": f"no route {method} {parts.path}"}})
                for route_method, pattern, fn in routes:
                    match = pattern.fullmatch(parts.path)
                    if route_method == method and match:
                        reply = fn(request, *match.groups())
                        break
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

        try:
            self.httpd = _Server((host, port), Handler)
        except OSError:
            self.httpd = _Server((host, 0), Handler)  # fixed port busy: any free port
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name=self.name, daemon=True)

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def start(self) -> StandinServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.httpd.shutdown()
            self.httpd.server_close()

    def later(self, fn: Callable[[], Any]) -> None:
        """Run after the current reply is sent (providers send refund webhooks asynchronously)."""
        timer = threading.Timer(0.05, fn)
        timer.daemon = True  # a webhook still pending must not keep the process alive at exit
        timer.start()


def nested(form: dict[str, str]) -> dict[str, Any]:
    """Stripe's form encoding (``a[b][0][c]=v``) back to nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in form.items():
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            nxt = None if last else parts[index + 1]
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append(None)
                if last:
                    node[position] = value
                else:
                    if node[position] is None:
                        node[position] = [] if nxt is not None and nxt.isdigit() else {}
                    node = node[position]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, [] if nxt is not None and nxt.isdigit() else {})
    return root


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog (5) reset clients of a launch load test (bench.launch)
