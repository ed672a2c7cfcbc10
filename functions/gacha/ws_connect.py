"""WebSocket ``$connect``: authenticate the fan's access token (``?token=``) and store the connection.

Browsers cannot set an Authorization header on a WebSocket handshake, hence the query string. Any
non-2xx answer makes API Gateway refuse the handshake.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.fulfilment import notifications
from oshi.kernel.errors import Unauthorized
from oshi.kernel.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    connection_id = event["requestContext"]["connectionId"]
    token = (event.get("queryStringParameters") or {}).get("token")
    try:
        connection = notifications.connect(connection_id, token)
    except Unauthorized:
        logger.info("websocket connect refused", extra={"connection_id": connection_id})
        return {"statusCode": 401, "body": "Unauthorized"}
    logger.info("websocket connected", extra={"connection_id": connection_id, "user_id": connection.user_id})
    return {"statusCode": 200}
