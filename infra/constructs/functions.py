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
# Every function's Lambda handler: it imports the function's own module (environment ``OSHI_HANDLER``) on a
# roomy interpreter stack, which keeps a CPython 3.12 stack-chunk bug out of the cold start (docs/decisions.md).
ENTRY_HANDLER = "oshi.kernel.entry.handler"
# Never shipped in a function asset: caches and compiled files.
ALWAYS_EXCLUDED = ("__pycache__", "**/__pycache__", "*.pyc", "*.pyo", ".DS_Store")
# The latency-sensitive API functions (a fan waits on their cold start at a launch): SnapStart when the
# stage turns it on (context ``snapstart``, docs/deploy.md); API Gateway then invokes their alias ``live``,
# which points at the version published with the snapshot. Costs and choice: docs/performance.md §1.
SNAPSTART_HANDLERS = frozenset(
    {
        "auth.authorizer",
        "gacha.catalogue",
        "gacha.detail",
        "gacha.purchase",
        "gacha.order",
        "reward.list",
        "reward.download_url",
        "exchange.trade",
    }
)
SNAPSTART_ALIAS = "live"
# SnapStart for Python is billed per cached version and per restore: on where fans wait (prod), off in dev
# (it also makes every deploy publish and snapshot the versions). Context ``snapstart`` overrides it.
SNAPSTART_BY_STAGE = {"dev": False, "prod": True}


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
        snapstart: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.settings = settings
        self.snapstart = snapstart
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
        self.aliases: dict[str, lambda_.Alias] = {}  # SnapStart functions: what API Gateway invokes

    def build(
        self, scope: Construct, handler_module: str, *, memory_mb: int, timeout_seconds: int
    ) -> lambda_.Function:
        """One function for ``functions/<service>/<module>.py``; its code asset holds only that service."""
        construct_id = function_id(handler_module)
        service = service_of(handler_module)
        snapstart = self.snapstart and handler_module in SNAPSTART_HANDLERS
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
            handler=ENTRY_HANDLER,
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
                "OSHI_HANDLER": handler_module,
            },
            description=f"oshi {self.settings.stage}: {handler_module}.handler",
            # SnapStart snapshots a published version. Each version kept is a cached snapshot, billed:
            # the previous one is deleted once the alias points at the new one.
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snapstart else None,
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY)
            if snapstart
            else None,
        )
        if snapstart:
            self.aliases[handler_module] = lambda_.Alias(
                scope, f"{construct_id}Live", alias_name=SNAPSTART_ALIAS, version=function.current_version
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

    def invoked(self, handler_module: str, scope: Construct) -> lambda_.IFunction:
        """What API Gateway invokes (the SnapStart alias, or the function itself), referenced from
        ``scope``: the permission to invoke it is then created in ``scope``'s stack. Created next to the
        function instead, the functions' nested stack would read the API's ids while the API's nested stack
        reads the functions' ARNs: a cycle between the two stacks."""
        target = self.aliases.get(handler_module) or self.functions[handler_module]
        return lambda_.Function.from_function_attributes(
            scope,
            f"{function_id(handler_module)}Invoked",
            function_arn=target.function_arn,
            same_environment=True,
        )


def snapstart_primes(
    *, tables: bool, secrets: frozenset[str], objects: bool, put_events: bool, seed_key: bool
) -> str:
    """``OSHI_SNAPSTART_PRIME`` for a function (oshi.kernel.snapstart): the clients and keys it will use,
    from its entry in infra/permissions.py."""
    primes = set()
    if tables:
        primes.add("dynamodb")
    if secrets:
        primes.add("secretsmanager")
    primes.update(f"jwt-{kind}" for kind in ("public", "private") if f"jwt-{kind}" in secrets)
    if objects:
        primes.add("s3")
    if put_events:
        primes.add("events")
    if seed_key:
        primes.add("kms")
    return ",".join(sorted(primes))
