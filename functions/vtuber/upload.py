"""POST /api/vtuber/upload: a presigned S3 POST for one file (approved VTubers only).

The key is chosen by the server; the policy pins it, the Content-Type and ``content-length-range``
1..size_bytes. The file goes straight to S3; ``vtuber.validate_upload`` checks it by its bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oshi.catalogue import uploads
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response
from vtuber import bodies

if TYPE_CHECKING:
    from vtuber.schemas import UploadIn

endpoint = Endpoint(__name__, body_model="vtuber.schemas:UploadIn", response_model="vtuber.schemas:UploadOut")


@endpoint
def post_upload(body: UploadIn) -> Response[JsonObject]:
    ticket = uploads.request_upload(
        endpoint.caller().user_id,
        filename=body.filename,
        content_type=body.content_type,
        size_bytes=body.size_bytes,
    )
    return Response(201, "application/json", bodies.upload(ticket))


handler = endpoint.lambda_handler
