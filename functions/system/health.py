"""GET /api/health: liveness. Touches nothing downstream, so it stays cheap and always answers."""

from __future__ import annotations

from oshi.kernel.settings import get_settings
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject

endpoint = Endpoint(__name__, response_model="system.schemas:HealthOut")


@endpoint
def get_health() -> JsonObject:
    return {"status": "ok", "stage": get_settings().stage}


handler = endpoint.lambda_handler
