"""Properties of the synthesized CloudFormation: one function per route, least privilege, encryption.

One App holds three stacks, synthesized once for the module (synthesis is the slow part):
``dev`` (the real route table and topology), ``with_consumer`` (a fake consumer substituted into
``oshi.topology.CONSUMERS``, which is empty today) and ``prod`` (retention and deletion protection).
cdk-nag's AwsSolutions pack runs during that synthesis as a CDK validation plugin.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra.app import ConfigError, build_app, config_from_context
from infra.constructs.functions import asset_excludes
from infra.stack import ROOT, OshiStack, StackConfig
from oshi import routes, topology
from oshi.errors import GATEWAY_RESPONSES, error_body
from oshi.models import all_models
from oshi.models.base import table_spec
from oshi.settings import Settings

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]

FAKE_CONSUMER = topology.Consumer(
    queue="fulfilment",
    handler="payment.fulfil",
    detail_types=("PaymentCompleted", "PaymentRefunded"),
    batch_size=5,
    max_receive_count=4,
    visibility_timeout_seconds=90,
    timeout_seconds=20,
    memory_mb=1024,
)
# The only statements AWS does not let us scope to a resource (documented in docs/deploy.md).
ACTIONS_REQUIRING_STAR = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


@dataclass
class Synth:
    outdir: Path
    templates: dict[str, dict[str, Any]]
    violations: list[str]

    def resources(self, stack: str, type_: str) -> dict[str, dict[str, Any]]:
        return {k: r for k, r in self.templates[stack]["Resources"].items() if r["Type"] == type_}


def _rsa_public_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def stub_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layer = tmp_path_factory.mktemp("layer")
    (layer / "python" / "oshi").mkdir(parents=True)
    (layer / "python" / "oshi" / "__init__.py").write_text('"""stub layer for synth tests"""\n')
    return layer


@dataclass
class CliSynth:
    process: subprocess.Popen[str]
    outdir: Path
    started: float


@pytest.fixture(scope="module")
def cli_synth(stub_layer: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliSynth]:
    """The real CLI, started first so that it runs while the in-process synthesis below does."""
    outdir = tmp_path_factory.mktemp("cli.out")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # no credentials at all
    env.update(
        CDK_DISABLE_VERSION_CHECK="1",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="18,20",
        AWS_EC2_METADATA_DISABLED="true",  # no instance-metadata probe for credentials
    )
    command = [
        str(ROOT / "node_modules" / ".bin" / "cdk"),
        *("synth", "--quiet", "--no-notices", "-c", f"layer_dir={stub_layer}", "-o", str(outdir)),
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    yield CliSynth(process, outdir, time.monotonic())
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def synth(cli_synth: CliSynth, stub_layer: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synth]:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = App(outdir=str(outdir))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    env = Environment(region="ap-northeast-1")
    common: dict[str, Any] = {"layer_dir": stub_layer, "cdn_public_key_pem": _rsa_public_pem()}
    OshiStack(
        app,
        "Dev",
        config=StackConfig(stage="dev", frontend_origins=["https://fans.example"], **common),
        env=env,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(topology, "CONSUMERS", (FAKE_CONSUMER,))
        OshiStack(app, "WithConsumer", config=StackConfig(stage="dev", **common), env=env)
    OshiStack(app, "Prod", config=StackConfig(stage="prod", **common), env=env)
    started = time.monotonic()
    try:
        app.synth()
        violations: list[str] = []
    except RuntimeError as error:  # the validation report of cdk-nag stops synthesis
        if "ValidationFailed" not in str(error):
            raise
        report = json.loads((outdir / "validation-report.json").read_text())
        violations = [
            f"{violation['ruleName']} at {construct['constructPath']}"
            for plugin in report["pluginReports"]
            for violation in plugin["violations"]
            for construct in violation["violatingConstructs"]
        ]
    print(f"synth of 3 stacks with cdk-nag: {time.monotonic() - started:.1f} s")
    templates = {
        name: json.loads((outdir / f"{stack_id}.template.json").read_text())
        for name, stack_id in (("dev", "Dev"), ("with_consumer", "WithConsumer"), ("prod", "Prod"))
    }
    yield Synth(outdir, templates, violations)


# --- helpers over the template ---------------------------------------------------------------------


def _handler_of(synth: Synth, stack: str) -> dict[str, str]:
    """Function logical id -> handler module ("auth.me")."""
    return {
        logical_id: resource["Properties"]["Handler"].removesuffix(".handler")
        for logical_id, resource in synth.resources(stack, "AWS::Lambda::Function").items()
    }


def _resource_paths(synth: Synth, stack: str) -> dict[str, str]:
    resources = synth.resources(stack, "AWS::ApiGateway::Resource")

    def path(logical_id: str) -> str:
        props = resources[logical_id]["Properties"]
        parent = props["ParentId"]
        prefix = "" if "Fn::GetAtt" in parent else path(parent["Ref"])
        return f"{prefix}/{props['PathPart']}"

    return {logical_id: path(logical_id) for logical_id in resources}


def _methods(synth: Synth, stack: str) -> dict[tuple[str, str], dict[str, Any]]:
    paths = _resource_paths(synth, stack)
    out = {}
    for resource in synth.resources(stack, "AWS::ApiGateway::Method").values():
        props = resource["Properties"]
        ref = props["ResourceId"]
        path = "/" if "Fn::GetAtt" in ref else paths[ref["Ref"]]
        out[(props["HttpMethod"], path)] = props
    return out


def _integrated_function(method: dict[str, Any]) -> str:
    uri = json.dumps(method["Integration"]["Uri"])
    found = re.findall(r'"Fn::GetAtt": \["(\w+)", "Arn"\]', uri)
    assert len(found) == 1, uri
    return found[0]


def _statements(synth: Synth, stack: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in synth.templates[stack]["Resources"].items():
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                yield logical_id, statement
        if resource["Type"] == "AWS::IAM::Role":
            for policy in resource["Properties"].get("Policies", []):
                for statement in policy["PolicyDocument"]["Statement"]:
                    yield logical_id, statement


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _role_statements(synth: Synth, stack: str, function_logical_id: str) -> list[dict[str, Any]]:
    role = synth.templates[stack]["Resources"][function_logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = []
    for resource in synth.templates[stack]["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role} in resource["Properties"]["Roles"]:
            statements.extend(resource["Properties"]["PolicyDocument"]["Statement"])
    return statements


def _function_by_handler(synth: Synth, stack: str, handler: str) -> str:
    return next(lid for lid, h in _handler_of(synth, stack).items() if h == handler)


# --- functions ---------------------------------------------------------------------------------------


def test_exactly_one_function_per_route_consumer_and_authorizer(synth: Synth) -> None:
    # No CDK-internal functions (log retention, auto-delete, bucket deployment) are created at all.
    expected = [route.handler for route in routes.ROUTES] + [routes.AUTHORIZER_HANDLER]
    expected += [consumer.handler for consumer in topology.CONSUMERS]
    assert sorted(_handler_of(synth, "dev").values()) == sorted(expected)
    assert sorted(_handler_of(synth, "with_consumer").values()) == sorted([*expected, FAKE_CONSUMER.handler])


def test_functions_share_runtime_layer_tracing_logs_and_settings(synth: Synth) -> None:
    resources = synth.templates["dev"]["Resources"]
    sizes = {route.handler: (route.memory_mb, route.timeout_seconds) for route in routes.ROUTES}
    env = Settings(stage="dev").to_env()
    for handler, props in (
        (r["Properties"]["Handler"].removesuffix(".handler"), r["Properties"])
        for r in synth.resources("dev", "AWS::Lambda::Function").values()
    ):
        assert props["Runtime"] == "python3.12"
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert len(props["Layers"]) == 1
        variables = props["Environment"]["Variables"]
        assert variables["POWERTOOLS_SERVICE_NAME"] == handler.split(".")[0]
        assert {k: variables[k] for k in env} == env
        log_group = resources[props["LoggingConfig"]["LogGroup"]["Ref"]]
        assert log_group["Properties"]["RetentionInDays"] == 14
        if handler in sizes:
            assert (props["MemorySize"], props["Timeout"]) == sizes[handler]
    prod_groups = synth.resources("prod", "AWS::Logs::LogGroup").values()
    assert {g["Properties"]["RetentionInDays"] for g in prod_groups} == {365}


def test_each_function_asset_holds_only_its_service_package(synth: Synth) -> None:
    for props in (r["Properties"] for r in synth.resources("dev", "AWS::Lambda::Function").values()):
        service = props["Handler"].split(".")[0]
        asset = synth.outdir / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"
        files = [p.relative_to(asset) for p in asset.rglob("*") if p.is_file()]
        assert files, f"empty asset for {props['Handler']}"
        assert {f.parts[0] for f in files} == {service}
        assert not [f for f in files if "__pycache__" in f.parts or f.suffix == ".pyc"]
        module = props["Handler"].removesuffix(".handler").replace(".", "/") + ".py"
        assert (asset / module).is_file() or not (ROOT / "functions" / module).exists()


def test_asset_excludes_keep_only_the_service() -> None:
    assert asset_excludes("auth")[:3] == ["*", "!auth", "!auth/**"]


# --- API ---------------------------------------------------------------------------------------------


def test_each_route_method_is_integrated_with_its_own_function(synth: Synth) -> None:
    methods = _methods(synth, "dev")
    handlers = _handler_of(synth, "dev")
    seen = set()
    for route in routes.ROUTES:
        method = methods[(route.method, route.path)]
        assert method["Integration"]["Type"] == "AWS_PROXY"
        function = _integrated_function(method)
        assert handlers[function] == route.handler
        seen.add(function)
    assert len(seen) == len(routes.ROUTES)
    explicit = {key for key in methods if key[0] not in ("ANY", "OPTIONS")}
    assert explicit == {(route.method, route.path) for route in routes.ROUTES}


def test_token_authorizer_is_attached_to_exactly_the_non_public_routes(synth: Synth) -> None:
    (authorizer_id, authorizer), *others = synth.resources("dev", "AWS::ApiGateway::Authorizer").items()
    assert not others
    props = authorizer["Properties"]
    assert props["Type"] == "TOKEN"
    assert props["IdentitySource"] == "method.request.header.Authorization"
    assert props["AuthorizerResultTtlInSeconds"] == 300
    uri = json.dumps(props["AuthorizerUri"])
    assert _function_by_handler(synth, "dev", routes.AUTHORIZER_HANDLER) in uri
    methods = _methods(synth, "dev")
    for route in routes.ROUTES:
        method = methods[(route.method, route.path)]
        if route.is_public:
            assert method["AuthorizationType"] == "NONE", route
            assert "AuthorizerId" not in method
        else:
            assert method["AuthorizationType"] == "CUSTOM", route
            assert method["AuthorizerId"] == {"Ref": authorizer_id}
    for (verb, _), method in methods.items():
        if verb in ("ANY", "OPTIONS"):
            assert method["AuthorizationType"] == "NONE"


def test_other_methods_on_a_route_path_get_405_with_the_common_body(synth: Synth) -> None:
    methods = _methods(synth, "dev")
    for path in routes.resource_paths():
        method = methods[("ANY", path)]
        integration = method["Integration"]
        assert integration["Type"] == "MOCK"
        response = integration["IntegrationResponses"][0]
        assert response["StatusCode"] == "405"
        body = json.loads(response["ResponseTemplates"]["application/json"])
        assert body["error"]["code"] == "METHOD_NOT_ALLOWED"
        assert json.loads(integration["RequestTemplates"]["application/json"]) == {"statusCode": 405}


def test_gateway_responses_use_the_common_error_body(synth: Synth) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in synth.resources("dev", "AWS::ApiGateway::GatewayResponse").values()
    }
    assert set(responses) == set(GATEWAY_RESPONSES)
    for key, error in GATEWAY_RESPONSES.items():
        props = responses[key]
        assert props["StatusCode"] == str(error.status)
        body = json.loads(props["ResponseTemplates"]["application/json"])
        assert body == error_body(error.code, error.default_message)
        assert props["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == (
            "'https://fans.example'"
        )
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"


def test_stage_has_tracing_access_logs_and_throttling(synth: Synth) -> None:
    (stage,) = synth.resources("dev", "AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    assert props["StageName"] == "dev"
    assert props["TracingEnabled"] is True
    assert "DestinationArn" in props["AccessLogSetting"]
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in props["MethodSettings"]}
    assert settings[("/*", "*")]["ThrottlingRateLimit"] > 0
    assert settings[("/*", "*")]["DataTraceEnabled"] is False
    for route in routes.ROUTES:
        if route.throttle:
            setting = settings[("/" + route.path.replace("/", "~1"), route.method)]
            assert setting["ThrottlingRateLimit"] == route.throttle.rate_per_second
            assert setting["ThrottlingBurstLimit"] == route.throttle.burst
    assert any(r.throttle for r in routes.ROUTES), "nothing to check: no route sets a throttle"


def test_cors_preflight_allows_the_configured_origin(synth: Synth) -> None:
    methods = _methods(synth, "dev")
    options = [m for (verb, _), m in methods.items() if verb == "OPTIONS"]
    assert options
    assert "https://fans.example" in json.dumps(options[0]["Integration"])
    assert not [key for key in _methods(synth, "with_consumer") if key[0] == "OPTIONS"]


def test_waf_rate_limits_the_api_stage(synth: Synth) -> None:
    (acl,) = synth.resources("dev", "AWS::WAFv2::WebACL").values()
    assert acl["Properties"]["Scope"] == "REGIONAL"
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    assert rules["RatePerIp"]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert "AWSManagedRulesCommonRuleSet" in rules
    (association,) = synth.resources("dev", "AWS::WAFv2::WebACLAssociation").values()
    assert "restapis" in json.dumps(association["Properties"]["ResourceArn"])
    (stage_id,) = synth.resources("dev", "AWS::ApiGateway::Stage")
    assert stage_id in association["DependsOn"]


# --- data --------------------------------------------------------------------------------------------


def _key_schema(hash_name: str, range_name: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name:
        schema.append({"AttributeName": range_name, "KeyType": "RANGE"})
    return schema


def test_tables_match_the_pynamodb_models(synth: Synth) -> None:
    tables = {
        r["Properties"]["TableName"]: r for r in synth.resources("dev", "AWS::DynamoDB::Table").values()
    }
    settings = Settings(stage="dev")
    assert len(tables) == len(all_models())
    for model in all_models():
        spec = table_spec(model)
        table = tables[settings.table_name(spec.short_name)]
        props = table["Properties"]
        assert props["KeySchema"] == _key_schema(spec.hash_key.name, spec.range_key and spec.range_key.name)
        definitions = {d["AttributeName"]: d["AttributeType"] for d in props["AttributeDefinitions"]}
        for key in [spec.hash_key, spec.range_key, *(i.hash_key for i in spec.indexes)]:
            if key:
                assert definitions[key.name] == key.type
        indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i.name for i in spec.indexes}
        for index in spec.indexes:
            assert indexes[index.name]["KeySchema"] == _key_schema(
                index.hash_key.name, index.range_key and index.range_key.name
            )
            assert indexes[index.name]["Projection"]["ProjectionType"] == index.projection
        if spec.ttl_attribute:
            assert props["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute, "Enabled": True}
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["SSESpecification"]["SSEType"] == "KMS"
        assert "KMSMasterKeyId" in props["SSESpecification"]
        assert table["DeletionPolicy"] == "Delete"
    for table in synth.resources("prod", "AWS::DynamoDB::Table").values():
        assert table["DeletionPolicy"] == "Retain"
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["Properties"]["TableName"].startswith("oshi-prod-")


# --- events ------------------------------------------------------------------------------------------


def test_consumer_wiring_rule_queue_dlq_function_and_alarm(synth: Synth) -> None:
    stack = "with_consumer"
    settings = Settings(stage="dev")
    (bus,) = synth.resources(stack, "AWS::Events::EventBus").values()
    assert bus["Properties"]["Name"] == settings.bus_name
    assert synth.resources(stack, "AWS::Events::Archive")
    queues = {
        r["Properties"]["QueueName"]: (k, r) for k, r in synth.resources(stack, "AWS::SQS::Queue").items()
    }
    queue_id, queue = queues[settings.queue_name("fulfilment")]
    dlq_id, dlq = queues[settings.queue_name("fulfilment-dlq")]
    assert queue["Properties"]["VisibilityTimeout"] == 90
    assert queue["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": 4,
    }
    for q in (queue, dlq):
        assert q["Properties"]["SqsManagedSseEnabled"] is True
    (rule,) = synth.resources(stack, "AWS::Events::Rule").values()
    assert rule["Properties"]["EventPattern"] == {
        "source": [settings.event_source],
        "detail-type": ["PaymentCompleted", "PaymentRefunded"],
    }
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    (mapping,) = synth.resources(stack, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["Properties"]["BatchSize"] == 5
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    function_id = _function_by_handler(synth, stack, "payment.fulfil")
    assert mapping["Properties"]["FunctionName"] == {"Ref": function_id}
    function = synth.templates[stack]["Resources"][function_id]["Properties"]
    assert (function["MemorySize"], function["Timeout"]) == (1024, 20)


def test_every_queue_has_a_dlq_and_every_dlq_an_alarm(synth: Synth) -> None:
    for stack in ("dev", "with_consumer", "prod"):
        queues = synth.resources(stack, "AWS::SQS::Queue")
        dlqs = {
            q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            for q in queues.values()
            if "RedrivePolicy" in q["Properties"]
        }
        main = {k for k, q in queues.items() if "RedrivePolicy" in q["Properties"]}
        assert set(queues) == main | dlqs, f"{stack}: a queue is neither a DLQ nor has one"
        alarmed = {
            dim["Value"]["Fn::GetAtt"][0]
            for alarm in synth.resources(stack, "AWS::CloudWatch::Alarm").values()
            for dim in alarm["Properties"].get("Dimensions", [])
            if dim["Name"] == "QueueName"
        }
        assert dlqs <= alarmed, f"{stack}: DLQ without alarm"
        for alarm in synth.resources(stack, "AWS::CloudWatch::Alarm").values():
            assert alarm["Properties"]["AlarmActions"], "alarm notifies nobody"
    assert len(synth.resources("with_consumer", "AWS::SQS::Queue")) == 2


def test_api_5xx_alarm_notifies_the_admin_topic(synth: Synth) -> None:
    alarms = synth.resources("dev", "AWS::CloudWatch::Alarm").values()
    (api_alarm,) = [a for a in alarms if a["Properties"]["MetricName"] == "5XXError"]
    (topic_id,) = synth.resources("dev", "AWS::SNS::Topic")
    assert api_alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]


# --- IAM ---------------------------------------------------------------------------------------------


def test_no_identity_policy_uses_resource_star_except_where_aws_requires_it(synth: Synth) -> None:
    for stack in synth.templates:
        for logical_id, statement in _statements(synth, stack):
            if "*" in _as_list(statement["Resource"]):
                assert set(_as_list(statement["Action"])) <= ACTIONS_REQUIRING_STAR, (stack, logical_id)


def test_authorizer_reads_only_the_public_keys_secret(synth: Synth) -> None:
    secrets = {
        logical_id: r["Properties"]["Name"]
        for logical_id, r in synth.resources("dev", "AWS::SecretsManager::Secret").items()
    }
    settings = Settings(stage="dev")
    public = next(k for k, name in secrets.items() if name == settings.jwt_public_keys_secret)
    private = next(k for k, name in secrets.items() if name == settings.jwt_private_keys_secret)
    statements = _role_statements(synth, "dev", _function_by_handler(synth, "dev", routes.AUTHORIZER_HANDLER))
    actions = {a.split(":")[0] for s in statements for a in _as_list(s["Action"])}
    assert actions == {"logs", "xray", "secretsmanager"}
    secret_resources = [
        s["Resource"] for s in statements if "secretsmanager:GetSecretValue" in _as_list(s["Action"])
    ]
    assert secret_resources == [{"Ref": public}]
    # The private keys: only the auth service's functions.
    for function_id, handler in _handler_of(synth, "dev").items():
        reads_private = any(
            s["Resource"] == {"Ref": private} for s in _role_statements(synth, "dev", function_id)
        )
        assert reads_private == (handler.startswith("auth.") and handler != routes.AUTHORIZER_HANDLER)


# --- storage -----------------------------------------------------------------------------------------


def test_content_bucket_is_private_encrypted_and_served_through_cloudfront(synth: Synth) -> None:
    buckets = synth.resources("dev", "AWS::S3::Bucket")
    content_id, content = next(
        (k, b)
        for k, b in buckets.items()
        if b["Properties"].get("BucketName") == Settings(stage="dev").content_bucket
    )
    for bucket in buckets.values():
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
    sse = content["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert content["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    policies = [
        p
        for p in synth.resources("dev", "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": content_id}
    ]
    statements = policies[0]["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s) for s in statements)
    allowed = [s["Principal"] for s in statements if s["Effect"] == "Allow"]
    assert allowed == [{"Service": "cloudfront.amazonaws.com"}]
    (distribution,) = synth.resources("dev", "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert "OriginAccessControlId" in config["Origins"][0]
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert behavior["TrustedKeyGroups"]
    assert "ResponseHeadersPolicyId" in behavior


# --- cdk-nag, cfn-lint, the CLI ----------------------------------------------------------------------


def test_cdk_nag_aws_solutions_has_no_unacknowledged_findings(synth: Synth) -> None:
    assert synth.violations == []


def test_cfn_lint_finds_no_errors(synth: Synth) -> None:
    from cfnlint.api import ManualArgs, lint

    template = synth.outdir / "Dev.template.json"
    matches = lint(
        template.read_text(), config=ManualArgs(regions=["ap-northeast-1"], ignore_checks=["W", "I"])
    )
    errors = [f"{m.rule.id} {m.message} ({m.path})" for m in matches if m.rule.id.startswith("E")]
    assert errors == []


def test_app_refuses_to_synth_without_the_layer(tmp_path: Path) -> None:
    app = App(context={"layer_dir": str(tmp_path / "missing")})
    with pytest.raises(ConfigError, match="make layer"):
        config_from_context(app)
    with pytest.raises(ConfigError, match="stage"):
        config_from_context(App(context={"stage": "qa"}))


def test_prod_refuses_to_synth_without_the_cdn_signing_key(stub_layer: Path) -> None:
    with pytest.raises(ConfigError, match="signing key"):
        build_app(App(context={"stage": "prod", "layer_dir": str(stub_layer)}))


def test_cdk_cli_synth_works_offline_without_credentials(cli_synth: CliSynth) -> None:
    """`cdk synth` from the repository root, as `make synth` runs it, with no AWS_* variables."""
    _, stderr = cli_synth.process.communicate(timeout=240)
    print(
        f"cdk synth (CLI, in parallel with the in-process synth): {time.monotonic() - cli_synth.started:.1f} s"
    )
    assert cli_synth.process.returncode == 0, stderr[-4000:]
    assert (cli_synth.outdir / "Oshi-dev.template.json").is_file()
