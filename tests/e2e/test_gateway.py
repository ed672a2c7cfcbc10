"""The same routes over HTTP through the local gateway, on the moto server."""

from __future__ import annotations

import pytest
import requests
from e2e_support import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]


def test_health_over_http(local_stack: LocalStack, http: requests.Session) -> None:
    response = http.get(f"{local_stack.api_url}/api/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "stage": "local"}


def test_me_over_http_goes_through_the_authorizer(local_stack: LocalStack, http: requests.Session) -> None:
    token = local_stack.demo_token("fan")
    response = http.get(
        f"{local_stack.api_url}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200
    assert response.json()["user_id"] == local_stack.demo_user_id("fan")
    assert http.get(f"{local_stack.api_url}/api/me", timeout=10).status_code == 401
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = http.get(
        f"{local_stack.api_url}/api/me", headers={"Authorization": f"Bearer {forged}"}, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_bad_input_over_http(local_stack: LocalStack, http: requests.Session) -> None:
    missing = http.get(f"{local_stack.api_url}/api/does-not-exist", timeout=10)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "ROUTE_NOT_FOUND")
    wrong_method = http.post(f"{local_stack.api_url}/api/health", json={}, timeout=10)
    assert (wrong_method.status_code, wrong_method.json()["error"]["code"]) == (405, "METHOD_NOT_ALLOWED")


def test_openapi_document_is_served(local_stack: LocalStack, http: requests.Session) -> None:
    document = http.get(f"{local_stack.api_url}/api/openapi.json", timeout=10).json()
    assert document["openapi"].startswith("3.")
    assert "/api/me" in document["paths"]
    assert document["paths"]["/api/me"]["get"]["security"] == [{"bearer": []}]
