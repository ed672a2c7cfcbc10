"""The gacha editor's reads: a VTuber's own gachas, one with its prizes, whether it may still be edited, and
the limits every gacha is checked against (the creation form shows them).

Apart from ``oshi.catalogue.lineup`` (creating, editing and publishing: transactions, audit, events, the
box and fairness state), so the console's gacha views load the gacha model and nothing of the editor's
machinery (docs/performance.md §1).
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from oshi.catalogue import vtuber_queries
from oshi.kernel.errors import GachaNotFound, VtuberNotApproved
from oshi.models.gachas import Gacha, GachaStatus, Prize
from oshi.models.vtubers import Vtuber

PRICE_SINGLE_MIN = 100
PRICE_SINGLE_MAX = 10_000
PRICE_TEN_MIN = 1_000
PRICE_TEN_MAX = 100_000
MAX_MEDALS_PER_DRAW = 100
MAX_SALE_DAYS = 180
MAX_ASSETS_PER_PRIZE = 5
MAX_LINKED_ASSETS = 25  # per gacha: 1 gacha + 1 check + 41 prizes + 50 (old and new) links + 1 audit <= 100
MAX_TOTAL_STOCK = 10_000_000
MAX_CEILING = 1000  # 天井: draws; above this it protects nobody


def own_gacha(vtuber: Vtuber, gacha_id: str) -> Gacha:
    try:
        gacha = Gacha.get(gacha_id, consistent_read=True)
    except DoesNotExist:
        raise GachaNotFound() from None
    if gacha.vtuber_id != vtuber.vtuber_id:
        raise GachaNotFound()  # another VTuber's gacha: indistinguishable from a missing one
    return gacha


def prizes_of(gacha_id: str, *, consistent: bool = False) -> list[Prize]:
    return list(Prize.query(gacha_id, consistent_read=consistent))


def editable(gacha: Gacha, now: datetime) -> bool:
    if gacha.status == GachaStatus.DRAFT:
        return True
    return gacha.status == GachaStatus.PUBLISHED and now < gacha.starts_at


def list_own(user_id: str) -> list[Gacha]:
    vtuber = vtuber_queries.find_by_user(user_id)
    if vtuber is None:
        raise VtuberNotApproved(details={"status": "none"})
    return list(Gacha.by_vtuber.query(vtuber.vtuber_id, scan_index_forward=False))
