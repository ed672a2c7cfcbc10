"""What a handler may return besides a model: a status, headers and a body (``Response[Model]``).

The same constructor as Powertools' ``Response`` (which ``oshi.web.powertools`` puts in its place when the
OpenAPI document is generated), without importing Powertools' ``event_handler`` package at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

if TYPE_CHECKING:
    from aws_lambda_powertools.shared.cookies import Cookie

T = TypeVar("T")

# A body the handler built in JSON form (str, int, bool, None, lists and dicts of them): sent as it is,
# without pydantic. Its Endpoint names the model that documents it (``response_model``), and tests check
# every such answer against that model (``oshi.web.shapes``). A plain ``dict[str, Any]`` annotation is
# still dumped by pydantic (datetimes and all).
JsonObject = Annotated[dict[str, Any], "built in JSON form"]
PLAIN_BODIES: tuple[Any, ...] = (JsonObject, str)


class Response(Generic[T]):
    def __init__(
        self,
        status_code: int,
        content_type: str | None = None,
        body: T | None = None,
        headers: Mapping[str, str | list[str]] | None = None,
        cookies: list[Cookie] | None = None,
    ) -> None:
        self.status_code = status_code
        self.body: object = body
        self.headers: dict[str, str | list[str]] = dict(headers) if headers else {}
        self.cookies = cookies or []
        if content_type:
            self.headers.setdefault("Content-Type", content_type)

    def is_json(self) -> bool:
        content_type = self.headers.get("Content-Type", "")
        if isinstance(content_type, list):
            content_type = content_type[0]
        return content_type.startswith("application/json")
