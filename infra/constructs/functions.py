"""The one helper that builds every Lambda function (routes, consumers, the authorizer)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.nag import acknowledge
from oshi.kernel.settings import Settings

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
METRICS_NAMESPACE = "OshiGacha"
# Never shipped in a function asset: caches and compiled files.
ALWAYS_EXCLUDED = ("__pycache__", "**/__pycache__", "*.pyc", "*.pyo", ".DS_Store")


def function_id(handler_module: str) -> str:
    """CamelCase construct id from a module name: "auth.mfa_verify" -> "AuthMfaVerify"."""
    return "".join(part.capitalize() for part in handler_module.replace("_", ".").split("."))


def service_of(handler_module: str) -> str:
    return handler_module.split(".", 1)[0]


def asset_excludes(service: str) -> list[str]:
    """Glob excludes that keep only functions/<service>/** (the last matching pattern wins; '!' re-includes)."""
    return ["*", f"!{service}", f"!{service}/**", *ALWAYS_EXCLUDED]


class FunctionFactory(Construct):
    """Holds what every function shares (layer, environment, log retention) and builds them one by one."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        functions_dir: Path,
        layer_dir: Path,
    ) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        self.functions_dir = functions_dir
        self.prod = settings.stage == "prod"
        self.layer = lambda_.LayerVersion(
            self,
            "CommonLayer",
            code=lambda_.Code.from_asset(str(layer_dir), exclude=list(ALWAYS_EXCLUDED)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="oshi common package and runtime dependencies (build/layer, `make layer`)",
        )
        self.functions: dict[str, lambda_.Function] = {}

    def build(
        self, scope: Construct, handler_module: str, *, memory_mb: int, timeout_seconds: int
    ) -> lambda_.Function:
        """One function for ``functions/<service>/<module>.py``; its code asset holds only that service."""
        construct_id = function_id(handler_module)
        service = service_of(handler_module)
        log_group = logs.LogGroup(
            scope,
            f"{construct_id}Logs",
            retention=logs.RetentionDays.ONE_YEAR if self.prod else logs.RetentionDays.TWO_WEEKS,
            removal_policy=RemovalPolicy.RETAIN if self.prod else RemovalPolicy.DESTROY,
        )
        # An explicit role without the AWSLambdaBasicExecutionRole managed policy: logs go to the one
        # log group above (no logs:* on every log group of the account).
        role = iam.Role(
            scope,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{handler_module}: least privilege, grants added by the stack",
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            scope,
            construct_id,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=f"{handler_module}.handler",
            code=lambda_.Code.from_asset(str(self.functions_dir), exclude=asset_excludes(service)),
            layers=[self.layer],
            memory_size=memory_mb,
            timeout=Duration.seconds(timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            role=role,
            environment={
                **self.settings.to_env(),
                "POWERTOOLS_SERVICE_NAME": service,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            },
            description=f"oshi {self.settings.stage}: {handler_module}.handler",
        )
        acknowledge(
            function,
            "AwsSolutions-L1",
            "Python 3.12 is pinned on purpose: the layer's wheels are built for cp312 "
            "(infra/build_layer.py); move both together.",
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions: AWS "
            "requires Resource '*' for active tracing.",
        )
        self.functions[handler_module] = function
        return function
