"""The local WebSocket API: what API Gateway's WebSocket API does for order notifications.

- ``ws://host:WS_PORT/?token=<access token>``: the handshake runs the real ``gacha.ws_connect`` handler
  with an API Gateway-shaped ``$connect`` event (a non-2xx answer refuses the handshake, as on AWS);
  closing runs ``gacha.ws_disconnect``.
- A management endpoint speaking API Gateway's ``@connections`` API (``POST``/``DELETE``/``GET
  /@connections/{id}``, 410 ``GoneException`` for unknown ids). ``OSHI_WEBSOCKET_ENDPOINT`` points at it,
  so the notify consumer uses the very same boto3 ``apigatewaymanagementapi`` client as on AWS.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import secrets
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from local.apigw import ACCOUNT, FakeLambdaContext
from oshi.kernel.settings import reset_settings

_CONNECTION_PATH = re.compile(r"/@connections/([^/?]+)$")
_CONTROL_PATH = re.compile(r"^/_local/(\w+)/([\w.-]+)$")
STAGE = "local"


def connection_event(
    route_key: str, connection_id: str, query: dict[str, str] | None = None
) -> dict[str, Any]:
    """An API Gateway WebSocket event, as much of it as the handlers read."""
    return {
        "requestContext": {
            "routeKey": route_key,
            "eventType": {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE"),
            "connectionId": connection_id,
            "stage": STAGE,
            "apiId": "local",
            "accountId": ACCOUNT,
            "domainName": "localhost",
        },
        "queryStringParameters": query or None,
        "isBase64Encoded": False,
    }


def _context(name: str) -> Any:
    return FakeLambdaContext(function_name=name)


def _new_connection_id() -> str:
    # API Gateway's ids look like "L0SM9cOFvHcCIhw=": short, URL-safe-ish, unguessable.
    return base64.urlsafe_b64encode(secrets.token_bytes(10)).decode()


class LocalWebSocketApi:
    def __init__(
        self,
        host: str,
        port: int,
        management_port: int = 0,
        control: dict[str, Callable[[str], Any]] | None = None,
    ) -> None:
        self.host = host
        self.control = control or {}  # local-only hooks, e.g. "schedules" -> run a schedule now
        self.port = port
        self._management_port = management_port
        self.connections: dict[str, ServerConnection] = {}
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-websocket", daemon=True)
        self._http: ThreadingHTTPServer | None = None

    # --- the WebSocket side ---
    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        from gacha import ws_connect

        connection_id = _new_connection_id()
        query = {key: values[-1] for key, values in parse_qs(urlsplit(request.path).query).items()}
        event = connection_event("$connect", connection_id, query)
        result = await asyncio.to_thread(ws_connect.handler, event, _context("ws_connect"))
        status = int(result.get("statusCode", 500))
        if not 200 <= status < 300:
            return connection.respond(HTTPStatus(status), str(result.get("body") or "Forbidden"))
        connection.connection_id = connection_id  # type: ignore[attr-defined]
        return None

    async def _serve_connection(self, connection: ServerConnection) -> None:
        from gacha import ws_disconnect

        connection_id: str = connection.connection_id  # type: ignore[attr-defined]
        self.connections[connection_id] = connection
        try:
            async for _message in connection:  # clients send nothing the API routes ($default absent)
                pass
        except ConnectionClosed:
            pass
        finally:
            self.connections.pop(connection_id, None)
            event = connection_event("$disconnect", connection_id)
            await asyncio.to_thread(ws_disconnect.handler, event, _context("ws_disconnect"))

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await serve(
                self._serve_connection, self.host, self.port, process_request=self._process_request
            )

        self._loop.run_until_complete(start())
        self._ready.set()
        self._loop.run_forever()

    # --- the management (@connections) side, called from the HTTP server's threads ---
    def post(self, connection_id: str, data: bytes) -> bool:
        connection = self.connections.get(connection_id)
        if connection is None:
            return False
        text = data.decode("utf-8", errors="replace")
        future = asyncio.run_coroutine_threadsafe(connection.send(text), self._loop)
        try:
            future.result(timeout=5)
        except ConnectionClosed:
            return False
        return True

    def close(self, connection_id: str) -> bool:
        connection = self.connections.get(connection_id)
        if connection is None:
            return False
        asyncio.run_coroutine_threadsafe(connection.close(), self._loop).result(timeout=5)
        return True

    def _management_handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: dict[str, Any] | None = None) -> None:
                payload = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if status == 410:
                    self.send_header("x-amzn-ErrorType", "GoneException")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _connection_id(self) -> str | None:
                found = _CONNECTION_PATH.search(urlsplit(self.path).path)
                return unquote(found.group(1)) if found else None

            def do_POST(self) -> None:
                connection_id = self._connection_id()
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                control = _CONTROL_PATH.match(urlsplit(self.path).path)
                if control and control.group(1) in api.control:
                    try:
                        result = api.control[control.group(1)](control.group(2))
                    except KeyError:
                        self._answer(404, {"message": f"no {control.group(1)} named {control.group(2)!r}"})
                    else:
                        self._answer(200, {"result": result})
                elif connection_id is None:
                    self._answer(404, {"message": "Not Found"})
                elif api.post(connection_id, data):
                    self._answer(200)
                else:
                    self._answer(410, {"message": "Gone"})

            def do_DELETE(self) -> None:
                connection_id = self._connection_id()
                self._answer(204 if connection_id and api.close(connection_id) else 410, None)

            def do_GET(self) -> None:
                connection_id = self._connection_id()
                if connection_id and connection_id in api.connections:
                    self._answer(200, {"identity": {"sourceIp": "127.0.0.1"}})
                else:
                    self._answer(410, {"message": "Gone"})

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler

    # --- lifecycle ---
    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def management_url(self) -> str:
        assert self._http is not None
        return f"http://{self.host}:{self._http.server_address[1]}"

    def start(self) -> LocalWebSocketApi:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("local WebSocket server did not start")
        self._http = ThreadingHTTPServer((self.host, self._management_port), self._management_handler())
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, name="local-websocket-mgmt", daemon=True).start()
        # The notify consumer reads the endpoint from settings: point it here.
        os.environ["OSHI_WEBSOCKET_ENDPOINT"] = self.management_url
        reset_settings()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._server is not None:
            server = self._server
            asyncio.run_coroutine_threadsafe(_close(server), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


async def _close(server: Server) -> None:
    server.close()
    await server.wait_closed()


def default_port(api_port: int) -> int:
    """The API port + 2: + 1 is the console's (``make run``: 8000 app, 8001 console, 8002 WebSocket)."""
    return api_port + 2


def start_websocket(
    host: str, api_port: int, control: dict[str, Callable[[str], Any]] | None = None
) -> LocalWebSocketApi:
    """Start on ``WS_PORT`` (default: ``default_port``); the management endpoint on a free port."""
    port = int(os.environ.get("WS_PORT") or default_port(api_port))
    return LocalWebSocketApi(host, port, control=control).start()
