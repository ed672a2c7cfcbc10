"""A regional web ACL on the API stage: AWS managed rule groups and a per-IP rate limit."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from oshi.kernel.settings import Settings

# Requests per IP in any 5-minute window before WAF blocks that IP (the brief's "rate limiting").
RATE_LIMIT_PER_5_MIN = 1000
_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def web_acl_rules() -> list[wafv2.CfnWebACL.RuleProperty]:
    """A per-IP rate limit, then the AWS managed rule groups (same for the API and CloudFront)."""
    rules = [
        wafv2.CfnWebACL.RuleProperty(
            name=group,
            priority=priority,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS", name=group
                )
            ),
            visibility_config=_visibility(group),
        )
        for priority, group in enumerate(_MANAGED_RULE_GROUPS, start=1)
    ]
    rules.insert(
        0,
        wafv2.CfnWebACL.RuleProperty(
            name="RatePerIp",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=RATE_LIMIT_PER_5_MIN, aggregate_key_type="IP"
                )
            ),
            visibility_config=_visibility("RatePerIp"),
        ),
    )
    return rules


class ApiWaf(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, settings: Settings, stage: apigateway.Stage
    ) -> None:
        super().__init__(scope, construct_id)
        rules = web_acl_rules()
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=f"{settings.prefix}-api",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{settings.prefix}-api"),
            rules=rules,
        )
        association = wafv2.CfnWebACLAssociation(
            self, "ApiStageAssociation", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
        # The stage ARN is built from names, so without this CloudFormation may associate too early.
        association.node.add_dependency(stage)


class EdgeWafStack(Stack):
    """The CloudFront web ACL. CLOUDFRONT-scope ACLs exist only in us-east-1, hence a stack of its own
    (deployed first; its ``WebAclArn`` output goes to the main stack as context ``cdn_web_acl_arn``).
    A context value rather than a cross-region reference keeps ``cdk synth`` offline and adds no
    custom-resource Lambda."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.web_acl = wafv2.CfnWebACL(
            self,
            "CdnWebAcl",
            name=f"{settings.prefix}-cdn",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{settings.prefix}-cdn"),
            rules=web_acl_rules(),
        )
        CfnOutput(
            self,
            "WebAclArn",
            value=self.web_acl.attr_arn,
            description="Pass to the main stack: cdk deploy -c cdn_web_acl_arn=<this>",
        )
