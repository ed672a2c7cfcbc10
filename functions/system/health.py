"""GET /api/health: liveness. Touches nothing downstream, so it stays cheap and always answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from oshi.kernel.settings import get_settings
from oshi.web.api import Endpoint

endpoint = Endpoint(__name__)


class HealthOut(BaseModel):
    status: Literal["ok"]
    stage: str


@endpoint
def get_health() -> HealthOut:
    return HealthOut(status="ok", stage=get_settings().stage)


handler = endpoint.lambda_handler
