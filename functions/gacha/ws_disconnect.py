"""WebSocket ``$disconnect``: forget the connection (best effort on AWS; the TTL sweeps the rest)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.fulfilment import notifications
from oshi.kernel.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    notifications.disconnect(event["requestContext"]["connectionId"])
    return {"statusCode": 200}
