"""DynamoDB tables, one per PynamoDB model, derived from ``oshi.models.base.table_spec``."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, IConstruct

from infra.constructs.nag import acknowledge
from oshi.models import all_models
from oshi.models.base import KeyAttr, TableSpec, table_spec
from oshi.settings import Settings

_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
# What grant_read_write_data gives, minus the stream actions (no table has a stream).
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

    def grant_read_write(self, grantee: iam.IGrantable, scope: IConstruct) -> None:
        """Every table, read and write. TODO: scope per route once routes declare the tables they use.

        ``scope`` (the function) carries the acknowledgments of the wildcards such a grant must have."""
        # One statement for all tables (a grant per table repeats the KMS statement and overflows the
        # role's inline policy size limit into extra managed policies).
        stack = Stack.of(self)
        resources: list[str] = []
        for table in self.tables.values():
            resources.append(table.table_arn)
            if self.specs_by_table[table.node.id].indexes:
                resources.append(f"{table.table_arn}/index/*")
                logical_id = stack.resolve(stack.get_logical_id(table.node.default_child))  # type: ignore[arg-type]
                acknowledge(
                    scope,
                    f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/index/*]",
                    "Queries on the table's own global secondary indexes; index names are part of the "
                    "model (oshi.models), '/index/*' never reaches another table.",
                )
        iam.Grant.add_to_principal(grantee=grantee, actions=TABLE_READ_WRITE, resource_arns=resources)
        iam.Grant.add_to_principal(grantee=grantee, actions=KEY_USE, resource_arns=[self.key.key_arn])
        for action in ("kms:GenerateDataKey*", "kms:ReEncrypt*"):
            acknowledge(
                scope,
                f"AwsSolutions-IAM5[Action::{action}]",
                "Data-key actions CDK grants for tables encrypted with the stack's customer-managed key; "
                "the resource is that one key.",
            )
