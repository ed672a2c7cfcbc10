"""Reward files: a private, KMS-encrypted bucket served only through CloudFront (origin access control)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from infra.constructs.nag import acknowledge
from oshi.settings import Settings


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
            bucket_name=settings.content_bucket,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="s3/content/",
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
        self.distribution = cloudfront.Distribution(
            self,
            "Cdn",
            comment=f"oshi {settings.stage}: reward downloads (signed URLs)",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                trusted_key_groups=trusted_key_groups or None,
            ),
            **_custom_domain(self, cdn_domain_name, cdn_certificate_arn),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
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
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "A CloudFront web ACL must live in us-east-1; follow-up in docs/deploy.md. "
            "Downloads need a CloudFront signed URL issued by the authenticated API.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "No custom domain yet: the default cloudfront.net certificate cannot pin "
            "TLS 1.2; with context cdn_domain_name + cdn_certificate_arn the stack sets TLS_V1_2_2021.",
        )

    def grant_objects(self, grantee: iam.IGrantable, scope: IConstruct) -> None:
        """Read, write and delete reward files (uploads are checked by content, bad ones removed)."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            resource_arns=[self.bucket.arn_for_objects("*")],
        )
        self.key.grant(grantee, "kms:Decrypt", "kms:GenerateDataKey")
        logical_id = Stack.of(self).resolve(Stack.of(self).get_logical_id(self.bucket.node.default_child))  # type: ignore[arg-type]
        acknowledge(
            scope,
            f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/*]",
            "Objects of the content bucket only; keys are per-VTuber/per-asset ids chosen at runtime.",
        )


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
