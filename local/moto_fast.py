"""Three per-request costs of moto 5.2's server taken out for the local stack (``install()``).

Found with ``py-spy record --gil`` on the stack during ``python -m bench.launch`` (docs/performance.md §9):
moto's server held the interpreter for ~73% of the samples, and these three were over a third of it.
None changes an answer; ``tests/integration/test_moto_fast.py`` compares the answers with and without.

- **DynamoDB item answers serialised by walking botocore's output shapes** (``BaseResponse.serialized``,
  ~16% of all samples): every attribute of every item went through moto's generic shape serializer. The
  answers of the item operations are already DynamoDB JSON once moto has turned its types into dicts, so
  they are written with ``json.dumps`` (binary values base64-encoded and ``None`` left out, as the
  serializer does). Errors and every other operation keep moto's serializer.
- **EventBridge input transformers parsed with a new JSONPath parser per event** (~7%): moto calls
  ``jsonpath_ng.ext.parse`` for each input path of each target of each event, and that builds a parser
  from its grammar tables each time. Parsed paths are cached by their text (they are immutable).
- **Every request listed moto's package directory** (~4%): the server's dispatcher calls
  ``list_of_moto_modules()``, a ``listdir`` plus an ``isdir`` per service (~150), to route each request.
  The list does not change while the server runs: it is computed once.

The DynamoDB lock of ``local.moto_dynamodb`` is held while an answer is serialised, so the first change
also shortens the time every other DynamoDB request waits for it.
"""

from __future__ import annotations

import base64
import functools
import json
from contextlib import AbstractContextManager
from typing import Any

import jsonpath_ng.ext
from moto import backends
from moto.core.responses import ActionResult
from moto.dynamodb.responses import DynamoHandler, DynamoResult

from local import patches

# Their answers hold only items, keys, counts and consumed capacity: no timestamps, nothing that needs
# the output shape to be written correctly.
ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
_CONTENT_TYPE = "application/x-amz-json-1.0"  # DynamoDB's JSON protocol version
_ORIGINALS: dict[str, Any] = {}


def _wire(value: Any) -> Any:
    """What moto's JSON serializer writes for a value of an item answer, without the shapes."""
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [_wire(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def _serialized(self: DynamoHandler, action_result: ActionResult) -> Any:
    if (
        type(action_result) in (ActionResult, DynamoResult)
        and not isinstance(action_result.result, Exception)
        and self._get_action() in ITEM_OPERATIONS
    ):
        headers = {"Content-Type": _CONTENT_TYPE, **self.response_headers}
        return 200, headers, json.dumps(_wire(action_result.result), separators=(",", ":"))
    return _ORIGINALS["serialized"](self, action_result)


def install() -> None:
    """Patch moto (idempotent)."""
    if _ORIGINALS:
        return
    _ORIGINALS["serialized"] = DynamoHandler.serialized  # BaseResponse's: DynamoHandler has none of its own
    DynamoHandler.serialized = _serialized  # type: ignore[method-assign,assignment]
    _ORIGINALS["jsonpath_parse"] = jsonpath_ng.ext.parse
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=512)(jsonpath_ng.ext.parse)
    _ORIGINALS["list_of_moto_modules"] = backends.list_of_moto_modules
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


def uninstall() -> None:
    if not _ORIGINALS:
        return
    _ORIGINALS.pop("serialized")
    del DynamoHandler.serialized  # back to BaseResponse's
    jsonpath_ng.ext.parse = _ORIGINALS.pop("jsonpath_parse")
    backends.list_of_moto_modules = _ORIGINALS.pop("list_of_moto_modules")


def installed() -> AbstractContextManager[None]:
    """Patched for the duration (tests); leaves an earlier ``install()`` in place."""
    return patches.installed(install, uninstall, active=bool(_ORIGINALS))
