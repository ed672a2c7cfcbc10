"""Create every AWS resource the handlers use, from the same definitions the CDK stack reads.

Used by the local stack (against the moto server) and by the tests (against in-process moto). Safe to
run twice: existing resources are left as they are.
"""

from __future__ import annotations

import json
from typing import Any

from oshi.identity.mfa import key_secret_name as mfa_key_secret_name
from oshi.identity.mfa import new_key_secret_value as new_mfa_key_secret_value
from oshi.identity.refresh_tokens import key_secret_name as refresh_key_secret_name
from oshi.identity.tokens import generate_key_pair, key_secrets
from oshi.kernel.aws import client
from oshi.kernel.settings import Settings
from oshi.models import all_models
from oshi.models.base import TableSpec, table_spec
from oshi.web import topology

LOCAL_KID = "local-1"


def _attribute_definitions(spec: TableSpec) -> list[dict[str, str]]:
    attrs = {spec.hash_key.name: spec.hash_key.type}
    if spec.range_key:
        attrs[spec.range_key.name] = spec.range_key.type
    for index in spec.indexes:
        attrs[index.hash_key.name] = index.hash_key.type
        if index.range_key:
            attrs[index.range_key.name] = index.range_key.type
    return [{"AttributeName": name, "AttributeType": kind} for name, kind in attrs.items()]


def _key_schema(hash_name: str, range_name: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name:
        schema.append({"AttributeName": range_name, "KeyType": "RANGE"})
    return schema


def create_table(spec: TableSpec) -> None:
    dynamodb = client("dynamodb")
    if spec.table_name in dynamodb.list_tables()["TableNames"]:
        return
    kwargs: dict[str, Any] = {
        "TableName": spec.table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": _attribute_definitions(spec),
        "KeySchema": _key_schema(spec.hash_key.name, spec.range_key.name if spec.range_key else None),
    }
    if spec.indexes:
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(
                    index.hash_key.name, index.range_key.name if index.range_key else None
                ),
                "Projection": {"ProjectionType": index.projection},
            }
            for index in spec.indexes
        ]
    dynamodb.create_table(**kwargs)
    if spec.ttl_attribute:
        dynamodb.update_time_to_live(
            TableName=spec.table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
        )


def create_events(settings: Settings) -> dict[str, str]:
    """The bus, and for each consumer its queue, DLQ (redrive after N receives) and rule. Returns queue URLs."""
    events, sqs = client("events"), client("sqs")
    if settings.bus_name not in [bus["Name"] for bus in events.list_event_buses()["EventBuses"]]:
        events.create_event_bus(Name=settings.bus_name)
    urls = {}
    for consumer in topology.CONSUMERS:
        dlq_url = sqs.create_queue(QueueName=settings.queue_name(f"{consumer.queue}-dlq"))["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        url = sqs.create_queue(
            QueueName=settings.queue_name(consumer.queue),
            Attributes={
                "VisibilityTimeout": str(consumer.visibility_timeout_seconds),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": consumer.max_receive_count}
                ),
            },
        )["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        rule = settings.queue_name(f"{consumer.queue}-rule")
        events.put_rule(
            Name=rule,
            EventBusName=settings.bus_name,
            EventPattern=json.dumps(
                {"source": [settings.event_source], "detail-type": list(consumer.detail_types)}
            ),
        )
        events.put_targets(
            Rule=rule, EventBusName=settings.bus_name, Targets=[{"Id": consumer.queue, "Arn": arn}]
        )
        urls[consumer.queue] = url
    return urls


def create_bucket(settings: Settings) -> None:
    s3 = client("s3")
    existing = [bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])]
    if settings.content_bucket not in existing:
        s3.create_bucket(
            Bucket=settings.content_bucket,
            CreateBucketConfiguration={"LocationConstraint": settings.region},
        )


def create_secrets(settings: Settings) -> None:
    """JWT keys generated into the (emulated) Secrets Manager, as the deploy guide asks deployers to do."""
    secrets = client("secretsmanager")
    existing = {s["Name"] for s in secrets.list_secrets().get("SecretList", [])}
    if mfa_key_secret_name(settings) not in existing:  # the TOTP secrets' data key (oshi.identity.mfa)
        secrets.create_secret(Name=mfa_key_secret_name(settings), SecretString=new_mfa_key_secret_value())
    if refresh_key_secret_name(settings) not in existing:  # derives refresh-token successors
        secrets.create_secret(
            Name=refresh_key_secret_name(settings), SecretString=new_mfa_key_secret_value("refresh-1")
        )
    if settings.jwt_private_keys_secret in existing:
        return
    private_value, public_value = key_secrets(LOCAL_KID, *generate_key_pair())
    secrets.create_secret(Name=settings.jwt_private_keys_secret, SecretString=private_value)
    secrets.create_secret(Name=settings.jwt_public_keys_secret, SecretString=public_value)


def create_payment_secrets(settings: Settings) -> None:
    """The providers' API keys and webhook secrets: the stand-ins' documented local defaults."""
    from local.standins.defaults import secret_documents

    secrets = client("secretsmanager")
    existing = {s["Name"] for s in secrets.list_secrets().get("SecretList", [])}
    for attribute, document in secret_documents().items():
        name = getattr(settings, attribute)
        if name not in existing:
            secrets.create_secret(Name=name, SecretString=document)


def create_fairness_key(settings: Settings) -> None:
    """The KMS key (by alias) that encrypts the gachas' server seeds (oshi.draw.fairness_store)."""
    kms = client("kms")
    aliases = {a["AliasName"] for a in kms.list_aliases().get("Aliases", [])}
    if settings.fairness_key_alias not in aliases:
        key_id = kms.create_key(Description="oshi gacha server seeds")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=settings.fairness_key_alias, TargetKeyId=key_id)


def create_mail_identity(settings: Settings) -> None:
    """The SES sending identity (moto's: nothing leaves the machine; ``local.mailbox`` lists what was sent)."""
    ses = client("sesv2")
    existing = {i["IdentityName"] for i in ses.list_email_identities().get("EmailIdentities", [])}
    if settings.mail_from not in existing:
        ses.create_email_identity(EmailIdentity=settings.mail_from)


def provision(settings: Settings) -> dict[str, str]:
    for model in all_models():
        create_table(table_spec(model))
    create_bucket(settings)
    create_secrets(settings)
    create_fairness_key(settings)
    create_payment_secrets(settings)
    create_mail_identity(settings)
    return create_events(settings)
