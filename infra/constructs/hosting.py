"""The fan app: a static export in a private bucket, served by CloudFront at the same origin as ``/api/*``.

One distribution, two origins: the site bucket (origin access control) and the REST API (``/api/*``), so
the app calls its API same-origin (no CORS, the refresh cookie scoped to ``/api/auth``; docs/auth.md).

- default behaviour (pages): a viewer-request CloudFront Function appends ``index.html`` (S3 behind OAC has
  no index document) and sends unknown pages to the export's ``404.html``; HTML is revalidated
  (``max-age=0, must-revalidate``), security headers come from a response-headers policy (the per-page
  script hashes are in each page's CSP meta tag: tools/csp_hashes.py);
- ``_next/static/*``: content-hashed file names, cached for a year as immutable;
- ``/api/*``: every method; the cache key holds ``Authorization`` (the only way CloudFront forwards it) and
  every query string, TTLs follow the API's own Cache-Control (default 0: nothing cached unless the API
  says so, as the catalogue does); everything else the viewer sent (cookies, ``Origin``, ``X-Oshi-Client``,
  ``Idempotency-Key``) is forwarded, except ``Host`` (API Gateway needs its own).

``web/fan/out`` is uploaded (and the distribution invalidated) only if it exists at synth time.

``ConsoleSite`` is the same construct for the console (VTuber studio, admin; ``web/console/out``): its
OWN distribution and bucket, so it has its own origin and its own refresh cookie (``oshi_console_refresh``,
accepted from ``settings.console_url`` only); nothing the fan app runs can reach a console session.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.constructs.nag import acknowledge
from oshi.kernel.settings import Settings

FUNCTION_SOURCE = Path(__file__).with_name("fan_site_request.js")
HTML_CACHE = "public, max-age=0, must-revalidate"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def exported_pages(site_dir: Path) -> list[str] | None:
    """The page directories of a static export (``/``, ``/gacha/`` ...), or None when there is none."""
    if not site_dir.is_dir():
        return None
    pages = []
    for index in site_dir.rglob("index.html"):
        relative = index.parent.relative_to(site_dir).as_posix()
        pages.append("/" if relative == "." else f"/{relative}/")
    return sorted(pages)


def request_function_code(pages: list[str] | None) -> str:
    return FUNCTION_SOURCE.read_text().replace("__PAGES__", json.dumps(pages))


class FanSite(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        rest_api: apigateway.RestApi,
        logs: s3.IBucket,
        site_dir: Path,
        web_acl_arn: str | None = None,
        label: str = "fan app",
        log_prefix: str = "fan-site",
    ) -> None:
        super().__init__(scope, construct_id)
        prod = settings.stage == "prod"
        self.bucket = s3.Bucket(
            self,
            "SiteBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=prod,
            server_access_logs_bucket=logs,
            server_access_logs_prefix=f"s3/{log_prefix}/",
            # No auto-delete (its custom-resource Lambda is one more function to own): empty it to destroy.
            removal_policy=RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY,
        )
        site_origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        pages = exported_pages(site_dir)
        self.request_function = cloudfront.Function(
            self,
            "PageRequest",
            code=cloudfront.FunctionCode.from_inline(request_function_code(pages)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Appends index.html to page paths; unknown pages get 404.html",
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment=f"oshi {settings.stage}: {label} security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                # Only what a meta tag cannot say; script-src is per page (tools/csp_hashes.py).
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy="frame-ancestors 'none'; object-src 'none'", override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(
                        header="Permissions-Policy", value=PERMISSIONS_POLICY, override=True
                    )
                ]
            ),
        )
        pages_cache = cloudfront.CachePolicy(
            self,
            "PagesCache",
            comment="Pages: the object's Cache-Control decides (HTML is uploaded as max-age=0)",
            default_ttl=Duration.seconds(0),
            min_ttl=Duration.seconds(0),
            max_ttl=Duration.days(365),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        api_cache = cloudfront.CachePolicy(
            self,
            "ApiCache",
            comment="API: Authorization and every query string in the key; the API's Cache-Control decides",
            default_ttl=Duration.seconds(0),
            min_ttl=Duration.seconds(0),
            max_ttl=Duration.days(1),
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Authorization"),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Cdn",
            comment=f"oshi {settings.stage}: {label} and /api",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=site_origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=pages_cache,
                response_headers_policy=headers,
                compress=True,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=self.request_function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                "_next/static/*": cloudfront.BehaviorOptions(
                    origin=site_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                    response_headers_policy=headers,
                    compress=True,
                ),
                "api/*": cloudfront.BehaviorOptions(
                    origin=origins.RestApiOrigin(rest_api),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=api_cache,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=headers,
                    compress=True,
                ),
            },
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # includes Japan and Asia
            web_acl_id=web_acl_arn,
            enable_logging=True,
            log_bucket=logs,
            log_file_prefix=f"cloudfront/{log_prefix}/",
        )
        acknowledge(
            self.distribution, "AwsSolutions-CFR1", f"The {label} is used from anywhere: no geo restriction."
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "No custom domain yet: the default cloudfront.net certificate cannot pin TLS 1.2 (the "
            "distribution asks for TLSv1.2_2021, applied once a custom domain and certificate are added).",
        )
        if not web_acl_arn:
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR2",
                "The CloudFront web ACL is the us-east-1 stack Oshi-<stage>-edge; until its ARN is passed as "
                "context cdn_web_acl_arn (docs/deploy.md) /api/* is still behind the REST API's own WAF.",
            )
        self.url = f"https://{self.distribution.distribution_domain_name}"
        if pages is not None:
            self._deploy(site_dir)

    def _deploy(self, site_dir: Path) -> None:
        """Two uploads: hashed assets as immutable, everything else (HTML) revalidated; one invalidation."""
        static = s3deploy.BucketDeployment(
            self,
            "DeployStatic",
            sources=[s3deploy.Source.asset(str(site_dir), exclude=["*", "!_next", "!_next/static/**"])],
            destination_bucket=self.bucket,
            cache_control=[s3deploy.CacheControl.from_string(IMMUTABLE_CACHE)],
            prune=False,
        )
        pages = s3deploy.BucketDeployment(
            self,
            "DeployPages",
            sources=[s3deploy.Source.asset(str(site_dir), exclude=["_next/static/**"])],
            destination_bucket=self.bucket,
            cache_control=[s3deploy.CacheControl.from_string(HTML_CACHE)],
            prune=False,
            distribution=self.distribution,
            distribution_paths=["/*"],
        )
        pages.node.add_dependency(static)  # new pages only after the assets they load
        # The upload runs in the CDK library's own provider Lambda (one per stack, a sibling of this construct);
        # cdk-nag names each wildcard of its grants, so each is acknowledged by name.
        stack = Stack.of(self)
        bucket_id = stack.get_logical_id(self.bucket.node.default_child)  # type: ignore[arg-type]
        library_grants = [
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            *(
                f"AwsSolutions-IAM5[Action::{action}]"
                for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*")
            ),
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-{stack.region}/*]",
            f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/*]",
            "AwsSolutions-IAM5[Resource::*]",
        ]
        for child in stack.node.children:
            if child.node.id.startswith("Custom::CDKBucketDeployment"):
                acknowledge(
                    child,
                    "AwsSolutions-L1",
                    "The BucketDeployment provider's runtime is set by the CDK library.",
                )
                for finding in library_grants:
                    acknowledge(
                        child,
                        finding,
                        "The CDK library's BucketDeployment provider: basic execution role (logs), read of the "
                        "CDK asset bucket, write of the site bucket only, and CloudFront invalidations (which its "
                        "grant does not scope to a distribution).",
                    )


class ConsoleSite(FanSite):
    """The console's own distribution (same headers, caching and /api behaviour as the fan app's)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        rest_api: apigateway.RestApi,
        logs: s3.IBucket,
        site_dir: Path,
        web_acl_arn: str | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            settings=settings,
            rest_api=rest_api,
            logs=logs,
            site_dir=site_dir,
            web_acl_arn=web_acl_arn,
            label="console",
            log_prefix="console",
        )
