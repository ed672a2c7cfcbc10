"""POST /api/me/export: ask for a copy of everything held about the caller (APPI). Built off the
request path by ``privacy.export``; a short-lived download link is mailed. 202 with the export id."""

from __future__ import annotations

from oshi.identity import accounts
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

endpoint = Endpoint(__name__, response_model="auth.schemas:ExportRequestedOut")


@endpoint
def post_data_export() -> Response[JsonObject]:
    export_id = accounts.request_export(endpoint.caller().user_id)
    return Response(202, "application/json", {"export_id": export_id})


handler = endpoint.lambda_handler
