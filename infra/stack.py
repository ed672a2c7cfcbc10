"""The thin stack: composes one construct per concern and wires the grants between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aws_cdk import CfnOutput, Stack, Tags
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constructs.api import Api
from infra.constructs.auth import AuthSecrets
from infra.constructs.data import Data
from infra.constructs.events import Events
from infra.constructs.functions import FunctionFactory, service_of
from infra.constructs.monitoring import Monitoring
from infra.constructs.storage import Storage
from infra.constructs.waf import ApiWaf
from oshi.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# Services whose functions store or read reward files in the content bucket.
CONTENT_SERVICES = frozenset({"reward", "vtuber"})


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


class OshiStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        settings = Settings(stage=config.stage)
        Tags.of(self).add("app", settings.app_name)
        Tags.of(self).add("stage", settings.stage)

        data = Data(self, "Data", settings=settings)
        monitoring = Monitoring(self, "Monitoring", settings=settings, alert_emails=config.alert_emails)
        factory = FunctionFactory(
            self,
            "Functions",
            settings=settings,
            functions_dir=config.functions_dir,
            layer_dir=config.layer_dir,
        )
        secrets = AuthSecrets(self, "Auth", settings=settings)
        storage = Storage(
            self,
            "Storage",
            settings=settings,
            cdn_public_key_pem=config.cdn_public_key_pem,
            cdn_domain_name=config.cdn_domain_name,
            cdn_certificate_arn=config.cdn_certificate_arn,
        )
        events = Events(self, "Events", settings=settings, factory=factory, monitoring=monitoring)
        api = Api(
            self,
            "Api",
            settings=settings,
            factory=factory,
            monitoring=monitoring,
            frontend_origins=config.frontend_origins,
        )
        ApiWaf(self, "Waf", settings=settings, stage=api.rest_api.deployment_stage)

        # Grants. TODO: finer scopes once oshi.routes.Route / topology.Consumer declare the tables,
        # secrets and bucket access each handler uses (then no function gets more than its own list).
        workers: dict[str, lambda_.Function] = {**api.functions, **events.consumers}
        for handler, function in workers.items():
            data.grant_read_write(function, function.role or function)
            events.bus.grant_put_events_to(function)
            service = service_of(handler)
            if service == "auth":
                secrets.grant_token_issuer(function)
            if service in CONTENT_SERVICES:
                storage.grant_objects(function, function.role or function)
        secrets.grant_verifier(api.authorizer_function)
        for function in workers.values():
            monitoring.graph(f"{function.node.id} errors", [function.metric_errors()])

        CfnOutput(self, "ApiUrl", value=api.rest_api.url, description="Base URL of the REST API")
        CfnOutput(
            self,
            "CdnDomain",
            value=storage.distribution.distribution_domain_name,
            description="CloudFront domain for reward downloads",
        )
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
