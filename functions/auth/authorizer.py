"""API Gateway Lambda authorizer (TOKEN type).

Verifies the bearer token with the public key only, then returns one policy that covers every route the
caller's roles allow. The policy is cached per token, so it must not depend on which route triggered
it: it lists all allowed routes, computed from the route table by ``oshi.web.access.decide``. Routes that
need MFA are allowed here and refused by the handler with the precise ``MFA_REQUIRED`` code.

A token issued before the user's revocation marker (signed out everywhere, suspended) is refused like an
invalid one (401); ``oshi.identity.revocation`` says what that costs and how fast it takes effect.
"""

from __future__ import annotations

import os
import re
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.identity import revocation, tokens
from oshi.identity.principal import Caller
from oshi.identity.tokens import InvalidToken, bearer_token, verify_access_token
from oshi.kernel.startup import Logger
from oshi.web.access import Decision, decide
from oshi.web.routes import ROUTES

# Only the Logger (oshi.kernel.observability also builds Metrics): this function runs before most requests
# (its cold start: bench/auth_cold_start.py).
logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "oshi"))
tokens.load_verifier()  # every request verifies a token: PyJWT at init, not on the first request

_ARN_PREFIX = re.compile(r"^(arn:aws[\w-]*:execute-api:[^:]+:[^:]+:[^/]+/[^/]+)/")


def allowed_resources(method_arn: str, caller: Caller) -> list[str]:
    found = _ARN_PREFIX.match(method_arn)
    if not found:
        raise InvalidToken("unexpected method ARN")
    base = found.group(1)
    resources = []
    for route in ROUTES:
        if route.is_public or decide(route, caller) is Decision.WRONG_ROLE:
            continue
        resources.append(f"{base}/{route.method}{re.sub(r'{[^}]+}', '*', route.path)}")
    return resources


def policy(
    principal: str, effect: str, resources: list[str], context: dict[str, str] | None = None
) -> dict[str, Any]:
    document = {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resources}],
        },
    }
    if context:
        document["context"] = context
    return document


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        caller = verify_access_token(bearer_token(event.get("authorizationToken")))
    except InvalidToken as exc:
        logger.info("token refused", extra={"reason": str(exc)})
        # This exact message makes API Gateway answer 401 (our UNAUTHORIZED gateway response).
        raise Exception("Unauthorized") from None
    if revocation.is_revoked(caller):
        logger.info("token refused", extra={"reason": "revoked", "user_id": caller.user_id})
        raise Exception("Unauthorized")
    resources = allowed_resources(event["methodArn"], caller)
    if not resources:
        return policy(caller.user_id, "Deny", [event["methodArn"]], caller.to_context())
    return policy(caller.user_id, "Allow", resources, caller.to_context())
