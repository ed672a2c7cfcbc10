"""The thin stack: composes one construct per concern and wires the grants between them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from aws_cdk import CfnOutput, Duration, NestedStack, Stack, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs.api import AUTHORIZER_MEMORY_MB, AUTHORIZER_TIMEOUT_SECONDS, Api
from infra.constructs.auth import AuthSecrets, PlatformSecrets
from infra.constructs.data import AUDIT_OUTBOX_TABLE, Data
from infra.constructs.events import Events
from infra.constructs.functions import (
    METRICS_NAMESPACE,
    SNAPSTART_BY_STAGE,
    FunctionFactory,
    snapstart_primes,
)
from infra.constructs.hosting import ConsoleSite, FanSite
from infra.constructs.mail import Mail, configuration_set_name
from infra.constructs.monitoring import Monitoring
from infra.constructs.storage import Storage
from infra.constructs.waf import ApiWaf
from infra.constructs.websocket import WebSocket
from infra.permissions import check, needs_of
from oshi.kernel.settings import Settings
from oshi.web import routes, topology

ROOT = Path(__file__).resolve().parent.parent
WS_MEMORY_MB = 256
WS_TIMEOUT_SECONDS = 5
# (construct id, metric, emitting service, statistic, threshold, description): metrics the code emits.
BUSINESS_ALARMS = (
    (
        "FulfilmentLatencyAlarm",
        "FulfilmentLatencyMs",
        "gacha",
        "p99",
        3000,
        "Fulfilment p99 over 3 s (webhook accepted -> GachaCompleted): fans wait for their draw",
    ),
    (
        "PaymentMismatchAlarm",
        "PaymentMismatches",
        "payment",
        "Sum",
        1,
        "A payment did not match its order (unknown order, amount mismatch or late payment): check the audit log",
    ),
    (
        "RefundEscalatedAlarm",
        "RefundsEscalated",
        "payment",
        "Sum",
        1,
        "An automatic refund was refused past its retries: refund it by hand (GET /api/admin/refunds/pending)",
    ),
    (
        "PlatformStorageNearLimitAlarm",
        "PlatformStorageNearLimit",
        "vtuber",
        "Sum",
        1,
        "Platform storage above 90 % of its limit: uploads will stop",
    ),
)


@dataclass(frozen=True)
class StackConfig:
    stage: str = "dev"
    layer_dir: Path = ROOT / "build" / "layer"
    functions_dir: Path = ROOT / "functions"
    frontend_origins: list[str] = field(default_factory=list)
    alert_emails: list[str] = field(default_factory=list)
    cdn_public_key_pem: str | None = None
    cdn_domain_name: str | None = None
    cdn_certificate_arn: str | None = None
    cdn_web_acl_arn: str | None = None  # from the us-east-1 edge stack (infra/constructs/waf.py)
    # The fan app's static export (uploaded only if present at synth) and its public origin: providers
    # return fans there and the refresh-cookie routes accept it as Origin (OSHI_FRONTEND_URL).
    site_dir: Path = ROOT / "web" / "fan" / "out"
    frontend_url: str | None = None
    mail_from: str | None = None  # the SES sending address; its domain is the identity (docs/deploy.md)
    seller_name: str | None = None  # the legal seller printed on receipts (特定商取引法)
    # The console's export and its own origin (OSHI_CONSOLE_URL: the only Origin its refresh cookie accepts).
    console_dir: Path = ROOT / "web" / "console" / "out"
    console_url: str | None = None
    # Lambda SnapStart on the latency-sensitive API functions (infra/constructs/functions.py): context
    # ``snapstart`` (true|false); unset, the stage decides (SNAPSTART_BY_STAGE; docs/performance.md §1).
    snapstart: bool | None = None

    @property
    def snapstart_on(self) -> bool:
        return SNAPSTART_BY_STAGE[self.stage] if self.snapstart is None else self.snapstart


class OshiStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        settings = Settings(stage=config.stage)
        settings = replace(
            settings,
            frontend_url=config.frontend_url or settings.frontend_url,
            console_url=config.console_url or settings.console_url,
            mail_from=config.mail_from or settings.mail_from,
            seller_name=config.seller_name or settings.seller_name,
        )
        settings = replace(settings, mail_configuration_set=configuration_set_name(settings))
        Tags.of(self).add("app", settings.app_name)
        Tags.of(self).add("stage", settings.stage)

        check_declarations(Data.table_names())
        data = Data(self, "Data", settings=settings)
        monitoring = Monitoring(self, "Monitoring", settings=settings, alert_emails=config.alert_emails)
        factory = FunctionFactory(
            self,
            "Functions",
            settings=settings,
            functions_dir=config.functions_dir,
            layer_dir=config.layer_dir,
            snapstart=config.snapstart_on,
        )
        auth_secrets = AuthSecrets(self, "Auth", settings=settings)
        platform_secrets = PlatformSecrets(self, "Secrets", settings=settings)
        secrets: dict[str, secretsmanager.ISecret] = {
            "jwt-private": auth_secrets.jwt_private_keys,
            "jwt-public": auth_secrets.jwt_public_keys,
            "mfa-key": auth_secrets.mfa_key,
            "refresh-key": auth_secrets.refresh_key,
            "stripe": platform_secrets.stripe,
            "komoju": platform_secrets.komoju,
            "cdn-signing-key": platform_secrets.cdn_signing_key,
        }
        storage = Storage(
            self,
            "Storage",
            settings=settings,
            cdn_public_key_pem=config.cdn_public_key_pem,
            cdn_domain_name=config.cdn_domain_name,
            cdn_certificate_arn=config.cdn_certificate_arn,
            cdn_web_acl_arn=config.cdn_web_acl_arn,
        )
        events = Events(
            self,
            "Events",
            settings=settings,
            factory=factory,
            monitoring=monitoring,
            audit_outbox=data.tables[AUDIT_OUTBOX_TABLE],
        )

        # CloudFormation allows 500 resources per template: the route functions (function, role, policy
        # and log group each) fill one nested stack and the REST API's methods and resources (several per
        # route) another, so no template nears the limit (tests/infra guards 450).
        route_scope = NestedStack(
            self, "RouteFunctions", description=f"oshi {settings.stage}: one function per API route"
        )
        route_functions = {
            route.handler: factory.build(
                route_scope, route.handler, memory_mb=route.memory_mb, timeout_seconds=route.timeout_seconds
            )
            for route in routes.ROUTES
        }
        authorizer = factory.build(
            route_scope,
            routes.AUTHORIZER_HANDLER,
            memory_mb=AUTHORIZER_MEMORY_MB,
            timeout_seconds=AUTHORIZER_TIMEOUT_SECONDS,
        )
        api_stack = NestedStack(self, "RestApi", description=f"oshi {settings.stage}: REST API methods")
        api = Api(
            api_stack,
            "Api",
            settings=settings,
            functions={handler: factory.invoked(handler, api_stack) for handler in route_functions},
            authorizer_function=factory.invoked(routes.AUTHORIZER_HANDLER, api_stack),
            monitoring=monitoring,
            frontend_origins=config.frontend_origins,
        )
        ApiWaf(api_stack, "Waf", settings=settings, stage=api.rest_api.deployment_stage)
        fan_site = FanSite(
            self,
            "FanSite",
            settings=settings,
            rest_api=api.rest_api,
            logs=storage.logs,
            site_dir=config.site_dir,
            web_acl_arn=config.cdn_web_acl_arn,
        )
        console_site = ConsoleSite(
            self,
            "ConsoleSite",
            settings=settings,
            rest_api=api.rest_api,
            logs=storage.logs,
            site_dir=config.console_dir,
            web_acl_arn=config.cdn_web_acl_arn,
        )
        # The console uploads straight to the content bucket (presigned POST) from its own origin. Only the
        # configured console_url: the distribution's own domain would close a cycle (bucket -> distribution
        # -> API -> functions -> bucket name), as for frontend_url (docs/deploy.md).
        if config.console_url:
            storage.bucket.add_cors_rule(
                allowed_methods=[s3.HttpMethods.POST],
                allowed_origins=[config.console_url],
                allowed_headers=["*"],
                max_age=3000,
            )

        ws_functions = {
            handler: factory.build(self, handler, memory_mb=WS_MEMORY_MB, timeout_seconds=WS_TIMEOUT_SECONDS)
            for handler in routes.WEBSOCKET_ROUTES.values()
        }
        websocket = WebSocket(
            self,
            "WebSocket",
            settings=settings,
            connect=ws_functions[routes.WEBSOCKET_ROUTES["$connect"]],
            disconnect=ws_functions[routes.WEBSOCKET_ROUTES["$disconnect"]],
        )
        validator = factory.build(
            self,
            topology.UPLOAD_VALIDATION.handler,
            memory_mb=topology.UPLOAD_VALIDATION.memory_mb,
            timeout_seconds=topology.UPLOAD_VALIDATION.timeout_seconds,
        )
        storage.wire_upload_validation(settings, monitoring, validator)
        mail_feedback = factory.build(
            self,
            topology.MAIL_FEEDBACK.handler,
            memory_mb=topology.MAIL_FEEDBACK.memory_mb,
            timeout_seconds=topology.MAIL_FEEDBACK.timeout_seconds,
        )
        mail = Mail(self, "Mail", settings=settings, monitoring=monitoring, feedback=mail_feedback)

        # Grants, each derived from the handler's entry in infra/permissions.py and nothing else.
        workers: dict[str, lambda_.Function] = {
            **route_functions,
            routes.AUTHORIZER_HANDLER: authorizer,
            **events.consumers,
            **events.schedules,
            **ws_functions,
            topology.UPLOAD_VALIDATION.handler: validator,
            topology.MAIL_FEEDBACK.handler: mail_feedback,
        }
        for handler, function in workers.items():
            needs = needs_of(handler)
            role = function.role
            assert role is not None
            data.grant(role, role, needs)
            for name in sorted(needs.secrets):
                secrets[name].grant_read(role)
            for access in needs.objects:
                storage.grant_prefix(role, role, access)
            if needs.put_events:
                events.bus.grant_put_events_to(role)
            for queue in sorted(needs.queues):
                events.queues[queue].grant_send_messages(role)
                events.dead_letter_queues[queue].grant_consume_messages(role)
            if needs.mail:
                mail.grant_send(role, role)
            if needs.manage_connections:
                websocket.grant_manage_connections(role, role)
                function.add_environment("OSHI_WEBSOCKET_ENDPOINT", websocket.callback_url)
            if needs.cdn and storage.public_key is not None:
                function.add_environment("OSHI_CDN_DOMAIN", storage.distribution.distribution_domain_name)
                function.add_environment("OSHI_CDN_KEY_PAIR_ID", storage.public_key.public_key_id)
            # settings.content_bucket is read by code; the name holds the account, known at deploy time.
            function.add_environment("OSHI_CONTENT_BUCKET_NAME", storage.bucket.bucket_name)
            if handler in factory.aliases:  # SnapStart: what to prime before the snapshot
                function.add_environment(
                    "OSHI_SNAPSTART_PRIME",
                    snapstart_primes(
                        tables=bool(needs.read or needs.write or needs.audit),
                        secrets=needs.secrets,
                        objects=bool(needs.objects),
                        put_events=needs.put_events,
                        seed_key=bool(needs.seed_key),
                    ),
                )
            monitoring.graph(f"{function.node.id} errors", [function.metric_errors()])
        self._business_alarms(monitoring)

        CfnOutput(self, "ApiUrl", value=api.rest_api.url, description="Base URL of the REST API")
        CfnOutput(self, "WebSocketUrl", value=websocket.stage.url, description="wss:// URL for notifications")
        CfnOutput(
            self,
            "CdnDomain",
            value=storage.distribution.distribution_domain_name,
            description="CloudFront domain for reward downloads",
        )
        CfnOutput(
            self,
            "FanSiteUrl",
            value=fan_site.url,
            description="The fan app and /api on one origin (set context frontend_url to it, or to its custom domain)",
        )
        CfnOutput(self, "FanSiteBucket", value=fan_site.bucket.bucket_name)
        CfnOutput(
            self,
            "ConsoleSiteUrl",
            value=console_site.url,
            description="The console and /api on its own origin (set context console_url to it, or to its custom domain)",
        )
        CfnOutput(self, "ConsoleSiteBucket", value=console_site.bucket.bucket_name)
        CfnOutput(self, "ContentBucket", value=storage.bucket.bucket_name)
        CfnOutput(self, "EventBus", value=events.bus.event_bus_name)
        CfnOutput(self, "AlertTopic", value=monitoring.topic.topic_arn)
        CfnOutput(self, "JwtPrivateKeysSecret", value=settings.jwt_private_keys_secret)
        CfnOutput(self, "JwtPublicKeysSecret", value=settings.jwt_public_keys_secret)
        if storage.public_key is not None:
            CfnOutput(
                self,
                "CdnKeyPairId",
                value=storage.public_key.public_key_id,
                description="Key pair id for CloudFront signed URLs",
            )

    def _business_alarms(self, monitoring: Monitoring) -> None:
        """Alarms on the metrics the services emit (Powertools: namespace OshiGacha, dimension service)."""
        for construct_id, name, service, statistic, threshold, description in BUSINESS_ALARMS:
            monitoring.alarm(
                self,
                construct_id,
                metric=cloudwatch.Metric(
                    namespace=METRICS_NAMESPACE,
                    metric_name=name,
                    dimensions_map={"service": service},
                    statistic=statistic,
                    period=Duration.minutes(5),
                ),
                threshold=threshold,
                description=description,
            )


def check_declarations(tables: set[str]) -> None:
    """Refuse to synth when a handler has no (or a wrong) entry in infra/permissions.py."""
    handlers = [
        *(route.handler for route in routes.ROUTES),
        routes.AUTHORIZER_HANDLER,
        *(consumer.handler for consumer in topology.CONSUMERS),
        *(schedule.handler for schedule in topology.SCHEDULES),
        *routes.WEBSOCKET_ROUTES.values(),
        topology.UPLOAD_VALIDATION.handler,
        topology.MAIL_FEEDBACK.handler,
    ]
    problems = check(handlers, tables)
    if problems.missing or problems.unknown_tables or problems.unknown_secrets:
        raise ValueError(f"infra/permissions.py: {problems}")
