"""A labelled TransactWrite: which named condition failed, without counting positions by hand.

PynamoDB sends a transaction's actions grouped as condition checks, deletes, puts, then updates, and
DynamoDB reports one cancellation reason per action in that order. ``Txn`` keeps a label per action in
the same order, so a cancelled transaction raises ``ConditionsFailed`` with the labels that failed; the
caller turns those into domain errors (never by matching message text).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from oshi.kernel.settings import get_settings

MAX_ACTIONS = 100


@cache
def _connection(region: str) -> Connection:
    """One PynamoDB connection per region, reused (a new one builds a botocore client: ~0.3 s)."""
    return Connection(region=region)


class ConditionsFailed(Exception):
    def __init__(self, labels: set[str]):
        self.labels = labels
        super().__init__(f"transaction conditions failed: {sorted(labels)}")


class Txn:
    def __init__(self) -> None:
        self._groups: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}
        self._ops: list[Callable[[TransactWrite], None]] = []
        self.committed = False

    def _add(self, group: str, label: str, op: Callable[[TransactWrite], None]) -> None:
        self._groups[group].append(label)
        self._ops.append(op)

    def check(
        self, label: str, model_cls: type[Model], hash_key: Any, range_key: Any, condition: Condition
    ) -> None:
        self._add(
            "check", label, lambda t: t.condition_check(model_cls, hash_key, range_key, condition=condition)
        )

    def put(self, label: str, model: Model, condition: Condition | None = None) -> None:
        self._add("put", label, lambda t: t.save(model, condition=condition))

    def update(
        self, label: str, model: Model, actions: list[Any], condition: Condition | None = None
    ) -> None:
        self._add("update", label, lambda t: t.update(model, actions=actions, condition=condition))

    def delete(self, label: str, model: Model, condition: Condition | None = None) -> None:
        self._add("delete", label, lambda t: t.delete(model, condition=condition))

    def __len__(self) -> int:
        return len(self._ops)

    def commit(self) -> None:
        if len(self._ops) > MAX_ACTIONS:
            raise ValueError(f"a transaction holds at most {MAX_ACTIONS} actions, not {len(self._ops)}")
        try:
            with TransactWrite(connection=_connection(get_settings().region)) as transaction:
                for op in self._ops:
                    op(transaction)
            self.committed = True
        except TransactWriteError as exc:
            order = [label for group in ("check", "delete", "put", "update") for label in self._groups[group]]
            failed = {
                label
                for label, reason in zip(order, exc.cancellation_reasons or [], strict=False)
                if reason is not None and reason.code == "ConditionalCheckFailed"
            }
            if failed:
                raise ConditionsFailed(failed) from exc
            raise
