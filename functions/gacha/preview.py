"""GET /api/gachas/{gacha_id}/prizes/{prize_id}/preview: 302 to the prize's public preview object.

The detail document names this stable path, so its ETag does not change with a signature; the redirect
goes to the CDN's unsigned ``previews/*`` path (AWS) or a presigned S3 GET (local). Never a reward file:
only keys under ``previews/`` are ever named (oshi.catalogue.previews)."""

from __future__ import annotations

from oshi.catalogue import previews, storefront
from oshi.web.api import Endpoint
from oshi.web.response import Response

endpoint = Endpoint(__name__)


@endpoint
def get_preview(gacha_id: str, prize_id: str) -> Response[str]:
    preview = storefront.prize_preview(gacha_id, prize_id)
    return Response(
        status_code=302,
        headers={
            "Location": previews.object_url(preview.object_key),
            "Cache-Control": f"public, max-age={previews.REDIRECT_MAX_AGE}",
        },
        body="",
    )


handler = endpoint.lambda_handler
