"""POST /api/rewards/download-url: a short-lived signed URL for one of the caller's own rewards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.rewards import downloads
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response
from reward import bodies

if TYPE_CHECKING:
    from reward.schemas import DownloadUrlIn

endpoint = Endpoint(
    __name__, body_model="reward.schemas:DownloadUrlIn", response_model="reward.schemas:DownloadUrlOut"
)


@endpoint
def post_download_url(body: DownloadUrlIn) -> Response[JsonObject]:
    source_ip = endpoint.request.source_ip or None
    issued = downloads.issue(endpoint.caller().user_id, body.reward_id, source_ip=source_ip)
    return Response(
        200, "application/json", bodies.download_url(issued), headers={"Cache-Control": "no-store"}
    )


handler = endpoint.lambda_handler
