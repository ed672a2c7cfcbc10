"""``local.moto_fast``: the local stack's moto answers exactly as before, only sooner.

Each test runs the same requests on moto as shipped and on the patched moto, and compares what botocore
parsed (the SDK's view, as every handler sees it): every attribute type, empty and missing answers,
pagination keys, consumed capacity, errors, and the events EventBridge hands to SQS."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from local import moto_fast
from oshi.kernel.aws import client

TABLE = "fast-test"

EVERY_TYPE = {
    "pk": {"S": "p1"},
    "sk": {"S": "a"},
    "g": {"S": "gsi"},
    "n": {"N": "-12.50"},
    "b": {"B": b"\x00\xffbytes"},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01", b"\x02\x03"]},
    "m": {"M": {"inner": {"B": b"\x10"}, "list": {"L": [{"S": "s"}, {"N": "3"}, {"NULL": True}]}}},
    "l": {"L": [{"BOOL": False}, {"M": {}}]},
    "nul": {"NULL": True},
    "yes": {"BOOL": True},
    "empty_s": {"S": ""},
}


def _without_metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


def _create_table(ddb: Any) -> None:
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _item_requests(ddb: Any) -> list[Any]:
    """Every item operation the code uses, with the answers' variants; returns what botocore parsed."""
    key = {"pk": {"S": "p1"}, "sk": {"S": "a"}}
    answers: list[Any] = []

    def call(request: Callable[[], dict[str, Any]]) -> None:
        try:
            answers.append(_without_metadata(request()))
        except ClientError as error:
            answers.append(
                (
                    "error",
                    error.response["Error"],
                    error.response.get("Item"),
                    error.response.get("CancellationReasons"),
                )
            )

    total = {"ReturnConsumedCapacity": "TOTAL"}
    put_new_f = {
        "Put": {
            "TableName": TABLE,
            "Item": {**EVERY_TYPE, "sk": {"S": "f"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }  # twice: written, then cancelled as it exists
    call(lambda: ddb.put_item(TableName=TABLE, Item=EVERY_TYPE, **total))
    for sk in "bcd":
        call(lambda sk=sk: ddb.put_item(TableName=TABLE, Item={**EVERY_TYPE, "sk": {"S": sk}}))
    call(lambda: ddb.put_item(TableName=TABLE, Item={**EVERY_TYPE, "n": {"N": "1"}}, ReturnValues="ALL_OLD"))
    call(lambda: ddb.get_item(TableName=TABLE, Key=key, ConsistentRead=True, **total))
    call(lambda: ddb.get_item(TableName=TABLE, Key={"pk": {"S": "none"}, "sk": {"S": "a"}}))
    call(lambda: ddb.get_item(TableName=TABLE, Key=key, ProjectionExpression="b, m.inner, l[0]"))
    call(
        lambda: ddb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="ADD n :one SET yes = :no REMOVE nul",
            ExpressionAttributeValues={":one": {"N": "1"}, ":no": {"BOOL": False}},
            ReturnValues="ALL_NEW",
            **total,
        )
    )
    call(
        lambda: ddb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET n = :n",
            ConditionExpression="n = :other",
            ExpressionAttributeValues={":n": {"N": "5"}, ":other": {"N": "999"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    )
    call(
        lambda: ddb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p1"}},
            Limit=2,
            **total,
        )
    )
    call(
        lambda: ddb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "nobody"}},
        )
    )
    call(
        lambda: ddb.query(
            TableName=TABLE,
            IndexName="by-g",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "gsi"}},
            ScanIndexForward=False,
            ReturnConsumedCapacity="INDEXES",
        )
    )
    call(
        lambda: ddb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            Select="COUNT",
            ExpressionAttributeValues={":p": {"S": "p1"}},
        )
    )
    call(
        lambda: ddb.scan(
            TableName=TABLE, FilterExpression="sk <> :a", ExpressionAttributeValues={":a": {"S": "a"}}
        )
    )
    call(
        lambda: ddb.batch_get_item(
            RequestItems={
                TABLE: {"Keys": [key, {"pk": {"S": "none"}, "sk": {"S": "x"}}], "ConsistentRead": True}
            },
            **total,
        )
    )
    call(
        lambda: ddb.batch_write_item(
            RequestItems={
                TABLE: [
                    {"PutRequest": {"Item": {**EVERY_TYPE, "sk": {"S": "e"}}}},
                    {"DeleteRequest": {"Key": {"pk": {"S": "p1"}, "sk": {"S": "d"}}}},
                ]
            }
        )
    )
    call(
        lambda: ddb.transact_get_items(
            TransactItems=[
                {"Get": {"TableName": TABLE, "Key": key}},
                {"Get": {"TableName": TABLE, "Key": {"pk": {"S": "none"}, "sk": {"S": "a"}}}},
            ]
        )
    )
    call(
        lambda: ddb.transact_write_items(
            TransactItems=[
                put_new_f,
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": key,
                        "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"N": "7"}},
                    }
                },
            ],
            **total,
        )
    )
    call(
        lambda: ddb.transact_write_items(
            TransactItems=[
                put_new_f,
            ]
        )
    )
    call(lambda: ddb.delete_item(TableName=TABLE, Key=key, ReturnValues="ALL_OLD"))
    call(lambda: ddb.delete_item(TableName=TABLE, Key=key, ReturnValues="ALL_OLD"))
    call(lambda: {"KeySchema": ddb.describe_table(TableName=TABLE)["Table"]["KeySchema"]})  # not an item one
    return answers


def test_every_dynamodb_item_answer_parses_the_same_as_with_moto_as_shipped(aws: None) -> None:
    ddb = client("dynamodb")
    _create_table(ddb)
    shipped = _item_requests(ddb)
    ddb.delete_table(TableName=TABLE)
    _create_table(ddb)
    with moto_fast.installed():
        fast = _item_requests(ddb)
    assert fast == shipped
    # the comparison saw what it was meant to: binary values, an empty answer, an error with the old item
    assert shipped[5]["Item"]["bs"] == {"BS": [b"\x01", b"\x02\x03"]}
    assert shipped[6] == {}
    assert shipped[9][1]["Code"] == "ConditionalCheckFailedException"
    assert shipped[10]["LastEvaluatedKey"] == {"pk": {"S": "p1"}, "sk": {"S": "b"}}


def test_the_patch_is_undone_by_uninstall(aws: None) -> None:
    from moto.core.responses import BaseResponse
    from moto.dynamodb.responses import DynamoHandler

    with moto_fast.installed():
        assert DynamoHandler.serialized is not BaseResponse.serialized
    assert DynamoHandler.serialized is BaseResponse.serialized


def test_events_reach_sqs_with_the_same_body(aws: None) -> None:
    sqs, events = client("sqs"), client("events")
    queue_url = sqs.create_queue(QueueName="fast-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all", EventPattern=json.dumps({"source": ["oshi.test"]}))
    events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": arn}])
    detail = {"order_id": "o1", "draws": [1, 2], "nested": {"yen": 300}}

    def one_body() -> dict[str, Any]:
        events.put_events(Entries=[{"Source": "oshi.test", "DetailType": "T", "Detail": json.dumps(detail)}])
        message = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"][0]
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        body = json.loads(message["Body"])
        return {key: value for key, value in body.items() if key not in ("id", "time")}

    shipped = one_body()
    with moto_fast.installed():
        fast = [one_body(), one_body()]  # the second reuses the cached JSONPath
    assert shipped["detail"] == detail
    assert fast == [shipped, shipped]
