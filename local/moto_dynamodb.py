"""moto's DynamoDB made atomic and bounded for the local stack and the tests (``install()``).

Two problems of moto 5's in-memory DynamoDB, both hit by ``make run`` under load:

- ``DynamoDBBackend.transact_write_items`` backs up, for rollback, a ``copy.deepcopy`` of the WHOLE table
  of every item in the transaction. A fulfilment transaction touches ~10 items in 6 tables, so each
  one copied those tables entirely: cost grew with the data, and the local stack reached 17.7 GB after
  ~1,000 paid orders.
- Nothing is locked. The gateway, the pump and moto's own server threads call the backend at once: a
  transaction could interleave with another write between its condition check and its write, and a
  deepcopy or a scan iterating a table that another thread was changing raised "dictionary changed
  size during iteration" (a 500 the SDK retried).

``install()`` replaces ``transact_write_items`` with the same algorithm (the same checks, errors and
cancellation reasons; the loop follows moto 5.2's, Apache-2.0) that snapshots only the items it touches
and restores just those on cancellation, and serialises every backend call that reads or writes items
with one re-entrant lock. DynamoDB applies each request atomically; this makes moto do the same. The
local stack installs it at start (``local.__main__``); the tests' ``atomic_moto`` fixture too.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler

from local import patches

LOCK = threading.RLock()
# Every DynamoDBBackend method that reads or writes items: one request at a time, as DynamoDB is atomic
# per request (reads iterate the table dicts, which a concurrent write would change under them).
LOCKED_METHODS = (
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
)  # BatchGetItem, BatchWriteItem and TransactGetItems are built from these in moto's responses.py
# The backend hands its live items to the response layer, which serialises them after the backend call
# returned: a GetItem could iterate an item that a concurrent UpdateItem was changing in place. So the
# whole request, from parsing to the serialised answer, holds the lock too.
_ORIGINALS: dict[str, Any] = {}


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with LOCK:
        # (table, hash, range, the item as it was) for each item written, in order: the rollback.
        touched: list[tuple[Any, Any, Any, Any]] = []
        seen: set[tuple[str, str]] = set()

        def rollback() -> None:
            for table, hash_value, range_value, before in reversed(touched):
                if before is None:
                    table.delete_item(hash_value, range_value)
                elif range_value is not None:
                    table.items[hash_value][range_value] = before
                else:
                    table.items[hash_value] = before

        errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
        for item in transact_items:
            original_item: dict[str, Any] | None = None
            if len(list(item.keys())) > 1:
                raise TransactWriteSingleOpException
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                condition_expression = op.get("ConditionExpression")
                names = op.get("ExpressionAttributeNames")
                values = op.get("ExpressionAttributeValues")
                table = self.get_table(table_name)
                if op_type == "Put":
                    attrs = op["Item"]
                    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = attrs[table.range_key_attr]
                else:
                    key = op["Key"]
                unique = (str(table_name), str(dict(sorted(key.items()))))
                if unique in seen:
                    raise MultipleTransactionsException()
                seen.add(unique)

                current = self.get_item(table_name, key)
                if condition_expression is not None:
                    condition = get_filter_expression(condition_expression, names, values)
                    if not condition.expr(current):
                        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                            original_item = current.to_json()["Attributes"]
                        raise ConditionalCheckFailed(item=original_item)
                if op_type != "ConditionCheck":
                    hash_value, range_value = self.get_keys_value(table, key)
                    # One item's copy (update_item changes the item in place), not the table's.
                    touched.append((table, hash_value, range_value, copy.deepcopy(current)))
                conditions = {
                    "condition_expression": condition_expression,
                    "expression_attribute_names": names,
                    "expression_attribute_values": values,
                }
                if op_type == "Put":
                    self.put_item(table_name, op["Item"], **conditions)
                elif op_type == "Delete":
                    self.delete_item(table_name, key, **conditions)
                elif op_type == "Update":
                    self.update_item(table_name, key, update_expression=op["UpdateExpression"], **conditions)
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                rollback()
                raise
            except ConditionalCheckFailed as exc:
                errors.append(("ConditionalCheckFailed", str(exc.message), original_item))
            except Exception as exc:  # noqa: BLE001 - moto reports every other failure as a cancellation reason
                errors.append((type(exc).__name__, str(exc), original_item))
        if any(code is not None for code, _, _ in errors):
            rollback()
            raise TransactionCanceledException(errors)


def _locked(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return original(self, *args, **kwargs)

    return locked


def install() -> None:
    """Patch moto's DynamoDB backend (idempotent)."""
    if _ORIGINALS:
        return
    _ORIGINALS["transact_write_items"] = DynamoDBBackend.transact_write_items
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    for name in LOCKED_METHODS:
        _ORIGINALS[name] = getattr(DynamoDBBackend, name)
        setattr(DynamoDBBackend, name, _locked(_ORIGINALS[name]))
    _ORIGINALS["handler.call_action"] = DynamoHandler.call_action
    DynamoHandler.call_action = _locked(DynamoHandler.call_action)  # type: ignore[method-assign]


def uninstall() -> None:
    for name, original in _ORIGINALS.items():
        if name.startswith("handler."):
            setattr(DynamoHandler, name.removeprefix("handler."), original)
        else:
            setattr(DynamoDBBackend, name, original)
    _ORIGINALS.clear()


def installed() -> AbstractContextManager[None]:
    """Patched for the duration (tests); leaves an earlier ``install()`` in place."""
    return patches.installed(install, uninstall, active=bool(_ORIGINALS))
