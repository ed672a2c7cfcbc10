"""Two requests served side by side in one process (the local gateway, the threaded tests) each read their
own event: ``Endpoint`` keeps the request it is serving per thread, even for one handler module."""

from __future__ import annotations

import json
import threading
from typing import Any

from local.apigw import FakeLambdaContext
from oshi.web.api import Endpoint


def _event(name: str) -> dict[str, Any]:
    return {
        "resource": "/api/health",
        "path": "/api/health",
        "httpMethod": "GET",
        "headers": {"X-Name": name},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "requestContext": {"requestId": f"req-{name}", "httpMethod": "GET", "resourcePath": "/api/health"},
        "body": None,
        "isBase64Encoded": False,
    }


def test_concurrent_requests_each_read_their_own_event() -> None:
    endpoint = Endpoint("system.health")  # the health route's table entry; the function is this test's
    both_serving = threading.Barrier(2, timeout=10)

    @endpoint
    def get_health() -> dict[str, Any]:
        both_serving.wait()  # the other request has started (and set its event) by now
        both_serving.wait()
        return {"name": endpoint.header("X-Name"), "request_id": endpoint.request_id}

    results: dict[str, Any] = {}

    def serve(name: str) -> None:
        result = endpoint.lambda_handler(_event(name), FakeLambdaContext(function_name="health"))
        results[name] = json.loads(result["body"])

    threads = [threading.Thread(target=serve, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {
        "alice": {"name": "alice", "request_id": "req-alice"},
        "bob": {"name": "bob", "request_id": "req-bob"},
    }
