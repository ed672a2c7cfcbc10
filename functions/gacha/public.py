"""How the public catalogue answers: a JSON body, Cache-Control, a strong ETag, and 304 on a match.

The body is the response model's ``model_dump_json`` (the model the handler's ``Endpoint`` declares with
``response_model``, so OpenAPI documents it), sent as bytes so the ETag is computed over what is sent.
"""

from __future__ import annotations

from pydantic import BaseModel

from oshi.catalogue import storefront
from oshi.web.api import Endpoint
from oshi.web.response import Response


def cached_json(endpoint: Endpoint, document: BaseModel, max_age: int) -> Response[str]:
    assert isinstance(document, endpoint.response_model or ()), "declare it: Endpoint(response_model=...)"
    body = document.model_dump_json()
    tag = storefront.etag(body.encode())
    headers = {"Cache-Control": storefront.cache_control(max_age), "ETag": tag}
    match = endpoint.header("If-None-Match")
    if match and tag in {value.strip() for value in match.split(",")}:
        return Response(status_code=304, headers=headers, body="")
    return Response(status_code=200, content_type="application/json", body=body, headers=headers)
