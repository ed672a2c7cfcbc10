"""The REST API: one Lambda per route of ``oshi.web.routes.ROUTES``, the token authorizer, error responses."""

from __future__ import annotations

import json
from collections import defaultdict

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.monitoring import Monitoring
from infra.constructs.nag import acknowledge
from oshi.kernel.errors import GATEWAY_RESPONSES, MethodNotAllowed, error_body
from oshi.kernel.settings import Settings
from oshi.web import routes

# Stage-wide defaults; routes with ``throttle`` get tighter per-method limits. Per-IP limits: the WAF.
STAGE_RATE_LIMIT = 1000.0  # per method; money and auth routes are tighter (oshi.web.routes)
STAGE_BURST_LIMIT = 2000
AUTHORIZER_CACHE_TTL = Duration.seconds(300)
AUTHORIZER_MEMORY_MB = 512
AUTHORIZER_TIMEOUT_SECONDS = 5
# Mock integrations pick their request template by Content-Type; these cover what clients send.
_MOCK_CONTENT_TYPES = (
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data",
)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        functions: dict[str, lambda_.IFunction],
        authorizer_function: lambda_.IFunction,
        monitoring: Monitoring,
        frontend_origins: list[str],
    ) -> None:
        """``functions``: what to invoke per route handler (the function, or its SnapStart alias), built by
        the stack (they live in the parent stack; the
        API's methods and resources fill a nested stack of their own, see infra/stack.py)."""
        super().__init__(scope, construct_id)
        prod = settings.stage == "prod"
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=logs.RetentionDays.ONE_YEAR if prod else logs.RetentionDays.TWO_WEEKS,
            removal_policy=RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY,
        )
        method_options = {
            f"{route.path}/{route.method}": apigateway.MethodDeploymentOptions(
                throttling_rate_limit=route.throttle.rate_per_second,
                throttling_burst_limit=route.throttle.burst,
            )
            for route in routes.ROUTES
            if route.throttle is not None
        }
        cors = (
            apigateway.CorsOptions(
                allow_origins=frontend_origins,
                allow_methods=sorted({route.method for route in routes.ROUTES}),
                allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
                max_age=Duration.hours(1),
            )
            if frontend_origins
            else None
        )
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{settings.prefix}-api",
            description=f"oshi gacha API ({settings.stage})",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            # API Gateway writes access/execution logs only with the account-level CloudWatch role.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigateway.StageOptions(
                stage_name=settings.stage,
                tracing_enabled=True,
                metrics_enabled=True,
                logging_level=apigateway.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # bodies carry passwords and tokens
                throttling_rate_limit=STAGE_RATE_LIMIT,
                throttling_burst_limit=STAGE_BURST_LIMIT,
                method_options=method_options,
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
            ),
        )
        self.authorizer_function = authorizer_function
        self.authorizer = apigateway.TokenAuthorizer(
            self,
            "TokenAuthorizer",
            handler=self.authorizer_function,
            identity_source=apigateway.IdentitySource.header("Authorization"),
            results_cache_ttl=AUTHORIZER_CACHE_TTL,
        )
        self.functions: dict[str, lambda_.IFunction] = dict(functions)
        self.methods: dict[str, apigateway.Method] = {}
        by_path: dict[str, list[routes.Route]] = defaultdict(list)
        for route in routes.ROUTES:
            by_path[route.path].append(route)
        for path, path_routes in by_path.items():
            resource = self.rest_api.root.resource_for_path(path)
            for route in path_routes:
                self._add_route(resource, route)
            self._add_method_not_allowed(resource)
            if cors is not None:
                # Preflight only where a route is: a browser preflights the URL it calls, and an OPTIONS on
                # every intermediate resource (/api, /api/vtuber, ...) cost ~25 resources of the 500.
                resource.add_cors_preflight(
                    allow_origins=cors.allow_origins,
                    allow_methods=cors.allow_methods,
                    allow_headers=cors.allow_headers,
                    max_age=cors.max_age,
                )
        self._add_gateway_responses(frontend_origins)
        self._suppress_api_wide()
        monitoring.alarm(
            self,
            "Api5xxAlarm",
            metric=self.rest_api.metric_server_error(period=Duration.minutes(5)),
            threshold=5,
            description=f"{settings.prefix}-api: 5xx responses",
        )
        monitoring.graph(
            "API requests, 4xx, 5xx",
            [
                self.rest_api.metric_count(period=Duration.minutes(5)),
                self.rest_api.metric_client_error(period=Duration.minutes(5)),
                self.rest_api.metric_server_error(period=Duration.minutes(5)),
            ],
        )
        monitoring.graph("API latency (p99)", [self.rest_api.metric_latency(statistic="p99")])

    def _add_route(self, resource: apigateway.IResource, route: routes.Route) -> None:
        function = self.functions[route.handler]
        protected = not route.is_public
        method = resource.add_method(
            route.method,
            apigateway.LambdaIntegration(function, proxy=True, allow_test_invoke=False),
            authorizer=self.authorizer if protected else None,
            authorization_type=apigateway.AuthorizationType.CUSTOM
            if protected
            else apigateway.AuthorizationType.NONE,
            operation_name=route.function_id,
        )
        self.methods[route.handler] = method
        if not protected:
            acknowledge(
                method,
                "AwsSolutions-APIG4",
                f"{route.method} {route.path} is public by design in oshi.web.routes "
                "(access=PUBLIC): sign-up, sign-in, health, OpenAPI.",
            )
            acknowledge(
                method,
                "AwsSolutions-COG4",
                f"{route.method} {route.path} is public by design (oshi.web.routes).",
            )

    def _add_method_not_allowed(self, resource: apigateway.IResource) -> None:
        """ANY -> 405 with the common error body; explicit methods on the resource take precedence."""
        body = json.dumps(error_body(MethodNotAllowed.code, MethodNotAllowed.default_message))
        method = resource.add_method(
            "ANY",
            apigateway.MockIntegration(
                request_templates={ct: json.dumps({"statusCode": 405}) for ct in _MOCK_CONTENT_TYPES},
                integration_responses=[
                    apigateway.IntegrationResponse(
                        status_code="405", response_templates={"application/json": body}
                    )
                ],
            ),
            authorization_type=apigateway.AuthorizationType.NONE,
            method_responses=[apigateway.MethodResponse(status_code="405")],
        )
        acknowledge(
            method,
            "AwsSolutions-APIG4",
            "Mock integration that only answers 405 Method Not Allowed; reaches no backend.",
        )
        acknowledge(
            method,
            "AwsSolutions-COG4",
            "Mock integration that only answers 405 Method Not Allowed; reaches no backend.",
        )

    def _add_gateway_responses(self, frontend_origins: list[str]) -> None:
        """Answers API Gateway gives itself (no token, denied, unknown path, ...) use the common body."""
        headers = {"Content-Type": "'application/json'"}
        if len(frontend_origins) == 1:  # a static header can name one origin only
            headers["Access-Control-Allow-Origin"] = f"'{frontend_origins[0]}'"
        for key, error in GATEWAY_RESPONSES.items():
            self.rest_api.add_gateway_response(
                f"GatewayResponse{key.title().replace('_', '')}",
                type=apigateway.ResponseType.of(key),
                status_code=str(error.status),
                response_headers=headers,
                templates={"application/json": json.dumps(error_body(error.code, error.default_message))},
            )

    def _suppress_api_wide(self) -> None:
        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG2",
            "Bodies are validated in each handler by Powertools with pydantic models "
            "(one schema, also used for the OpenAPI document); a second copy here would drift.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level API Gateway CloudWatch role uses the AWS-managed "
            "AmazonAPIGatewayPushToCloudWatchLogs policy, the documented way to enable logs.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-COG4",
            "Tokens are the platform's own ES256 JWTs checked by a Lambda TOKEN "
            "authorizer (oshi.identity.tokens), not Cognito; preflight OPTIONS need no token.",
        )
        for method in self.rest_api.methods:
            if method.http_method == "OPTIONS":
                acknowledge(
                    method,
                    "AwsSolutions-APIG4",
                    "CORS preflight (OPTIONS) mock: browsers send it without a token.",
                )
