"""How the public catalogue answers: a JSON body, Cache-Control, a strong ETag, and 304 on a match.

The body is the storefront's document in JSON form (``oshi.web.response.JsonObject``), sent as compact
UTF-8 bytes so the ETag is computed over what is sent. The handler's ``Endpoint`` names the model that
documents it (``response_model``), which tests check every answer against (``oshi.web.shapes``).
"""

from __future__ import annotations

import json

from oshi.catalogue import storefront
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response


def cached_json(endpoint: Endpoint, document: JsonObject, max_age: int) -> Response[str]:
    assert endpoint.response_model is not None, "declare it: Endpoint(response_model=...)"
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))  # as pydantic's model_dump_json
    tag = storefront.etag(body.encode())
    headers = {"Cache-Control": storefront.cache_control(max_age), "ETag": tag}
    match = endpoint.header("If-None-Match")
    if match and tag in {value.strip() for value in match.split(",")}:
        return Response(status_code=304, headers=headers, body="")
    return Response(status_code=200, content_type="application/json", body=body, headers=headers)
