"""POST /api/rewards/download-url: a short-lived signed URL for one of the caller's own rewards."""

from __future__ import annotations

from oshi.rewards import downloads
from oshi.web.api import Endpoint
from oshi.web.response import Response
from reward.schemas import DownloadUrlIn, DownloadUrlOut

endpoint = Endpoint(__name__)


@endpoint
def post_download_url(body: DownloadUrlIn) -> Response[DownloadUrlOut]:
    source_ip = endpoint.request.source_ip or None
    issued = downloads.issue(endpoint.caller().user_id, body.reward_id, source_ip=source_ip)
    reward = issued.reward
    out = DownloadUrlOut(
        url=issued.url,
        expires_at=issued.expires_at,
        file_name=reward.file_name,
        type=reward.content_type,
        size_bytes=int(reward.size_bytes or 0),
    )
    return Response(200, "application/json", out, headers={"Cache-Control": "no-store"})


handler = endpoint.lambda_handler
