"""GET /api/gachas: listed gachas (no sign-in), filtered by VTuber and sale state, paginated by cursor.

``q`` (a substring of the title or the VTuber's channel name, any case) and ``sort`` take the search
path (``storefront.search_public``: the listing read whole, filtered and ordered in memory); without them
the listing is read a page at a time, latest sale start first. Both answers are cached per URL (so per
``q`` and ``sort``) with an ETag, for as long as nothing in what was read crosses a sale boundary.
"""

from __future__ import annotations

from typing import Annotated

from gacha.public import cached_json
from oshi.catalogue import stock, storefront
from oshi.kernel import clock
from oshi.web.api import Endpoint
from oshi.web.params import Query
from oshi.web.response import Response

endpoint = Endpoint(__name__, response_model="oshi.web.schemas.catalogue:GachaPage")


@endpoint
def get_gachas(
    vtuber_id: Annotated[str | None, Query(pattern=r"^[0-9a-z]{26}$")] = None,
    status: Annotated[storefront.SaleState | None, Query()] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=storefront.MAX_QUERY_CHARS)] = None,
    sort: Annotated[storefront.CatalogueSort | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=storefront.MAX_PAGE)] = storefront.DEFAULT_PAGE,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response[str]:
    at = clock.utc_now()
    query = q.strip() if q else None
    if query or sort is not None:
        found = storefront.search_public(
            q=query,
            sort=sort or storefront.CatalogueSort.NEWEST,
            vtuber_id=vtuber_id,
            state=status,
            limit=limit,
            cursor=cursor,
            at=at,
        )
        stock.fill_sums(found.gachas)  # sharded gachas: their shards' (cached) sum, for the sale state
        items = [
            storefront.summary(
                g, found.owners[g.owner_user_id].status if g.owner_user_id in found.owners else None, at
            )
            for g in found.gachas
        ]
        page = {"items": items, "next_cursor": found.next_cursor}
        return cached_json(endpoint, page, storefront.max_age(found.considered, at, storefront.LINEUP_TTL))
    gachas, next_cursor = storefront.list_public(
        vtuber_id=vtuber_id, state=status, limit=limit, cursor=cursor, at=at
    )
    owners = storefront.vtuber_statuses(gachas)
    stock.fill_sums(gachas)
    items = [storefront.summary(g, owners.get(g.owner_user_id), at) for g in gachas]
    if status is not None:  # suspended and sold-out are only known after the read
        items = [item for item in items if item["sale_state"] == status.value]
    page = {"items": items, "next_cursor": next_cursor}
    return cached_json(endpoint, page, storefront.max_age(gachas, at, storefront.LINEUP_TTL))


handler = endpoint.lambda_handler
