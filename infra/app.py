"""The CDK app (``cdk.json``: ``.venv/bin/python -m infra.app``).

Context (``-c key=value`` or cdk.json): ``stage`` (dev|prod, default dev), ``layer_dir`` (default
build/layer, built by ``make layer``), ``frontend_origins`` (CORS; a list or comma-separated),
``alert_emails``, ``cdn_public_key`` (PEM, or ``cdn_public_key_file``), ``cdn_domain_name`` and
``cdn_certificate_arn`` (us-east-1 ACM), ``cdn_web_acl_arn`` (the ``WebAclArn`` output of the
``Oshi-<stage>-edge`` stack in us-east-1), ``frontend_url`` (the fan app's origin, e.g. the ``FanSiteUrl``
output), ``console_url`` (the console's origin, e.g. the ``ConsoleSiteUrl`` output), ``snapstart``
(true|false: Lambda SnapStart on the latency-sensitive API functions; default per stage,
``infra.constructs.functions.SNAPSTART_BY_STAGE``), ``region``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from aws_cdk import Annotations, App, Environment

from infra.constructs.waf import EdgeWafStack
from infra.stack import ROOT, OshiStack, StackConfig
from oshi.kernel.settings import Settings

DEPLOYABLE_STAGES = ("dev", "prod")
EDGE_REGION = "us-east-1"  # where CloudFront-scope WAF lives


class ConfigError(SystemExit):
    """A context value makes the app unsynthesizable; the message says how to fix it."""


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item) for item in value]


def _optional(value: Any) -> str | None:
    return str(value) if value else None


def _flag(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise ConfigError(f"context 'snapstart' must be true or false, not {value!r}")
    return text == "true"


def config_from_context(app: App) -> StackConfig:
    stage = str(app.node.try_get_context("stage") or "dev")
    if stage not in DEPLOYABLE_STAGES:
        raise ConfigError(f"context 'stage' must be one of {DEPLOYABLE_STAGES}, not {stage!r}")
    layer_dir = Path(str(app.node.try_get_context("layer_dir") or ROOT / "build" / "layer"))
    if not layer_dir.is_absolute():
        layer_dir = ROOT / layer_dir
    if not (layer_dir / "python" / "oshi").is_dir():
        raise ConfigError(
            f"the Lambda layer is missing ({layer_dir / 'python' / 'oshi'} not found): run `make layer` "
            "(python -m infra.build_layer) first, or pass -c layer_dir=<dir with python/oshi>"
        )
    public_key = _optional(app.node.try_get_context("cdn_public_key"))
    key_file = _optional(app.node.try_get_context("cdn_public_key_file"))
    if public_key is None and key_file is not None:
        public_key = (ROOT / key_file).read_text()
    return StackConfig(
        stage=stage,
        layer_dir=layer_dir,
        frontend_origins=_list(app.node.try_get_context("frontend_origins")),
        alert_emails=_list(app.node.try_get_context("alert_emails")),
        cdn_public_key_pem=public_key,
        cdn_domain_name=_optional(app.node.try_get_context("cdn_domain_name")),
        cdn_certificate_arn=_optional(app.node.try_get_context("cdn_certificate_arn")),
        cdn_web_acl_arn=_optional(app.node.try_get_context("cdn_web_acl_arn")),
        frontend_url=_optional(app.node.try_get_context("frontend_url")),
        mail_from=_optional(app.node.try_get_context("mail_from")),
        seller_name=_optional(app.node.try_get_context("seller_name")),
        console_url=_optional(app.node.try_get_context("console_url")),
        snapstart=_flag(app.node.try_get_context("snapstart")),
    )


def build_app(app: App | None = None) -> tuple[App, OshiStack]:
    app = app or App()
    config = config_from_context(app)
    region = str(app.node.try_get_context("region") or Settings().region)
    missing_key = config.cdn_public_key_pem is None
    message = (
        "no CloudFront signing key (context cdn_public_key / cdn_public_key_file): reward files are "
        "not restricted to signed URLs; see docs/deploy.md"
    )
    if missing_key and config.stage == "prod":
        raise ConfigError(message)
    stack = OshiStack(
        app,
        f"Oshi-{config.stage}",
        config=config,
        env=Environment(region=region),
        description=f"oshi gacha platform ({config.stage})",
        termination_protection=config.stage == "prod",
    )
    if missing_key:
        Annotations.of(stack).add_warning_v2("oshi:cdnSigningKey", message)
    # CloudFront web ACLs exist only in us-east-1: a small stack there, deployed first (docs/deploy.md).
    EdgeWafStack(
        app,
        f"Oshi-{config.stage}-edge",
        settings=Settings(stage=config.stage),
        env=Environment(region=EDGE_REGION),
        description=f"oshi gacha platform ({config.stage}): CloudFront web ACL (us-east-1)",
        termination_protection=config.stage == "prod",
    )
    if config.cdn_web_acl_arn is None:
        Annotations.of(stack).add_warning_v2(
            "oshi:cdnWebAcl",
            f"no CloudFront web ACL: deploy Oshi-{config.stage}-edge and pass -c cdn_web_acl_arn=<its WebAclArn>",
        )
    return app, stack


def main() -> None:
    try:
        app, _ = build_app()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    app.synth()


if __name__ == "__main__":
    main()
