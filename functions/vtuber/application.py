"""GET /api/vtuber/application: the caller's own VTuber application and its state (404 before applying)."""

from __future__ import annotations

from oshi.catalogue import vtuber_queries
from oshi.kernel.errors import NotFound
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject
from vtuber import bodies

endpoint = Endpoint(__name__, response_model="vtuber.schemas:VtuberOut")


@endpoint
def get_application() -> JsonObject:
    vtuber = vtuber_queries.find_by_user(endpoint.caller().user_id)
    if vtuber is None:
        raise NotFound("No VTuber application yet.")
    return bodies.vtuber(vtuber)


handler = endpoint.lambda_handler
