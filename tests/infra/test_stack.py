"""Properties of the synthesized CloudFormation: one function per route, least privilege, encryption.

One App holds three stacks, synthesized once for the module (synthesis is the slow part):
``dev`` (the real route table and topology), ``with_consumer`` (a fake consumer substituted into
``oshi.web.topology.CONSUMERS``, which is empty today) and ``prod`` (retention and deletion protection).
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
from infra.constructs.functions import ENTRY_HANDLER, asset_excludes
from infra.permissions import PERMISSIONS, SECRETS, check
from infra.stack import ROOT, OshiStack, StackConfig
from oshi.kernel.errors import GATEWAY_RESPONSES, error_body
from oshi.kernel.settings import Settings
from oshi.models import all_models
from oshi.models.base import table_spec
from oshi.web import routes, topology

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
CDN_WEB_ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/oshi-prod-cdn/abc"
# The only statements AWS does not let us scope to a resource (documented in docs/deploy.md).
# dynamodb:ListStreams has no resource-level permission: the audit chainer's stream event source needs it.
ACTIONS_REQUIRING_STAR = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams"}


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


def _fake_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny static export: pages, a 404 page and a hashed asset, as `next build` writes them."""
    out = tmp_path_factory.mktemp("export") / "out"
    for page in ("index.html", "gacha/index.html", "orders/index.html", "404.html"):
        (out / page).parent.mkdir(parents=True, exist_ok=True)
        (out / page).write_text("<!doctype html><html lang='ja'><head></head><body></body></html>")
    (out / "_next" / "static" / "chunks").mkdir(parents=True)
    (out / "_next" / "static" / "chunks" / "main-abc123.js").write_text("console.log(1)")
    return out


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
    no_export = tmp_path_factory.mktemp("no-export") / "out"  # absent: nothing to upload
    common: dict[str, Any] = {
        "layer_dir": stub_layer,
        "cdn_public_key_pem": _rsa_public_pem(),
        "console_dir": no_export,  # the console's export is uploaded like the fan app's (tested there)
    }
    OshiStack(
        app,
        "Dev",
        config=StackConfig(
            stage="dev", frontend_origins=["https://fans.example"], site_dir=no_export, **common
        ),
        env=env,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(topology, "CONSUMERS", (FAKE_CONSUMER,))
        patch.setitem(PERMISSIONS, FAKE_CONSUMER.handler, PERMISSIONS["gacha.fulfil"])
        OshiStack(
            app,
            "WithConsumer",
            config=StackConfig(
                stage="dev",
                site_dir=no_export,
                frontend_url="https://fans.example",
                console_url="https://console.example",
                **common,
            ),
            env=env,
        )
    OshiStack(
        app,
        "Prod",
        config=StackConfig(
            stage="prod", cdn_web_acl_arn=CDN_WEB_ACL_ARN, site_dir=_fake_export(tmp_path_factory), **common
        ),
        env=env,
    )
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
        name: _flattened(outdir, stack_id)
        for name, stack_id in (("dev", "Dev"), ("with_consumer", "WithConsumer"), ("prod", "Prod"))
    }
    yield Synth(outdir, templates, violations)


# --- helpers over the template ---------------------------------------------------------------------


def _substitute(value: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in parameters:
            return parameters[value["Ref"]]
        return {k: _substitute(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, parameters) for v in value]
    return value


def _flattened(outdir: Path, stack_id: str) -> dict[str, Any]:
    """The stack with its nested stacks' resources merged in, their parameters replaced by what the parent
    passes, and a nested stack's output read by another replaced by its value (so a method's integration
    names its function as in a single template)."""
    template = json.loads((outdir / f"{stack_id}.template.json").read_text())
    resources = dict(template["Resources"])
    stacks = {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::CloudFormation::Stack"}
    # "RestApiNestedStack...Resource" (logical id) <-> "<stack_id>RestApi<hash>.nested.template.json"
    nested_files = sorted(outdir.glob(f"{stack_id}*.nested.template.json"))
    file_of = {
        logical_id: next(
            p for p in nested_files if p.name.startswith(stack_id + logical_id.split("NestedStack")[0])
        )
        for logical_id in stacks
    }
    assert sorted(file_of.values()) == nested_files, (stacks, nested_files)
    outputs: dict[str, dict[str, Any]] = {}  # nested stack logical id -> output name -> resolved value

    def resolved(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"Fn::GetAtt"} and value["Fn::GetAtt"][0] in stacks:
                name = value["Fn::GetAtt"][1].removeprefix("Outputs.")
                return outputs[value["Fn::GetAtt"][0]][name]
            return {k: resolved(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolved(v) for v in value]
        return value

    pending = dict(stacks)
    while pending:  # a stack whose parameters read another's outputs comes after it
        ready = [
            k
            for k, r in pending.items()
            if not any(dep in json.dumps(r["Properties"].get("Parameters", {})) for dep in pending)
        ]
        assert ready, f"nested stacks read each other's outputs in a cycle: {sorted(pending)}"
        for logical_id in ready:
            resource = pending.pop(logical_id)
            nested = json.loads(file_of[logical_id].read_text())
            parameters = resolved(resource["Properties"].get("Parameters", {}))
            del resources[logical_id]
            for nested_id, nested_resource in nested["Resources"].items():
                assert nested_id not in resources, nested_id
                resources[nested_id] = _substitute(nested_resource, parameters)
            outputs[logical_id] = {
                name: _substitute(output["Value"], parameters)
                for name, output in nested.get("Outputs", {}).items()
            }
    return {**template, "Resources": resources}


def _module_of(props: dict[str, Any]) -> str:
    """The handler module ("auth.me") a function runs: ours enter through oshi.kernel.entry, which imports
    the module named by OSHI_HANDLER; a CDK-internal function names its own ("index")."""
    if props["Handler"] != ENTRY_HANDLER:
        return str(props["Handler"]).removesuffix(".handler")
    module: str = props["Environment"]["Variables"]["OSHI_HANDLER"]
    return module


def _handler_of(synth: Synth, stack: str) -> dict[str, str]:
    """Function logical id -> handler module ("auth.me")."""
    return {
        logical_id: _module_of(resource["Properties"])
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


def _content_bucket(synth: Synth, stack: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (k, b)
        for k, b in synth.resources(stack, "AWS::S3::Bucket").items()
        if "oshi-dev-content-" in json.dumps(b["Properties"].get("BucketName"))
        or "oshi-prod-content-" in json.dumps(b["Properties"].get("BucketName"))
    ]
    return found


def _function_by_handler(synth: Synth, stack: str, handler: str) -> str:
    return next(lid for lid, h in _handler_of(synth, stack).items() if h == handler)


# --- functions ---------------------------------------------------------------------------------------


def test_exactly_one_function_per_route_consumer_and_authorizer(synth: Synth) -> None:
    # No CDK-internal functions (log retention, auto-delete, bucket deployment) are created at all.
    expected = [route.handler for route in routes.ROUTES] + [routes.AUTHORIZER_HANDLER]
    expected += [consumer.handler for consumer in topology.CONSUMERS]
    expected += [schedule.handler for schedule in topology.SCHEDULES]
    expected += [*routes.WEBSOCKET_ROUTES.values(), topology.UPLOAD_VALIDATION.handler]
    expected += [topology.MAIL_FEEDBACK.handler]  # SES feedback (infra/constructs/mail.py)
    assert sorted(_handler_of(synth, "dev").values()) == sorted(expected)
    real_consumers = [consumer.handler for consumer in topology.CONSUMERS]
    with_fake = [h for h in expected if h not in real_consumers] + [FAKE_CONSUMER.handler]
    assert sorted(_handler_of(synth, "with_consumer").values()) == sorted(with_fake)


def test_functions_share_runtime_layer_tracing_logs_and_settings(synth: Synth) -> None:
    resources = synth.templates["dev"]["Resources"]
    content_bucket = _content_bucket(synth, "dev")[0]
    sizes = {route.handler: (route.memory_mb, route.timeout_seconds) for route in routes.ROUTES}
    # Set per function by the stack: deploy-time names (bucket, WebSocket endpoint, CDN key pair).
    overridden = {
        "OSHI_CONTENT_BUCKET_NAME",
        "OSHI_WEBSOCKET_ENDPOINT",
        "OSHI_CDN_DOMAIN",
        "OSHI_CDN_KEY_PAIR_ID",
    }
    env = Settings(stage="dev", mail_configuration_set="oshi-dev-mail").to_env()  # the Mail construct's
    env = {k: v for k, v in env.items() if k not in overridden}
    for handler, props in (
        (_module_of(r["Properties"]), r["Properties"])
        for r in synth.resources("dev", "AWS::Lambda::Function").values()
    ):
        assert props["Handler"] == ENTRY_HANDLER
        assert props["Runtime"] == "python3.12"
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert len(props["Layers"]) == 1
        variables = props["Environment"]["Variables"]
        assert variables["POWERTOOLS_SERVICE_NAME"] == handler.split(".")[0]
        assert {k: variables[k] for k in env} == env
        assert variables["OSHI_CONTENT_BUCKET_NAME"] == {"Ref": content_bucket}
        log_group = resources[props["LoggingConfig"]["LogGroup"]["Ref"]]
        assert log_group["Properties"]["RetentionInDays"] == 14
        if handler in sizes:
            assert (props["MemorySize"], props["Timeout"]) == sizes[handler]
    prod_groups = synth.resources("prod", "AWS::Logs::LogGroup").values()
    assert {g["Properties"]["RetentionInDays"] for g in prod_groups} == {365}


def test_each_function_asset_holds_only_its_service_package(synth: Synth) -> None:
    for props in (r["Properties"] for r in synth.resources("dev", "AWS::Lambda::Function").values()):
        module = _module_of(props)
        service = module.split(".")[0]
        asset = synth.outdir / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"
        files = [p.relative_to(asset) for p in asset.rglob("*") if p.is_file()]
        assert files, f"empty asset for {module}"
        assert {f.parts[0] for f in files} == {service}
        assert not [f for f in files if "__pycache__" in f.parts or f.suffix == ".pyc"]
        path = module.replace(".", "/") + ".py"
        assert (asset / path).is_file() or not (ROOT / "functions" / path).exists()


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
    # every route's path answers a preflight, and only those (no OPTIONS on /api, /api/vtuber, ...)
    preflighted = {path for (verb, path) in methods if verb == "OPTIONS"}
    assert preflighted == {route.path for route in routes.ROUTES}
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
    (rule,) = [
        r for r in synth.resources(stack, "AWS::Events::Rule").values() if "EventPattern" in r["Properties"]
    ]
    assert rule["Properties"]["EventPattern"] == {
        "source": [settings.event_source],
        "detail-type": ["PaymentCompleted", "PaymentRefunded"],
    }
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    (mapping,) = [
        m
        for m in synth.resources(stack, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
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
        # A rule target's dead-letter queue (the schedules') is a DLQ too.
        dlqs |= {
            target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
            for rule in synth.resources(stack, "AWS::Events::Rule").values()
            for target in rule["Properties"].get("Targets", [])
            if "DeadLetterConfig" in target
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
    # The fake consumer's queue + DLQ, the upload validation and mail feedback queues + DLQs, one DLQ per
    # schedule.
    assert len(synth.resources("with_consumer", "AWS::SQS::Queue")) == 6 + len(topology.SCHEDULES)


def test_api_5xx_alarm_notifies_the_admin_topic(synth: Synth) -> None:
    alarms = synth.resources("dev", "AWS::CloudWatch::Alarm").values()
    (api_alarm,) = [a for a in alarms if a["Properties"]["MetricName"] == "5XXError"]
    (topic_id,) = [t for t in synth.resources("dev", "AWS::SNS::Topic") if "AdminAlerts" in t]
    assert api_alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]


# --- IAM ---------------------------------------------------------------------------------------------


def test_no_identity_policy_uses_resource_star_except_where_aws_requires_it(synth: Synth) -> None:
    for stack in synth.templates:
        for logical_id, statement in _statements(synth, stack):
            if "*" in _as_list(statement["Resource"]):
                allowed = ACTIONS_REQUIRING_STAR
                if logical_id.startswith("CustomCDKBucketDeployment"):
                    # The CDK library's upload provider (fan app, prod fixture) invalidates the distribution.
                    allowed = allowed | {"cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"}
                assert set(_as_list(statement["Action"])) <= allowed, (stack, logical_id)


def test_authorizer_reads_only_the_public_keys_secret(synth: Synth) -> None:
    secrets = {
        logical_id: r["Properties"]["Name"]
        for logical_id, r in synth.resources("dev", "AWS::SecretsManager::Secret").items()
    }
    settings = Settings(stage="dev")
    public = next(k for k, name in secrets.items() if name == settings.jwt_public_keys_secret)
    private = next(k for k, name in secrets.items() if name == settings.jwt_private_keys_secret)
    statements = _role_statements(synth, "dev", _function_by_handler(synth, "dev", routes.AUTHORIZER_HANDLER))
    actions = {a.split(":")[0] for s in statements if s["Effect"] == "Allow" for a in _as_list(s["Action"])}
    # dynamodb (+ kms for the table's key): it reads the revocation markers (oshi.identity.revocation).
    assert actions == {"logs", "xray", "secretsmanager", "dynamodb", "kms"}
    table_ids = _table_ids(synth, "dev")
    for statement in statements:
        if statement["Effect"] == "Allow" and any(
            a.startswith("dynamodb:") for a in _as_list(statement["Action"])
        ):
            assert _tables_in(statement["Resource"], table_ids) == {"token-revocations"}, statement
            assert not {
                a
                for a in _as_list(statement["Action"])
                if a.endswith(("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"))
            }
    secret_resources = [
        s["Resource"] for s in statements if "secretsmanager:GetSecretValue" in _as_list(s["Action"])
    ]
    assert secret_resources == [{"Ref": public}]
    # The private keys: only the auth service's functions.
    for function_id, handler in _handler_of(synth, "dev").items():
        reads_private = any(
            s["Resource"] == {"Ref": private} for s in _role_statements(synth, "dev", function_id)
        )
        assert reads_private == ("jwt-private" in PERMISSIONS[handler].secrets), handler
    assert {h for h, n in PERMISSIONS.items() if "jwt-private" in n.secrets} == {
        "auth.login",
        "auth.refresh",
        "auth.mfa_verify",
        # issue 18: these end the other sessions and start the caller's new one
        "auth.password_change",
        "auth.sessions_revoke_others",
        "auth.mfa_disable",
    }


# --- storage -----------------------------------------------------------------------------------------


def test_content_bucket_is_private_encrypted_and_served_through_cloudfront(synth: Synth) -> None:
    buckets = synth.resources("dev", "AWS::S3::Bucket")
    content_id, content = _content_bucket(synth, "dev")
    # Globally unique: the account and region are part of the name.
    name = json.dumps(content["Properties"]["BucketName"])
    assert "oshi-dev-content-" in name and "AWS::AccountId" in name and "ap-northeast-1" in name
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
    # Data exports (personal data) expire, versions included; nothing else in the bucket does.
    assert content["Properties"]["LifecycleConfiguration"]["Rules"] == [
        {
            "ExpirationInDays": 7,
            "Id": "ExpireDataExports",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
            "Prefix": "exports/",
            "Status": "Enabled",
        }
    ]
    policies = [
        p
        for p in synth.resources("dev", "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": content_id}
    ]
    statements = policies[0]["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s) for s in statements)
    allowed = [s["Principal"] for s in statements if s["Effect"] == "Allow"]
    assert allowed == [{"Service": "cloudfront.amazonaws.com"}]
    distribution = _content_distribution(synth, "dev")[1]
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

    errors = []
    for template in [
        synth.outdir / "Dev.template.json",
        *synth.outdir.glob("Dev*.nested.template.json"),
    ]:
        matches = lint(
            template.read_text(), config=ManualArgs(regions=["ap-northeast-1"], ignore_checks=["W", "I"])
        )
        errors += [
            f"{template.name}: {m.rule.id} {m.message} ({m.path})"
            for m in matches
            if m.rule.id.startswith("E")
        ]
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
    # The CloudFront web ACL: its own stack in us-east-1 (CLOUDFRONT scope exists only there).
    manifest = json.loads((cli_synth.outdir / "manifest.json").read_text())
    assert manifest["artifacts"]["Oshi-dev-edge"]["environment"].endswith("/us-east-1")
    edge = json.loads((cli_synth.outdir / "Oshi-dev-edge.template.json").read_text())
    (acl,) = [r for r in edge["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACL"]
    assert acl["Properties"]["Scope"] == "CLOUDFRONT"
    assert any("RateBasedStatement" in rule["Statement"] for rule in acl["Properties"]["Rules"])
    assert "WebAclArn" in edge["Outputs"]


# --- per-function least privilege (infra/permissions.py) ---------------------------------------------


def _all_handlers() -> list[str]:
    return topology.all_handlers()


def test_every_handler_has_a_valid_permissions_entry() -> None:
    tables = {table_spec(model).short_name for model in all_models()}
    problems = check(_all_handlers(), tables)
    assert problems.missing == []
    assert problems.unknown_tables == {}
    assert problems.unknown_secrets == {}
    assert all("audit" not in needs.write for needs in PERMISSIONS.values()), "audit: use audit=True"
    assert set(SECRETS) == {s for needs in PERMISSIONS.values() for s in needs.secrets}
    limited = [r.handler for r in routes.ROUTES if r.caller_limit is not None]
    assert limited and all("rate-limits" in PERMISSIONS[h].write for h in limited), (
        "caller limits write counters"
    )


def _table_ids(synth: Synth, stack: str) -> dict[str, str]:
    """Table logical id -> short name."""
    prefix = "oshi-dev-" if stack != "prod" else "oshi-prod-"
    return {
        k: r["Properties"]["TableName"].removeprefix(prefix)
        for k, r in synth.resources(stack, "AWS::DynamoDB::Table").items()
    }


def _tables_in(resource: Any, table_ids: dict[str, str]) -> set[str]:
    text = json.dumps(resource)
    return {name for logical_id, name in table_ids.items() if f'"{logical_id}"' in text}


def test_each_function_reaches_only_its_declared_tables_and_writes_only_where_declared(synth: Synth) -> None:
    table_ids = _table_ids(synth, "dev")
    write_actions = {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
    }
    checked = 0
    for function_id, handler in _handler_of(synth, "dev").items():
        needs = PERMISSIONS[handler]
        readable: set[str] = set()
        writable: set[str] = set()
        for statement in _role_statements(synth, "dev", function_id):
            actions = set(_as_list(statement["Action"]))
            if statement["Effect"] != "Allow" or not any(a.startswith("dynamodb:") for a in actions):
                continue
            tables = _tables_in(statement["Resource"], table_ids)
            readable |= tables
            if actions & write_actions:
                writable |= tables
            if "audit" in tables:
                assert actions & {"dynamodb:UpdateItem", "dynamodb:DeleteItem"} == set(), handler
        # Recording an entry is a put into the audit outbox (issue 21); the chainer appends it to the log.
        expected_audit = {"audit", "audit-outbox"} if needs.audit else set()
        assert readable == needs.tables | expected_audit, handler
        assert writable == needs.write | expected_audit, handler
        checked += 1
    assert checked == len(_all_handlers())


# GET routes that write, and why: gacha.fairness reveals the server seed once the sale has ended.
# Both reveal the server seed once it is due (the sale has ended, or a box is empty): one write, once.
GET_ROUTES_THAT_WRITE = {"gacha.fairness", "gacha.box_draws"}


def test_read_only_routes_cannot_write() -> None:
    for route in routes.ROUTES:
        if route.method == "GET" and route.handler not in GET_ROUTES_THAT_WRITE:
            assert not PERMISSIONS[route.handler].write, route.handler
            assert not PERMISSIONS[route.handler].audit, route.handler


def test_only_the_draw_decrypts_seeds_and_only_publishing_encrypts_them(synth: Synth) -> None:
    (seed_key,) = [
        k
        for k, r in synth.resources("dev", "AWS::KMS::Alias").items()
        if r["Properties"]["AliasName"] == Settings(stage="dev").fairness_key_alias
    ]
    key_id = synth.templates["dev"]["Resources"][seed_key]["Properties"]["TargetKeyId"]["Fn::GetAtt"][0]
    for function_id, handler in _handler_of(synth, "dev").items():
        actions = {
            a
            for s in _role_statements(synth, "dev", function_id)
            if s["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
            for a in _as_list(s["Action"])
        }
        assert actions == {f"kms:{a.capitalize()}" for a in PERMISSIONS[handler].seed_key}, handler
    decrypters = {h for h, n in PERMISSIONS.items() if "decrypt" in n.seed_key}
    assert decrypters == {"gacha.fulfil", "gacha.admin_retry", "gacha.fairness", "gacha.box_draws"}


def test_only_functions_that_publish_may_put_events_and_the_public_stats_page_may_not(synth: Synth) -> None:
    for function_id, handler in _handler_of(synth, "dev").items():
        may = any(
            "events:PutEvents" in _as_list(s["Action"])
            for s in _role_statements(synth, "dev", function_id)
            if s["Effect"] == "Allow"
        )
        assert may is PERMISSIONS[handler].put_events, handler
    # RateAnomaly comes from the schedule, never from an anonymous read (docs/fairness.md, section 9)
    assert not PERMISSIONS["gacha.stats"].put_events
    assert PERMISSIONS["gacha.rate_anomaly_scan"].put_events


def test_the_audit_log_is_append_only_for_every_function(synth: Synth) -> None:
    table_ids = _table_ids(synth, "dev")
    (audit_id,) = [k for k, name in table_ids.items() if name == "audit"]
    for function_id, handler in _handler_of(synth, "dev").items():
        denies = [
            s
            for s in _role_statements(synth, "dev", function_id)
            if s["Effect"] == "Deny" and s["Resource"] == {"Fn::GetAtt": [audit_id, "Arn"]}
        ]
        assert denies, handler
        assert {"dynamodb:UpdateItem", "dynamodb:DeleteItem"} <= set(_as_list(denies[0]["Action"]))


def test_each_function_reads_exactly_its_declared_secrets(synth: Synth) -> None:
    settings = Settings(stage="dev")
    names = {
        "jwt-private": settings.jwt_private_keys_secret,
        "jwt-public": settings.jwt_public_keys_secret,
        "stripe": settings.stripe_secret,
        "komoju": settings.komoju_secret,
        "cdn-signing-key": settings.cdn_signing_key_secret,
    }
    by_id = {
        k: r["Properties"]["Name"] for k, r in synth.resources("dev", "AWS::SecretsManager::Secret").items()
    }
    assert set(names.values()) <= set(by_id.values())
    for function_id, handler in _handler_of(synth, "dev").items():
        read = {
            by_id[s["Resource"]["Ref"]]
            for s in _role_statements(synth, "dev", function_id)
            if "secretsmanager:GetSecretValue" in _as_list(s["Action"])
        }
        expected = {names[n] for n in PERMISSIONS[handler].secrets if n in names}
        assert expected <= read, handler
        assert len(read) == len(PERMISSIONS[handler].secrets), handler


def test_only_declared_functions_reach_the_bucket_and_only_under_their_prefix(synth: Synth) -> None:
    content_id, _ = _content_bucket(synth, "dev")
    for function_id, handler in _handler_of(synth, "dev").items():
        statements = [
            s
            for s in _role_statements(synth, "dev", function_id)
            if any(a.startswith("s3:") for a in _as_list(s["Action"]))
        ]
        needs = PERMISSIONS[handler]
        assert len(statements) == len(needs.objects), handler
        for statement, access in zip(statements, needs.objects, strict=True):
            assert set(_as_list(statement["Action"])) == set(access.actions)
            assert statement["Resource"] == {
                "Fn::Join": ["", [{"Fn::GetAtt": [content_id, "Arn"]}, f"/{access.prefix}*"]]
            }


# --- WebSocket notifications, schedules, uploads, alarms ----------------------------------------------


def test_websocket_api_connects_through_the_handlers_and_notify_may_post(synth: Synth) -> None:
    (api,) = synth.resources("dev", "AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "WEBSOCKET"
    integrations = synth.resources("dev", "AWS::ApiGatewayV2::Integration")
    routes_by_key = {
        r["Properties"]["RouteKey"]: r for r in synth.resources("dev", "AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes_by_key) == set(routes.WEBSOCKET_ROUTES)
    for key, handler in routes.WEBSOCKET_ROUTES.items():
        integration_id = routes_by_key[key]["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
        uri = json.dumps(integrations[integration_id]["Properties"]["IntegrationUri"])
        assert _function_by_handler(synth, "dev", handler) in uri
    (stage,) = synth.resources("dev", "AWS::ApiGatewayV2::Stage").values()
    assert "AccessLogSettings" in stage["Properties"]
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    notify = _function_by_handler(synth, "dev", "gacha.notify")
    manage = [
        s
        for s in _role_statements(synth, "dev", notify)
        if "execute-api:ManageConnections" in _as_list(s["Action"])
    ]
    assert len(manage) == 1 and "/dev/POST/@connections/*" in json.dumps(manage[0]["Resource"])
    variables = synth.templates["dev"]["Resources"][notify]["Properties"]["Environment"]["Variables"]
    assert "execute-api" in json.dumps(variables["OSHI_WEBSOCKET_ENDPOINT"])
    others = [f for f, h in _handler_of(synth, "dev").items() if h != "gacha.notify"]
    for function_id in others:
        assert not any(
            "execute-api:ManageConnections" in _as_list(s["Action"])
            for s in _role_statements(synth, "dev", function_id)
        )
    (connections,) = [
        t
        for t in synth.resources("dev", "AWS::DynamoDB::Table").values()
        if t["Properties"]["TableName"].endswith("-connections")
    ]
    assert connections["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at",
        "Enabled": True,
    }


def test_schedules_run_their_handlers_on_a_rate(synth: Synth) -> None:
    rules = [
        r
        for r in synth.resources("dev", "AWS::Events::Rule").values()
        if "ScheduleExpression" in r["Properties"]
    ]
    assert len(rules) == len(topology.SCHEDULES)
    for schedule in topology.SCHEDULES:
        function_id = _function_by_handler(synth, "dev", schedule.handler)
        (rule,) = [
            r for r in rules if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
        ]
        assert rule["Properties"]["ScheduleExpression"] == f"rate({schedule.every_minutes} minutes)"
        assert rule["Properties"]["Targets"][0]["RetryPolicy"]["MaximumRetryAttempts"] >= 1


def test_every_schedule_target_has_an_alarmed_dead_letter_queue(synth: Synth) -> None:
    settings = Settings(stage="dev")
    queues = {r["Properties"]["QueueName"]: k for k, r in synth.resources("dev", "AWS::SQS::Queue").items()}
    alarmed = {
        dim["Value"]["Fn::GetAtt"][0]
        for alarm in synth.resources("dev", "AWS::CloudWatch::Alarm").values()
        for dim in alarm["Properties"].get("Dimensions", [])
        if dim["Name"] == "QueueName"
    }
    for schedule in topology.SCHEDULES:
        function_id = _function_by_handler(synth, "dev", schedule.handler)
        (target,) = [
            t
            for r in synth.resources("dev", "AWS::Events::Rule").values()
            if "ScheduleExpression" in r["Properties"]
            for t in r["Properties"]["Targets"]
            if t["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
        ]
        dlq_id = queues[settings.queue_name(f"{schedule.name}-schedule-dlq")]
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}, schedule.name
        assert dlq_id in alarmed, f"{schedule.name}: schedule DLQ without alarm"


def test_uploads_reach_the_validator_through_s3_notifications_and_a_queue(synth: Synth) -> None:
    settings = Settings(stage="dev")
    _, content = _content_bucket(synth, "dev")
    queues = {r["Properties"]["QueueName"]: k for k, r in synth.resources("dev", "AWS::SQS::Queue").items()}
    queue_id = queues[settings.queue_name(topology.UPLOAD_VALIDATION.queue)]
    (config,) = content["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert config["Event"] == "s3:ObjectCreated:*"
    assert config["Queue"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert config["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]
    policy = next(
        p
        for p in synth.resources("dev", "AWS::SQS::QueuePolicy").values()
        if {"Ref": queue_id} in p["Properties"]["Queues"]
    )
    assert any(
        s["Principal"] == {"Service": "s3.amazonaws.com"} and s["Action"] == "sqs:SendMessage"
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    )
    validator = _function_by_handler(synth, "dev", topology.UPLOAD_VALIDATION.handler)
    (mapping,) = [
        m
        for m in synth.resources("dev", "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": validator}
    ]
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_business_metric_alarms_notify_the_admins(synth: Synth) -> None:
    alarms = {
        a["Properties"].get("MetricName"): a["Properties"]
        for a in synth.resources("dev", "AWS::CloudWatch::Alarm").values()
    }
    for name, service in (
        ("FulfilmentLatencyMs", "gacha"),
        ("PaymentMismatches", "payment"),
        ("RefundsEscalated", "payment"),
        ("PlatformStorageNearLimit", "vtuber"),
    ):
        alarm = alarms[name]
        assert alarm["Namespace"] == "OshiGacha"
        assert alarm["Dimensions"] == [{"Name": "service", "Value": service}]
        assert alarm["AlarmActions"]


def test_templates_stay_under_the_cloudformation_resource_limit(synth: Synth) -> None:
    for path in synth.outdir.glob("*.template.json"):
        count = len(json.loads(path.read_text())["Resources"])
        print(f"{path.name}: {count} resources")
        assert count <= 450, f"{path.name}: {count} resources (limit 500); split another nested stack"


def test_cdn_web_acl_from_context_is_attached_to_the_distribution(synth: Synth) -> None:
    distribution = _content_distribution(synth, "prod")[1]
    assert distribution["Properties"]["DistributionConfig"]["WebACLId"] == CDN_WEB_ACL_ARN


def test_the_download_function_signs_for_this_distribution_and_key(synth: Synth) -> None:
    distribution_id = _content_distribution(synth, "dev")[0]
    (public_key_id,) = synth.resources("dev", "AWS::CloudFront::PublicKey")
    for function_id, handler in _handler_of(synth, "dev").items():
        variables = synth.templates["dev"]["Resources"][function_id]["Properties"]["Environment"]["Variables"]
        if PERMISSIONS[handler].cdn:
            assert variables["OSHI_CDN_DOMAIN"] == {"Fn::GetAtt": [distribution_id, "DomainName"]}
            assert variables["OSHI_CDN_KEY_PAIR_ID"] == {"Ref": public_key_id}
        else:
            assert variables["OSHI_CDN_DOMAIN"] == ""


def test_consumers_with_a_concurrency_cap_get_it_on_their_event_source(synth: Synth) -> None:
    capped = {c.max_concurrency for c in topology.CONSUMERS if c.max_concurrency}
    mappings = synth.resources("dev", "AWS::Lambda::EventSourceMapping").values()
    found = {m["Properties"].get("ScalingConfig", {}).get("MaximumConcurrency") for m in mappings}
    assert capped and capped <= found


# --- the fan app's hosting (infra/constructs/hosting.py) -----------------------------------------------


def _content_distribution(synth: Synth, stack: str) -> tuple[str, dict[str, Any]]:
    """The reward-download distribution (the stack also has the fan app's)."""
    (found,) = [
        (logical_id, r)
        for logical_id, r in synth.resources(stack, "AWS::CloudFront::Distribution").items()
        if "reward downloads" in r["Properties"]["DistributionConfig"].get("Comment", "")
    ]
    return found


def _fan_distribution(synth: Synth, stack: str) -> dict[str, Any]:
    found = [
        r["Properties"]["DistributionConfig"]
        for r in synth.resources(stack, "AWS::CloudFront::Distribution").values()
        if "fan app" in r["Properties"]["DistributionConfig"].get("Comment", "")
    ]
    assert len(found) == 1
    return found[0]


def test_fan_site_serves_pages_from_a_private_bucket_and_api_from_the_same_origin(synth: Synth) -> None:
    config = _fan_distribution(synth, "dev")
    assert config["DefaultRootObject"] == "index.html"
    default = config["DefaultCacheBehavior"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert [f["EventType"] for f in default["FunctionAssociations"]] == ["viewer-request"]
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviours) == {"_next/static/*", "api/*"}
    api = behaviours["api/*"]
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    # All viewer headers but Host (API Gateway needs its own), and Authorization through the cache key.
    assert api["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    policies = synth.resources("dev", "AWS::CloudFront::CachePolicy")
    api_policy = next(
        p for p in policies.values() if "API" in p["Properties"]["CachePolicyConfig"]["Comment"]
    )
    key = api_policy["Properties"]["CachePolicyConfig"]
    assert key["DefaultTTL"] == 0 and key["MinTTL"] == 0
    params = key["ParametersInCacheKeyAndForwardedToOrigin"]
    assert params["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
    assert params["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    origins = {o["Id"]: o for o in config["Origins"]}
    assert any("S3OriginConfig" in o and o.get("OriginAccessControlId") for o in origins.values())
    assert any("CustomOriginConfig" in o for o in origins.values())  # the REST API
    buckets = synth.resources("dev", "AWS::S3::Bucket")
    site = next(b for k, b in buckets.items() if k.startswith("FanSiteSiteBucket"))
    assert site["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


def test_fan_site_security_headers(synth: Synth) -> None:
    policies = synth.resources("dev", "AWS::CloudFront::ResponseHeadersPolicy")
    fan = next(
        p["Properties"]["ResponseHeadersPolicyConfig"]
        for p in policies.values()
        if "fan app" in p["Properties"]["ResponseHeadersPolicyConfig"].get("Comment", "")
    )
    security = fan["SecurityHeadersConfig"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ContentTypeOptions"]["Override"] is True
    assert "frame-ancestors 'none'" in security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    custom = {h["Header"]: h["Value"] for h in fan["CustomHeadersConfig"]["Items"]}
    assert "camera=()" in custom["Permissions-Policy"]


def test_the_export_is_uploaded_only_when_it_exists_with_immutable_assets_and_an_invalidation(
    synth: Synth,
) -> None:
    assert synth.resources("dev", "Custom::CDKBucketDeployment") == {}
    deployments = synth.resources("prod", "Custom::CDKBucketDeployment")
    assert len(deployments) == 2
    by_cache = {
        tuple(d["Properties"].get("SystemMetadata", {}).get("cache-control", "").split(", ")): d["Properties"]
        for d in deployments.values()
    }
    immutable = by_cache[("public", "max-age=31536000", "immutable")]
    pages = by_cache[("public", "max-age=0", "must-revalidate")]
    assert "DistributionId" not in immutable and pages["DistributionPaths"] == ["/*"]
    # The prod function lists the exported pages; the dev one (no export) rewrites nothing to 404.html.
    prod_code = next(iter(synth.resources("prod", "AWS::CloudFront::Function").values()))["Properties"]
    assert '["/", "/gacha/", "/orders/"]' in prod_code["FunctionCode"]
    dev_code = next(iter(synth.resources("dev", "AWS::CloudFront::Function").values()))["Properties"]
    assert "var PAGES = null;" in dev_code["FunctionCode"]


def test_fan_site_url_is_an_output_and_frontend_url_reaches_the_functions(synth: Synth) -> None:
    assert "FanSiteUrl" in synth.templates["dev"]["Outputs"]
    functions = synth.resources("with_consumer", "AWS::Lambda::Function")
    envs = [f["Properties"].get("Environment", {}).get("Variables", {}) for f in functions.values()]
    assert any(env.get("OSHI_FRONTEND_URL") == "https://fans.example" for env in envs)


def test_the_console_has_its_own_distribution_origin_and_upload_cors(synth: Synth) -> None:
    assert {"FanSiteUrl", "ConsoleSiteUrl"} <= set(synth.templates["dev"]["Outputs"])
    comments = sorted(
        d["Properties"]["DistributionConfig"].get("Comment", "")
        for d in synth.resources("dev", "AWS::CloudFront::Distribution").values()
    )
    assert "oshi dev: console and /api" in comments and "oshi dev: fan app and /api" in comments
    functions = synth.resources("with_consumer", "AWS::Lambda::Function")
    envs = [f["Properties"].get("Environment", {}).get("Variables", {}) for f in functions.values()]
    assert any(env.get("OSHI_CONSOLE_URL") == "https://console.example" for env in envs)
    # The console's presigned POST uploads: the content bucket answers CORS for the console's origins only.
    buckets = synth.resources("with_consumer", "AWS::S3::Bucket").values()
    rules = [
        rule for b in buckets for rule in b["Properties"].get("CorsConfiguration", {}).get("CorsRules", [])
    ]
    assert rules == [
        {
            "AllowedHeaders": ["*"],
            "AllowedMethods": ["POST"],
            "AllowedOrigins": ["https://console.example"],
            "MaxAge": 3000,
        }
    ]
    dev_buckets = synth.resources("dev", "AWS::S3::Bucket").values()
    assert not any("CorsConfiguration" in b["Properties"] for b in dev_buckets)  # no console_url: no CORS


# --- SnapStart (per stage) ------------------------------------------------------------------------------


def _route_of(handler: str) -> routes.Route:
    return next(route for route in routes.ROUTES if route.handler == handler)


def test_prod_snapstarts_the_latency_sensitive_functions_behind_an_alias_the_api_invokes(
    synth: Synth,
) -> None:
    from infra.constructs.functions import SNAPSTART_ALIAS, SNAPSTART_HANDLERS

    resources = synth.templates["prod"]["Resources"]
    handlers = _handler_of(synth, "prod")
    snapstarted = {
        handlers[lid]
        for lid, r in resources.items()
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"].get("SnapStart") == {"ApplyOn": "PublishedVersions"}
    }
    assert snapstarted == SNAPSTART_HANDLERS
    versions = {lid: r for lid, r in resources.items() if r["Type"] == "AWS::Lambda::Version"}
    aliases = {lid: r for lid, r in resources.items() if r["Type"] == "AWS::Lambda::Alias"}
    assert len(aliases) == len(versions) == len(SNAPSTART_HANDLERS)
    # An old version is a cached snapshot, billed: it goes when the alias moves on.
    assert all(v["DeletionPolicy"] == "Delete" for v in versions.values())
    alias_of: dict[str, str] = {}
    for alias_id, alias in aliases.items():
        props = alias["Properties"]
        assert props["Name"] == SNAPSTART_ALIAS
        version = versions[props["FunctionVersion"]["Fn::GetAtt"][0]]
        alias_of[handlers[version["Properties"]["FunctionName"]["Ref"]]] = alias_id
    methods = _methods(synth, "prod")
    for handler in SNAPSTART_HANDLERS - {routes.AUTHORIZER_HANDLER}:
        route = _route_of(handler)
        uri = json.dumps(methods[(route.method, route.path)]["Integration"]["Uri"])
        assert alias_of[handler] in uri, (handler, uri)
        environment = resources[_function_by_handler(synth, "prod", handler)]["Properties"]["Environment"]
        assert "dynamodb" in environment["Variables"]["OSHI_SNAPSTART_PRIME"].split(",")
    (authorizer,) = synth.resources("prod", "AWS::ApiGateway::Authorizer").values()
    assert alias_of[routes.AUTHORIZER_HANDLER] in json.dumps(authorizer["Properties"]["AuthorizerUri"])
    authorizer_env = resources[_function_by_handler(synth, "prod", routes.AUTHORIZER_HANDLER)]["Properties"]
    assert "jwt-public" in authorizer_env["Environment"]["Variables"]["OSHI_SNAPSTART_PRIME"].split(",")
    # API Gateway may invoke the alias (the permission names it, not only the function).
    permissions = synth.resources("prod", "AWS::Lambda::Permission").values()
    targets = {json.dumps(p["Properties"]["FunctionName"]) for p in permissions}
    assert all(any(alias_id in t for t in targets) for alias_id in aliases)


def test_dev_has_no_snapstart_and_the_api_invokes_the_functions(synth: Synth) -> None:
    resources = synth.templates["dev"]["Resources"]
    assert not [r for r in resources.values() if r["Type"] in ("AWS::Lambda::Alias", "AWS::Lambda::Version")]
    assert not [r for r in resources.values() if "SnapStart" in r.get("Properties", {})]


def test_snapstart_is_a_per_stage_context_setting(stub_layer: Path) -> None:
    from infra.constructs.functions import SNAPSTART_BY_STAGE

    assert SNAPSTART_BY_STAGE == {"dev": False, "prod": True}
    cases = (
        ({}, False),
        ({"snapstart": "true"}, True),
        ({"stage": "prod"}, True),
        ({"stage": "prod", "snapstart": False}, False),
    )
    for context, expected in cases:
        app = App(context={"layer_dir": str(stub_layer), **context})
        assert config_from_context(app).snapstart_on is expected, context
    with pytest.raises(ConfigError):
        config_from_context(App(context={"layer_dir": str(stub_layer), "snapstart": "yes"}))
