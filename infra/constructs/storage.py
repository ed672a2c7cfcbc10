"""Reward files: a private, KMS-encrypted bucket served only through CloudFront (origin access control)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Names, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from infra.constructs.monitoring import Monitoring
from infra.constructs.nag import acknowledge
from infra.permissions import EXPORTS, ObjectAccess
from oshi.kernel.settings import Settings
from oshi.web import topology

EXPORT_DAYS = 7  # a data export's file (its link lasts one hour: functions/privacy/export.py)


class Storage(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        cdn_public_key_pem: str | None,
        cdn_domain_name: str | None = None,
        cdn_certificate_arn: str | None = None,
        cdn_web_acl_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        prod = settings.stage == "prod"
        removal = RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY
        # Access logs of the bucket and of the distribution. CloudFront standard logging writes with ACLs,
        # hence object-writer ownership; SSE-S3 because log delivery cannot use a customer KMS key.
        self.logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365 if prod else 30))],
            removal_policy=removal,
        )
        acknowledge(
            self.logs,
            "AwsSolutions-S1",
            "This is the access-log bucket itself; logging it to itself would loop.",
        )
        # Its own key: CloudFront's origin access control adds a key-policy statement for the account's
        # distributions (see docs/deploy.md), which must not reach the tables' key.
        self.key = kms.Key(
            self,
            "ContentKey",
            alias=f"alias/{settings.prefix}-content",
            description="oshi: encryption at rest for reward files",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        self.bucket = s3.Bucket(
            self,
            "Content",
            # Bucket names are global: account and region make it unique (settings.content_bucket_name
            # reaches the functions through OSHI_CONTENT_BUCKET_NAME, set by the stack).
            bucket_name=content_bucket_name(self, settings),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="s3/content/",
            # A data export is a copy of a fan's personal data, wanted for an hour (its link): kept no
            # longer than a week, and its versions (the bucket is versioned) deleted a day after that.
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireDataExports",
                    prefix=EXPORTS,
                    expiration=Duration.days(EXPORT_DAYS),
                    noncurrent_version_expiration=Duration.days(1),
                )
            ],
            removal_policy=removal,
        )
        trusted_key_groups: list[cloudfront.IKeyGroup] = []
        self.key_group: cloudfront.KeyGroup | None = None
        self.public_key: cloudfront.PublicKey | None = None
        if cdn_public_key_pem:
            self.public_key = cloudfront.PublicKey(
                self,
                "SigningPublicKey",
                encoded_key=cdn_public_key_pem,
                comment="Verifies the reward service's CloudFront signed URLs",
            )
            self.key_group = cloudfront.KeyGroup(self, "SigningKeyGroup", items=[self.public_key])
            trusted_key_groups.append(self.key_group)
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy="default-src 'none'; frame-ancestors 'none'", override=True
                ),
            ),
        )
        origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        self.distribution = cloudfront.Distribution(
            self,
            "Cdn",
            comment=f"oshi {settings.stage}: reward downloads (signed URLs)",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                trusted_key_groups=trusted_key_groups or None,
            ),
            # Prize previews (oshi.catalogue.previews) are public: unsigned and cached. Only previews/ is;
            # reward files elsewhere in the bucket still need a signed URL.
            additional_behaviors={
                "previews/*": cloudfront.BehaviorOptions(
                    origin=origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                    response_headers_policy=headers,
                )
            },
            **_custom_domain(self, cdn_domain_name, cdn_certificate_arn),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            # A CloudFront web ACL lives in us-east-1 (the Oshi-<stage>-edge stack); its ARN comes in
            # through context cdn_web_acl_arn (docs/deploy.md).
            web_acl_id=cdn_web_acl_arn,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # includes Japan and Asia
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix="cloudfront/",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "Fans may download what they bought from anywhere; no geo restriction.",
        )
        if not cdn_web_acl_arn:
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR2",
                "The CloudFront web ACL is the us-east-1 stack Oshi-<stage>-edge; until its ARN is passed "
                "as context cdn_web_acl_arn (docs/deploy.md, step 2) downloads are still limited to "
                "CloudFront signed URLs issued by the authenticated API.",
            )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "No custom domain yet: the default cloudfront.net certificate cannot pin "
            "TLS 1.2; with context cdn_domain_name + cdn_certificate_arn the stack sets TLS_V1_2_2021.",
        )

    def wire_upload_validation(
        self, settings: Settings, monitoring: Monitoring, function: lambda_.Function
    ) -> None:
        """S3 ObjectCreated under ``uploads/`` -> SQS (with a DLQ) -> the validator (oshi.web.topology).

        Set on the bucket's own CloudFormation properties rather than with ``add_event_notification``,
        which would add a CDK-internal Lambda; the queue policy names the bucket by its (known) ARN so
        there is no dependency cycle, and the bucket waits for the policy."""
        consumer = topology.UPLOAD_VALIDATION
        removal = RemovalPolicy.RETAIN if settings.stage == "prod" else RemovalPolicy.DESTROY
        self.upload_dlq = sqs.Queue(
            self,
            "UploadValidationDlq",
            queue_name=settings.queue_name(f"{consumer.queue}-dlq"),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=removal,
        )
        self.upload_queue = sqs.Queue(
            self,
            "UploadValidationQueue",
            queue_name=settings.queue_name(consumer.queue),
            encryption=sqs.QueueEncryption.SQS_MANAGED,  # S3 may send to SSE-SQS queues without a key policy
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(consumer.visibility_timeout_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.upload_dlq, max_receive_count=consumer.max_receive_count
            ),
            removal_policy=removal,
        )
        stack = Stack.of(self)
        bucket_arn = f"arn:{stack.partition}:s3:::{content_bucket_name(self, settings)}"
        self.upload_queue.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.upload_queue.queue_arn],
                conditions={
                    "ArnEquals": {"aws:SourceArn": bucket_arn},
                    "StringEquals": {"aws:SourceAccount": stack.account},
                },
            )
        )
        cfn_bucket: s3.CfnBucket = self.bucket.node.default_child  # type: ignore[assignment]
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[
                s3.CfnBucket.QueueConfigurationProperty(
                    event="s3:ObjectCreated:*",
                    queue=self.upload_queue.queue_arn,
                    filter=s3.CfnBucket.NotificationFilterProperty(
                        s3_key=s3.CfnBucket.S3KeyFilterProperty(
                            rules=[
                                s3.CfnBucket.FilterRuleProperty(
                                    name="prefix", value=topology.UPLOAD_EVENTS_PREFIX
                                )
                            ]
                        )
                    ),
                )
            ]
        )
        policy = self.upload_queue.node.try_find_child("Policy")
        if policy is not None:
            self.bucket.node.add_dependency(policy)
        function.add_event_source(
            sources.SqsEventSource(
                self.upload_queue, batch_size=consumer.batch_size, report_batch_item_failures=True
            )
        )
        monitoring.alarm(
            self,
            "UploadValidationDlqAlarm",
            metric=self.upload_dlq.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
            description=f"{settings.queue_name(consumer.queue)}: uploads that could not be validated (DLQ)",
        )
        monitoring.alarm(
            self,
            "UploadValidationBacklogAlarm",
            metric=self.upload_queue.metric_approximate_age_of_oldest_message(period=Duration.minutes(5)),
            threshold=600,
            description=f"{settings.queue_name(consumer.queue)}: uploads waiting over 10 minutes for validation",
        )

    def grant_prefix(self, grantee: iam.IGrantable, scope: IConstruct, access: ObjectAccess) -> None:
        """``access.actions`` on the objects under one key prefix, and the content key as they need it."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(access.actions),
            resource_arns=[self.bucket.arn_for_objects(f"{access.prefix}*")],
        )
        key_actions = []
        if "s3:GetObject" in access.actions:
            key_actions.append("kms:Decrypt")
        if "s3:PutObject" in access.actions:
            key_actions.append("kms:GenerateDataKey")
        if key_actions:
            self.key.grant(grantee, *key_actions)
        acknowledge(
            scope,
            f"AwsSolutions-IAM5[Resource::<{self._bucket_arn_as_seen_from(scope)}>/{access.prefix}*]",
            f"Objects under {access.prefix} only (infra/permissions.py); keys are per-VTuber/per-asset ids "
            "chosen at runtime.",
        )

    def _bucket_arn_as_seen_from(self, scope: IConstruct) -> str:
        """How the bucket's ARN appears in ``scope``'s template (cdk-nag names the finding after it): in the
        bucket's own stack its attribute, in a nested stack (the route functions) the parameter CDK adds."""
        bucket = self.bucket.node.default_child
        assert bucket is not None
        if Stack.of(scope) is Stack.of(self):
            return f"{Stack.of(self).resolve(Stack.of(self).get_logical_id(bucket))}.Arn"  # type: ignore[arg-type]
        return f"referenceto{Names.unique_id(bucket)}Arn"


def content_bucket_name(scope: IConstruct, settings: Settings) -> str:
    stack = Stack.of(scope)
    return f"{settings.prefix}-content-{stack.account}-{stack.region}"


def _custom_domain(scope: Construct, domain: str | None, certificate_arn: str | None) -> dict[str, Any]:
    """With a custom domain (its ACM certificate must be in us-east-1), viewers need TLS 1.2 or newer.

    The default *.cloudfront.net certificate cannot pin the protocol version (CDK ignores it there)."""
    if not (domain and certificate_arn):
        return {}
    return {
        "domain_names": [domain],
        "certificate": acm.Certificate.from_certificate_arn(scope, "CdnCertificate", certificate_arn),
        "minimum_protocol_version": cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    }
