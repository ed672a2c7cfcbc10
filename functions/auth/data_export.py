"""POST /api/me/export: ask for a copy of everything held about the caller (APPI). Built off the
request path by ``privacy.export``; a short-lived download link is mailed. 202 with the export id."""

from __future__ import annotations

from pydantic import BaseModel

from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


class ExportRequestedOut(BaseModel):
    export_id: str


@endpoint
def post_data_export() -> Response[ExportRequestedOut]:
    export_id = accounts.request_export(endpoint.caller().user_id)
    return Response(
        status_code=202, content_type="application/json", body=ExportRequestedOut(export_id=export_id)
    )


handler = endpoint.lambda_handler
