"""Telling a fan about their order over the WebSocket API (issue 6).

``$connect`` authenticates the access token from the query string (browsers cannot set headers on a
WebSocket) and stores the connection with a TTL; ``$disconnect`` deletes it. The notify consumer turns
``GachaCompleted`` / ``OrderRefunded`` into a small JSON message and posts it to each of the fan's
connections through the API Gateway management API; a connection API Gateway reports gone (410) is
deleted. The message is a hint: the client reads the full order with ``GET /api/gacha/orders/{id}``,
which always works, so a lost notification costs nothing but a poll.

The management endpoint comes from settings (``websocket_endpoint``): the WebSocket stage's callback URL
on AWS, the local WebSocket server's management port in the local stack (same client, same API).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from oshi.kernel import clock
from oshi.kernel.errors import Unauthorized
from oshi.kernel.observability import logger
from oshi.kernel.settings import get_settings
from oshi.models.connections import Connection

if TYPE_CHECKING:  # $connect / $disconnect import this module too: they need no pydantic
    from oshi.events.definitions import GachaCompletedData, OrderRefundedData, Received

# API Gateway closes a WebSocket after 2 h; the TTL only sweeps what a lost $disconnect leaves.
CONNECTION_TTL_SECONDS = 3 * 3600
# postToConnection accepts up to 128 KB; results beyond this are left to GET /api/gacha/orders/{id}.
MAX_MESSAGE_BYTES = 32 * 1024
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)


@dataclass(frozen=True)
class Delivery:
    sent: int
    gone: int


def connect(connection_id: str, token: str | None, *, now: float | None = None) -> Connection:
    """Store an authenticated connection; raises ``Unauthorized`` (-> the handshake is refused)."""
    if not token:
        raise Unauthorized("Pass the access token as ?token=")
    from oshi.identity import revocation  # only $connect verifies: notify stays light
    from oshi.identity.tokens import InvalidToken, verify_access_token

    try:
        caller = verify_access_token(token)
    except InvalidToken:
        raise Unauthorized("Invalid or expired access token") from None
    if revocation.is_revoked(caller):
        raise Unauthorized("Invalid or expired access token")
    issued = int(now if now is not None else clock.now())
    connection = Connection(
        connection_id=connection_id,
        user_id=caller.user_id,
        connected_at=issued,
        expires_at=datetime.fromtimestamp(issued + CONNECTION_TTL_SECONDS, UTC),
    )
    connection.save()
    return connection


def disconnect(connection_id: str) -> None:
    """Forget a connection; deleting one that is already gone is not an error."""
    Connection(connection_id=connection_id).delete()


def connections_of(user_id: str) -> list[str]:
    return [item.connection_id for item in Connection.by_user.query(user_id)]


def message_for(event: Received[GachaCompletedData | OrderRefundedData]) -> dict[str, Any]:
    """What the browser receives: the event type, its id (for dedupe) and the event's data (as sent)."""
    data = event.data.model_dump(mode="json", exclude_unset=True)
    message: dict[str, Any] = {
        "type": event.detail_type,
        "event_id": event.metadata.event_id,
        "order_id": event.data.order_id,
        "data": {key: value for key, value in data.items() if key not in ("fan_id", "user_id")},
    }
    if len(json.dumps(message, default=str)) > MAX_MESSAGE_BYTES:
        message["data"] = {"truncated": True}  # the client reads the order instead
    return message


def recipient_of(data: GachaCompletedData | OrderRefundedData) -> str | None:
    """The fan to tell: ``fan_id`` in the event, else the order's fan (one read)."""
    if data.fan_id:
        return data.fan_id
    from oshi.models.orders import Order  # only for events that do not name the fan

    try:
        return str(Order.get(data.order_id).fan_id)
    except Order.DoesNotExist:
        return None


@cache
def management_client(endpoint: str) -> Any:
    return boto3.session.Session().client(
        "apigatewaymanagementapi", endpoint_url=endpoint, region_name=get_settings().region, config=_CONFIG
    )


def _is_gone(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code == "GoneException" or status == 410


def notify_user(user_id: str, message: Mapping[str, Any]) -> Delivery:
    """Post ``message`` to every open connection of the fan; delete those that are gone.

    Other errors propagate so the queue retries the message (a fan may then get it twice: the
    ``event_id`` lets the client ignore the repeat)."""
    endpoint = get_settings().websocket_endpoint
    connection_ids = connections_of(user_id)
    if not endpoint or not connection_ids:
        return Delivery(sent=0, gone=0)
    api = management_client(endpoint)
    payload = json.dumps(message, separators=(",", ":"), default=str).encode()
    sent = gone = 0
    for connection_id in connection_ids:
        try:
            api.post_to_connection(ConnectionId=connection_id, Data=payload)
            sent += 1
        except ClientError as error:
            if not _is_gone(error):
                raise
            disconnect(connection_id)
            gone += 1
    logger.info("notified", extra={"user_id": user_id, "sent": sent, "gone": gone})
    return Delivery(sent=sent, gone=gone)
