"""Open WebSocket connections (API Gateway WebSocket API), one item per connection.

``$connect`` puts the item after checking the fan's access token; ``$disconnect`` deletes it; the notify
consumer deletes connections that API Gateway reports gone (410). A TTL removes what a lost
``$disconnect`` leaves behind (API Gateway closes a connection after 2 h anyway).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from oshi.models.base import table_meta


class ConnectionsByUser(GlobalSecondaryIndex["Connection"]):
    """A fan's open connections (a fan may have several tabs or devices)."""

    class Meta:
        index_name = "by-user"
        projection = KeysOnlyProjection()

    user_id = UnicodeAttribute(hash_key=True)
    connection_id = UnicodeAttribute(range_key=True)


class Connection(Model):
    Meta = table_meta("connections")

    connection_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    connected_at = NumberAttribute()
    expires_at = TTLAttribute()

    by_user = ConnectionsByUser()
