"""POST /api/vtuber/upload: a presigned S3 POST for one file (approved VTubers only).

The key is chosen by the server; the policy pins it, the Content-Type and ``content-length-range``
1..size_bytes. The file goes straight to S3; ``vtuber.validate_upload`` checks it by its bytes.
"""

from __future__ import annotations

from oshi.catalogue import uploads
from oshi.models.assets import AssetStatus
from oshi.web.api import Endpoint
from oshi.web.response import Response
from vtuber.schemas import PresignedPost, UploadIn, UploadOut

endpoint = Endpoint(__name__)


@endpoint
def post_upload(body: UploadIn) -> Response[UploadOut]:
    ticket = uploads.request_upload(
        endpoint.caller().user_id,
        filename=body.filename,
        content_type=body.content_type,
        size_bytes=body.size_bytes,
    )
    out = UploadOut(
        asset_id=ticket.asset.asset_id,
        status=AssetStatus(ticket.asset.status),
        upload=PresignedPost(url=ticket.url, fields=ticket.fields),
        expires_in=ticket.expires_in,
        max_bytes=ticket.max_bytes,
    )
    return Response(status_code=201, content_type="application/json", body=out)


handler = endpoint.lambda_handler
