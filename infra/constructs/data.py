"""DynamoDB tables, one per PynamoDB model, derived from ``oshi.models.base.table_spec``."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, IConstruct

from infra.constructs.nag import acknowledge
from infra.permissions import Needs
from oshi.kernel.settings import Settings
from oshi.models import all_models
from oshi.models.base import KeyAttr, TableSpec, table_spec

_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
# What grant_read_write_data gives, minus the stream actions (only the audit outbox has a stream, read
# by its chainer through the event source mapping's own grant).
TABLE_READ_WRITE = [
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
]
TABLE_READ = [
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
]
AUDIT_TABLE = "audit"
AUDIT_OUTBOX_TABLE = "audit-outbox"  # where writers put entries; the chainer appends them to AUDIT_TABLE
AUDIT_RECORD = ["dynamodb:PutItem", "dynamodb:ConditionCheckItem"]
# PutItem (alone or inside a transaction) to append, reads to show it; never changed or removed.
AUDIT_APPEND = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"]
AUDIT_FORBIDDEN = ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
KEY_READ = ["kms:Decrypt", "kms:DescribeKey"]
KEY_USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
_PROJECTIONS = {"ALL": dynamodb.ProjectionType.ALL, "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY}


def _attr(key: KeyAttr | None) -> dynamodb.Attribute | None:
    return None if key is None else dynamodb.Attribute(name=key.name, type=_TYPES[key.type])


class Data(Construct):
    """The tables (on-demand, PITR, customer-managed KMS key) and the key itself."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings) -> None:
        super().__init__(scope, construct_id)
        prod = settings.stage == "prod"
        removal = RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY
        self.key = kms.Key(
            self,
            "DataKey",
            alias=f"alias/{settings.prefix}-data",
            description="oshi: encryption at rest for tables, bucket, queues and topics",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        # Encrypts each gacha's server seed until it is revealed (oshi.draw.fairness_store, issue 11): its own
        # key, so reading tables never implies reading unrevealed seeds.
        self.seed_key = kms.Key(
            self,
            "FairnessSeedKey",
            alias=settings.fairness_key_alias,
            description="oshi: server seeds of provably fair draws (encrypted until revealed)",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        self.specs: dict[str, TableSpec] = {}
        self.tables: dict[str, dynamodb.Table] = {}
        self.specs_by_table: dict[str, TableSpec] = {}
        for model in all_models():
            spec = table_spec(model)
            table = dynamodb.Table(
                self,
                "".join(part.capitalize() for part in spec.short_name.split("-")) + "Table",
                # Not spec.table_name: that one is bound to the environment the models were imported in.
                table_name=settings.table_name(spec.short_name),
                partition_key=_attr(spec.hash_key),
                sort_key=_attr(spec.range_key),
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                encryption_key=self.key,
                deletion_protection=prod,
                removal_policy=removal,
                time_to_live_attribute=spec.ttl_attribute,
                # The audit outbox's inserts trigger the chainer (infra/constructs/events.py): keys only.
                stream=dynamodb.StreamViewType.KEYS_ONLY if spec.short_name == AUDIT_OUTBOX_TABLE else None,
            )
            for index in spec.indexes:
                table.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=_attr(index.hash_key),
                    sort_key=_attr(index.range_key),
                    projection_type=_PROJECTIONS[index.projection],
                )
            self.specs[spec.short_name] = spec
            self.tables[spec.short_name] = table
            self.specs_by_table[table.node.id] = spec

    @staticmethod
    def table_names() -> set[str]:
        return {table_spec(model).short_name for model in all_models()}

    def grant(self, grantee: iam.IGrantable, scope: IConstruct, needs: Needs) -> None:
        """The tables ``needs`` names (read or read-write), the audit log append-only, and the key.

        Index ARNs are named one by one (no ``/index/*``), so no wildcard reaches another index."""
        readable = sorted(needs.read)
        writable = sorted(needs.write)
        if readable:
            iam.Grant.add_to_principal(
                grantee=grantee, actions=TABLE_READ, resource_arns=self._arns(readable)
            )
        if writable:
            iam.Grant.add_to_principal(
                grantee=grantee, actions=TABLE_READ_WRITE, resource_arns=self._arns(writable)
            )
        if needs.audit:
            iam.Grant.add_to_principal(
                grantee=grantee, actions=AUDIT_APPEND, resource_arns=self._arns([AUDIT_TABLE])
            )
            if AUDIT_OUTBOX_TABLE not in writable:  # recording an entry = a put into the outbox
                iam.Grant.add_to_principal(
                    grantee=grantee, actions=AUDIT_RECORD, resource_arns=self._arns([AUDIT_OUTBOX_TABLE])
                )
        if readable or writable or needs.audit:
            write = bool(writable) or needs.audit
            iam.Grant.add_to_principal(
                grantee=grantee, actions=KEY_USE if write else KEY_READ, resource_arns=[self.key.key_arn]
            )
            if write:
                for action in ("kms:GenerateDataKey*", "kms:ReEncrypt*"):
                    acknowledge(
                        scope,
                        f"AwsSolutions-IAM5[Action::{action}]",
                        "Data-key actions CDK grants for tables encrypted with the stack's customer-managed "
                        "key; the resource is that one key.",
                    )
        seed_actions = [f"kms:{action.capitalize()}" for action in sorted(needs.seed_key)]
        if seed_actions:
            iam.Grant.add_to_principal(
                grantee=grantee, actions=seed_actions, resource_arns=[self.seed_key.key_arn]
            )
        # Append-only audit log (issue 10): an explicit deny on every function, so no later grant can
        # allow rewriting history.
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                effect=iam.Effect.DENY,
                actions=AUDIT_FORBIDDEN,
                resources=[self.tables[AUDIT_TABLE].table_arn],
            )
        )

    def _arns(self, short_names: list[str]) -> list[str]:
        arns: list[str] = []
        for name in short_names:
            table = self.tables[name]
            arns.append(table.table_arn)
            arns.extend(f"{table.table_arn}/index/{index.name}" for index in self.specs[name].indexes)
        return arns
