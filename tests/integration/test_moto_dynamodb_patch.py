"""``local.moto_dynamodb``: the patch the local stack (and ``atomic_moto``) runs moto's DynamoDB with.

Transactions snapshot only the items they touch (moto deep-copied whole tables per transaction item:
the local stack reached 17.7 GB), a cancelled one restores exactly those items, and concurrent requests
no longer raise "dictionary changed size during iteration" inside moto."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models.table import Table

from local import moto_dynamodb
from oshi.kernel.aws import client

TABLE = "patch-test"


@pytest.fixture
def ddb(aws: None) -> Iterator[Any]:
    with moto_dynamodb.installed():
        dynamodb = client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield dynamodb


def _put(ddb: Any, pk: str, n: int) -> None:
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": pk}, "n": {"N": str(n)}})


def _n(ddb: Any, pk: str) -> int | None:
    item = ddb.get_item(TableName=TABLE, Key={"pk": {"S": pk}}, ConsistentRead=True).get("Item")
    return int(item["n"]["N"]) if item else None


def test_a_transaction_never_copies_a_table(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(50):
        _put(ddb, f"row-{i}", i)

    def refuse(self: Table, memo: Any) -> Table:
        raise AssertionError("a whole table was deep-copied")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"pk": {"S": "row-1"}},
                    "UpdateExpression": "SET n = :n",
                    "ExpressionAttributeValues": {":n": {"N": "100"}},
                }
            },
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "new"}, "n": {"N": "7"}}}},
        ]
    )
    assert (_n(ddb, "row-1"), _n(ddb, "new")) == (100, 7)


def test_a_cancelled_transaction_restores_exactly_the_items_it_touched(ddb: Any) -> None:
    _put(ddb, "updated", 1)
    _put(ddb, "deleted", 2)
    _put(ddb, "guard", 3)
    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "updated"}},
                        "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "created"}, "n": {"N": "9"}}}},
                {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "deleted"}}}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "guard"}},
                        "ConditionExpression": "n = :four",
                        "ExpressionAttributeValues": {":four": {"N": "4"}},
                    }
                },
            ]
        )
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert [_n(ddb, pk) for pk in ("updated", "created", "deleted", "guard")] == [1, None, 2, 3]


def test_concurrent_transactions_and_scans_are_atomic_and_raise_no_internal_error(ddb: Any) -> None:
    """A counter raised by conditional transactions from 6 threads while 2 threads scan: every
    transaction either applies or is cancelled by its condition, the counter equals the applied ones,
    and nothing fails inside moto (unpatched: 'dictionary changed size during iteration')."""
    _put(ddb, "counter", 0)
    for i in range(200):
        _put(ddb, f"filler-{i}", i)
    applied = []
    failures: list[str] = []
    stop = threading.Event()

    def bump(i: int) -> None:
        for _ in range(3):
            current = _n(ddb, "counter")
            try:
                ddb.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": TABLE,
                                "Key": {"pk": {"S": "counter"}},
                                "UpdateExpression": "SET n = :next",
                                "ConditionExpression": "n = :current",
                                "ExpressionAttributeValues": {
                                    ":current": {"N": str(current)},
                                    ":next": {"N": str((current or 0) + 1)},
                                },
                            }
                        },
                        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"log-{i}-{_}"}, "n": {"N": "1"}}}},
                    ]
                )
                applied.append(i)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    failures.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - an internal error of moto surfaces in-process
                failures.append(f"{type(exc).__name__}: {exc}")

    def scan() -> None:
        while not stop.is_set():
            try:
                ddb.scan(TableName=TABLE)
            except Exception as exc:  # noqa: BLE001 - counted, the test fails on any
                failures.append(f"{type(exc).__name__}: {exc}")

    scanners = [threading.Thread(target=scan) for _ in range(2)]
    for thread in scanners:
        thread.start()
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(bump, range(60)))
    stop.set()
    for thread in scanners:
        thread.join()
    assert failures == []
    assert _n(ddb, "counter") == len(applied) > 0
    logs = [i for i in ddb.scan(TableName=TABLE)["Items"] if i["pk"]["S"].startswith("log-")]
    assert len(logs) == len(applied)  # no transaction half-applied


def test_reads_never_serialise_an_item_that_a_concurrent_update_is_changing(ddb: Any) -> None:
    """moto's GetItem returns the live item and the response layer serialises it after the backend call:
    an UpdateItem adding attributes in place meanwhile raised "dictionary changed size during iteration"
    (seen in CI on concurrent refresh-token rotations). The patch holds the lock for the whole request."""
    _put(ddb, "wide", 0)
    failures: list[str] = []
    stop = threading.Event()

    def widen() -> None:
        for i in range(400):
            ddb.update_item(
                TableName=TABLE,
                Key={"pk": {"S": "wide"}},
                UpdateExpression="SET #a = :v REMOVE #old",
                ExpressionAttributeNames={"#a": f"a{i}", "#old": f"a{i - 1}"},
                ExpressionAttributeValues={":v": {"M": {f"k{j}": {"N": str(j)} for j in range(20)}}},
            )
        stop.set()

    def read() -> None:
        while not stop.is_set():
            try:
                ddb.get_item(TableName=TABLE, Key={"pk": {"S": "wide"}}, ConsistentRead=True)
            except Exception as exc:  # noqa: BLE001 - an internal error of moto surfaces in-process
                failures.append(f"{type(exc).__name__}: {exc}")
                return

    with ThreadPoolExecutor(max_workers=4) as pool:
        readers = [pool.submit(read) for _ in range(3)]
        pool.submit(widen).result()
        for reader in readers:
            reader.result()
    assert failures == []
