"""Two requests resolved side by side in one process (the local gateway, the threaded tests) each read
their own event: Powertools keeps it in a class attribute, made per-thread by local.powertools_threads."""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from local import powertools_threads


def _event(path: str) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "requestContext": {"requestId": path, "httpMethod": "GET", "resourcePath": path},
        "body": None,
        "isBase64Encoded": False,
    }


def test_concurrent_requests_each_read_their_own_event() -> None:
    powertools_threads.install()
    both_resolving = threading.Barrier(2, timeout=10)
    app = APIGatewayRestResolver()
    seen: dict[str, str] = {}

    @app.get("/<name>")
    def echo(name: str) -> dict[str, str]:
        both_resolving.wait()  # the other request's event has been set by now
        both_resolving.wait()
        seen[name] = app.current_event.path
        return {}

    threads = [
        threading.Thread(target=app.resolve, args=(_event(f"/{name}"), {})) for name in ("alice", "bob")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"alice": "/alice", "bob": "/bob"}
