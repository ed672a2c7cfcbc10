"""The WebSocket API for order notifications: $connect / $disconnect Lambdas, a logged, throttled stage."""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy, Stack, Token
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IConstruct

from infra.constructs.nag import acknowledge
from oshi.kernel.settings import Settings

# Per stage: a fan has one or two sockets open; connects are cheap but each runs a Lambda.
WS_RATE_LIMIT = 50.0
WS_BURST_LIMIT = 100


class WebSocket(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        connect: lambda_.Function,
        disconnect: lambda_.Function,
    ) -> None:
        super().__init__(scope, construct_id)
        prod = settings.stage == "prod"
        self.api = apigwv2.WebSocketApi(
            self,
            "Api",
            api_name=f"{settings.prefix}-ws",
            description=f"oshi {settings.stage}: order notifications (GachaCompleted, OrderRefunded)",
            connect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Connect", connect)
            ),
            disconnect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("Disconnect", disconnect)
            ),
        )
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.ONE_YEAR if prod else logs.RetentionDays.TWO_WEEKS,
            removal_policy=RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY,
        )
        self.stage = apigwv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=settings.stage,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(rate_limit=WS_RATE_LIMIT, burst_limit=WS_BURST_LIMIT),
        )
        cfn_stage: apigwv2.CfnStage = self.stage.node.default_child  # type: ignore[assignment]
        cfn_stage.access_log_settings = apigwv2.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn,
            # No query string: it carries the access token.
            format=json.dumps(
                {
                    "requestId": "$context.requestId",
                    "ip": "$context.identity.sourceIp",
                    "requestTime": "$context.requestTime",
                    "routeKey": "$context.routeKey",
                    "status": "$context.status",
                    "connectionId": "$context.connectionId",
                    "integrationError": "$context.integrationErrorMessage",
                }
            ),
        )
        cfn_stage.default_route_settings = apigwv2.CfnStage.RouteSettingsProperty(
            logging_level="ERROR",
            data_trace_enabled=False,  # frames carry order results
            throttling_rate_limit=WS_RATE_LIMIT,
            throttling_burst_limit=WS_BURST_LIMIT,
        )
        for route in self.api.node.find_all():
            if isinstance(route, apigwv2.CfnRoute):
                acknowledge(
                    route,
                    "AwsSolutions-APIG4",
                    "$connect checks the fan's access token itself (gacha.ws_connect, oshi.identity.tokens) and "
                    "refuses the handshake otherwise; $disconnect only forgets the caller's own connection.",
                )

    @property
    def callback_url(self) -> str:
        """What the notify consumer's management client uses (OSHI_WEBSOCKET_ENDPOINT)."""
        return self.stage.callback_url

    def grant_manage_connections(self, grantee: iam.IGrantable, scope: IConstruct) -> None:
        """postToConnection (POST) on this API's stage only."""
        stack = Stack.of(self)
        arn = stack.format_arn(
            service="execute-api",
            resource=self.api.api_id,
            resource_name=f"{self.stage.stage_name}/POST/@connections/*",
        )
        iam.Grant.add_to_principal(
            grantee=grantee, actions=["execute-api:ManageConnections"], resource_arns=[arn]
        )
        api_id = stack.resolve(stack.get_logical_id(self.api.node.default_child))  # type: ignore[arg-type]
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        acknowledge(
            scope,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:{region}:<AWS::AccountId>:"
            f"<{api_id}>/{self.stage.stage_name}/POST/@connections/*]",
            "postToConnection to any current connection of this one stage; connection ids are runtime values.",
        )
