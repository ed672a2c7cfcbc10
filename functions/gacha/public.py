"""How the public catalogue answers: a JSON body, Cache-Control, a strong ETag, and 304 on a match."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from oshi.catalogue import storefront
from oshi.web.api import Endpoint


def cached_json(endpoint: Endpoint, document: Any, max_age: int) -> Response[str]:
    body = storefront.body_bytes(document)
    tag = storefront.etag(body)
    headers = {"Cache-Control": storefront.cache_control(max_age), "ETag": tag}
    match = endpoint.header("If-None-Match")
    if match and tag in {value.strip() for value in match.split(",")}:
        return Response(status_code=304, headers=headers, body="")
    return Response(status_code=200, content_type="application/json", body=body.decode(), headers=headers)
