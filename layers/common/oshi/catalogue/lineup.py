"""Gacha creation and editing by its VTuber: every rule checked, everything written in ONE transaction.

Rules (``check_spec`` is pure; asset ownership needs one batch read; the limits are declared in
``oshi.catalogue.lineup_queries``, which the creation form reads without loading the editor):
- prices: integer JPY, single in [PRICE_SINGLE_MIN, PRICE_SINGLE_MAX], 10-draw in [PRICE_TEN_MIN,
  PRICE_TEN_MAX] and never more than ten singles;
- sale window: timezone-aware, start in the future, start < end, at most MAX_SALE_DAYS long;
- rates: ``oshi.draw.rates.check`` (integer ppm >= 1, exactly 1,000,000 in total, known rarities, a guarantee
  that can be met and means something);
- stock: optional total (draws that may be sold) and per-prize stock, integers >= 1;
- assets: every granted asset exists in this VTuber's own partition and is ``validated``;
- complete-gacha ban: nothing can be granted for collecting a set. The request model has no such field
  and rejects unknown fields; ``complete_gacha_fields`` names the attempt explicitly.

Freeze rule: a draft can be edited any time; a published gacha only while ``now < starts_at``. The
write is conditional on exactly that (and on the version the editor loaded), so an edit racing the sale
start loses with 409 ``GACHA_FROZEN``. Prizes therefore cannot be removed or re-rated during a sale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from oshi import audit
from oshi.catalogue import previews, stock, vtuber_queries
from oshi.catalogue.asset_queries import owned_assets
from oshi.catalogue.lineup_queries import (
    MAX_ASSETS_PER_PRIZE,
    MAX_CEILING,
    MAX_LINKED_ASSETS,
    MAX_MEDALS_PER_DRAW,
    MAX_SALE_DAYS,
    MAX_TOTAL_STOCK,
    PRICE_SINGLE_MAX,
    PRICE_SINGLE_MIN,
    PRICE_TEN_MAX,
    PRICE_TEN_MIN,
    editable,
    own_gacha,
    prizes_of,
)
from oshi.draw import box as boxes
from oshi.draw import fairness_store, rates
from oshi.events import bus
from oshi.kernel import clock
from oshi.kernel.errors import (
    Conflict,
    EventPublishFailed,
    GachaEditConflict,
    GachaFrozen,
    GachaInvalid,
    VtuberNotApproved,
)
from oshi.kernel.ids import new_id
from oshi.kernel.observability import logger
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.assets import Asset, AssetStatus
from oshi.models.gachas import PUBLIC_LISTING, Gacha, GachaKind, GachaStatus, Prize
from oshi.models.vtubers import Vtuber, VtuberStatus

if TYPE_CHECKING:
    from oshi.events.definitions import EventDefinition, GachaChangedData

COMPLETE_GACHA_KEY = re.compile(
    r"complete|comp_?gacha|kompu|collect|full_?set|set_?(bonus|reward|prize)|bingo", re.IGNORECASE
)


@dataclass(frozen=True)
class PrizeSpec:
    name: str
    rarity: str
    rate_ppm: int
    asset_ids: tuple[str, ...]
    stock: int | None = None
    preview_asset_id: str | None = None  # a public preview (oshi.catalogue.previews), never a reward
    tickets: int | None = None  # box gachas: this prize's tickets in the box


@dataclass(frozen=True)
class GachaSpec:
    title: str
    description: str
    price_single: int
    price_ten: int
    starts_at: datetime
    ends_at: datetime
    prizes: tuple[PrizeSpec, ...]
    medals_per_draw: int = 1
    total_stock: int | None = None
    guarantee_min_rarity: str | None = None
    kind: str = GachaKind.RATE.value
    ceiling: int | None = None  # rate gachas: 天井 (draws)
    last_one: PrizeSpec | None = None  # box gachas: ラストワン賞, to whoever takes the last ticket
    stock_shards: int | None = None  # sharded stock (oshi.catalogue.stock); None: from the stock size

    @property
    def is_box(self) -> bool:
        return self.kind == GachaKind.BOX.value

    @property
    def rate_entries(self) -> tuple[rates.PrizeRate, ...]:
        return rates.lineup([(p.rarity, p.rate_ppm) for p in self.prizes])

    @property
    def all_prizes(self) -> tuple[PrizeSpec, ...]:
        return self.prizes + ((self.last_one,) if self.last_one is not None else ())

    @property
    def asset_ids(self) -> set[str]:
        return {asset_id for p in self.all_prizes for asset_id in p.asset_ids}

    @property
    def preview_ids(self) -> set[str]:
        return {p.preview_asset_id for p in self.all_prizes if p.preview_asset_id}

    def box(self) -> boxes.Box:
        entries = self.rate_entries
        return boxes.Box(
            tuple(
                boxes.BoxPrize(e.prize_id, p.rarity, int(p.tickets or 0))
                for e, p in zip(entries, self.prizes, strict=True)
            ),
            (boxes.LAST_ONE_ID, self.last_one.rarity) if self.last_one is not None else None,
        )


def _problem(field: str, message: str, kind: str) -> dict[str, str]:
    return {"field": field, "message": message, "type": kind}


def complete_gacha_fields(raw: Any, path: str = "") -> list[dict[str, str]]:
    """Every key (at any depth) that would tie a grant to collecting a set: banned (コンプガチャ)."""
    found: list[dict[str, str]] = []
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            where = f"{path}.{key}" if path else str(key)
            if COMPLETE_GACHA_KEY.search(str(key)):
                found.append(
                    _problem(
                        where,
                        "Granting anything for collecting a set of random prizes (complete gacha) is prohibited.",
                        "complete_gacha_forbidden",
                    )
                )
            found.extend(complete_gacha_fields(value, where))
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            found.extend(complete_gacha_fields(value, f"{path}.{i}"))
    return found


def check_spec(spec: GachaSpec, now: datetime) -> list[dict[str, str]]:
    """Every rule that needs no I/O; an empty list means the spec is valid."""
    problems: list[dict[str, str]] = []
    if not PRICE_SINGLE_MIN <= spec.price_single <= PRICE_SINGLE_MAX:
        problems.append(
            _problem(
                "price_single",
                f"a single draw costs {PRICE_SINGLE_MIN} to {PRICE_SINGLE_MAX} JPY",
                "price_out_of_bounds",
            )
        )
    if not PRICE_TEN_MIN <= spec.price_ten <= PRICE_TEN_MAX:
        problems.append(
            _problem(
                "price_ten", f"a 10-draw costs {PRICE_TEN_MIN} to {PRICE_TEN_MAX} JPY", "price_out_of_bounds"
            )
        )
    elif spec.price_ten > 10 * spec.price_single:
        problems.append(
            _problem(
                "price_ten", "a 10-draw cannot cost more than ten single draws", "price_ten_above_singles"
            )
        )
    if not 0 <= spec.medals_per_draw <= MAX_MEDALS_PER_DRAW:
        problems.append(
            _problem("medals_per_draw", f"0 to {MAX_MEDALS_PER_DRAW} medals per draw", "out_of_bounds")
        )
    for field in ("starts_at", "ends_at"):
        if getattr(spec, field).tzinfo is None:
            problems.append(_problem(field, "give a time zone (e.g. +09:00 or Z)", "naive_datetime"))
    if not any(p["type"] == "naive_datetime" for p in problems):
        if spec.starts_at <= now:
            problems.append(_problem("starts_at", "the sale must start in the future", "start_in_past"))
        if spec.ends_at <= spec.starts_at:
            problems.append(_problem("ends_at", "the sale must end after it starts", "end_before_start"))
        elif spec.ends_at - spec.starts_at > timedelta(days=MAX_SALE_DAYS):
            problems.append(
                _problem("ends_at", f"a sale lasts at most {MAX_SALE_DAYS} days", "window_too_long")
            )
    if spec.total_stock is not None and not 1 <= spec.total_stock <= MAX_TOTAL_STOCK:
        problems.append(_problem("total_stock", f"1 to {MAX_TOTAL_STOCK} draws", "out_of_bounds"))
    if spec.stock_shards is not None:
        limited = spec.total_stock if not spec.is_box else sum(p.tickets or 0 for p in spec.prizes)
        if not 1 <= spec.stock_shards <= stock.MAX_SHARDS:
            problems.append(_problem("stock_shards", f"1 to {stock.MAX_SHARDS} shards", "out_of_bounds"))
        elif not limited or spec.stock_shards > limited:
            problems.append(
                _problem("stock_shards", "a limited stock with at least one draw per shard", "out_of_bounds")
            )
    labelled = [(f"prizes.{i}", p) for i, p in enumerate(spec.prizes)]
    if spec.last_one is not None:
        labelled.append(("last_one", spec.last_one))
    for where, prize in labelled:
        if not prize.name.strip():
            problems.append(_problem(f"{where}.name", "a prize needs a name", "blank"))
        if not 1 <= len(prize.asset_ids) <= MAX_ASSETS_PER_PRIZE:
            problems.append(
                _problem(
                    f"{where}.asset_ids", f"a prize grants 1 to {MAX_ASSETS_PER_PRIZE} assets", "asset_count"
                )
            )
    problems += _format_problems(spec)
    for i, prize in enumerate(spec.prizes):
        if prize.stock is not None and not 1 <= prize.stock <= MAX_TOTAL_STOCK:
            problems.append(_problem(f"prizes.{i}.stock", f"1 to {MAX_TOTAL_STOCK}", "out_of_bounds"))
        if len(set(prize.asset_ids)) != len(prize.asset_ids):
            problems.append(_problem(f"prizes.{i}.asset_ids", "an asset is listed twice", "duplicate_asset"))
        if prize.preview_asset_id and prize.preview_asset_id in spec.asset_ids:
            problems.append(
                _problem(
                    f"prizes.{i}.preview_asset_id",
                    "a preview must be a separate asset, never a prize's reward file",
                    "preview_is_a_reward",
                )
            )
    if len(spec.asset_ids | spec.preview_ids) > MAX_LINKED_ASSETS:
        problems.append(
            _problem(
                "prizes", f"a gacha grants at most {MAX_LINKED_ASSETS} distinct assets", "too_many_assets"
            )
        )
    return problems


def _format_problems(spec: GachaSpec) -> list[dict[str, str]]:
    """The rules of the gacha's format: the rate table (and ceiling), or the box's tickets."""
    problems: list[dict[str, str]] = []
    if spec.kind not in (GachaKind.RATE.value, GachaKind.BOX.value):
        return [_problem("kind", "kind is rate or box", "unknown_kind")]
    if not spec.is_box:
        for i, prize in enumerate(spec.prizes):
            if prize.tickets is not None:
                problems.append(_problem(f"prizes.{i}.tickets", "tickets are for box gachas", "not_a_box"))
        if spec.last_one is not None:
            problems.append(_problem("last_one", "a last-one prize is for box gachas", "not_a_box"))
        try:
            rates.check(spec.rate_entries, spec.guarantee_min_rarity)
        except rates.RateRuleError as err:
            problems.extend(err.problems)
        if spec.ceiling is not None and not problems:
            top = rates.top_rarity(spec.rate_entries)
            if not 1 <= spec.ceiling <= MAX_CEILING:
                problems.append(
                    _problem("ceiling", f"a ceiling is 1 to {MAX_CEILING} draws", "out_of_bounds")
                )
            if any(p.rarity == top and p.stock is not None for p in spec.prizes):
                # the ceiling slot draws only the top rarity: it must never run out
                problems.append(
                    _problem(
                        "ceiling",
                        f"with a ceiling, the {top} prizes cannot have limited stock",
                        "ceiling_stock",
                    )
                )
        return problems
    # a box: no rates are typed; the chance of a prize is its tickets left over all tickets left
    for field, value in (
        ("total_stock", spec.total_stock),
        ("guarantee", spec.guarantee_min_rarity),
        ("ceiling", spec.ceiling),
    ):
        if value is not None:
            problems.append(
                _problem(field, f"a box gacha has no {field} (the box is its stock)", "not_for_box")
            )
    if len(spec.prizes) > rates.MAX_PRIZES:
        problems.append(_problem("prizes", f"at most {rates.MAX_PRIZES} prizes", "too_many_prizes"))
    for i, prize in enumerate(spec.all_prizes):
        where = f"prizes.{i}" if i < len(spec.prizes) else "last_one"
        if prize.rarity not in rates.RARITY_ORDER:
            problems.append(
                _problem(
                    f"{where}.rarity",
                    f"rarity must be one of {', '.join(rates.RARITY_ORDER)}",
                    "unknown_rarity",
                )
            )
        if prize.stock is not None:
            problems.append(_problem(f"{where}.stock", "a box prize's stock is its tickets", "not_for_box"))
    for i, prize in enumerate(spec.prizes):
        if type(prize.tickets) is not int or prize.tickets < 1:
            problems.append(
                _problem(f"prizes.{i}.tickets", "a box prize has 1 or more tickets", "out_of_bounds")
            )
    total = sum(p.tickets for p in spec.prizes if type(p.tickets) is int and p.tickets > 0)
    if total > boxes.MAX_TICKETS:
        problems.append(
            _problem("prizes", f"a box holds at most {boxes.MAX_TICKETS} tickets", "box_too_large")
        )
    return problems


def check_assets(spec: GachaSpec, assets: Mapping[str, Asset]) -> list[dict[str, str]]:
    problems = []
    for i, prize in enumerate(spec.all_prizes):
        for j, asset_id in enumerate(prize.asset_ids):
            asset = assets.get(asset_id)
            field = f"prizes.{i}.asset_ids.{j}"
            if asset is None:
                problems.append(_problem(field, f"{asset_id} is not one of your assets", "asset_not_found"))
            elif asset.status != AssetStatus.VALIDATED:
                problems.append(
                    _problem(field, f"{asset_id} is {asset.status}, not validated", "asset_not_validated")
                )
        preview_id = prize.preview_asset_id
        if preview_id:
            preview = assets.get(preview_id)
            field = f"prizes.{i}.preview_asset_id"
            if preview is None:
                problems.append(_problem(field, f"{preview_id} is not one of your assets", "asset_not_found"))
            elif preview.status != AssetStatus.VALIDATED:
                problems.append(
                    _problem(field, f"{preview_id} is {preview.status}, not validated", "asset_not_validated")
                )
            elif preview.kind not in previews.KINDS:
                problems.append(_problem(field, "a preview is an image, audio or video file", "preview_kind"))
            elif int(preview.size_bytes or 0) > previews.MAX_PREVIEW_BYTES:
                problems.append(
                    _problem(
                        field, f"a preview is at most {previews.MAX_PREVIEW_BYTES} bytes", "preview_too_large"
                    )
                )
            elif preview.linked_gachas:
                problems.append(
                    _problem(field, f"{preview_id} is a reward file of a gacha", "preview_is_a_reward")
                )
    return problems


def _validate(vtuber: Vtuber, spec: GachaSpec, now: datetime) -> dict[str, Asset]:
    problems = check_spec(spec, now)
    assets = owned_assets(vtuber.vtuber_id, spec.asset_ids | spec.preview_ids)
    problems += check_assets(spec, assets)
    for asset_id in sorted(spec.asset_ids):
        if asset_id in assets and assets[asset_id].preview_for:
            problems.append(
                _problem(
                    "prizes", f"{asset_id} is a public preview, not a reward file", "reward_is_a_preview"
                )
            )
    if problems:
        raise GachaInvalid(details=problems)
    return assets


def _prizes(gacha_id: str, spec: GachaSpec, assets: Mapping[str, Asset]) -> list[Prize]:
    rows = []
    ids = [e.prize_id for e in spec.rate_entries] + ([boxes.LAST_ONE_ID] if spec.last_one else [])
    for i, (prize, prize_id) in enumerate(zip(spec.all_prizes, ids, strict=True)):
        row = Prize(
            gacha_id,
            prize_id,
            position=i,
            name=prize.name.strip(),
            rarity=prize.rarity,
            rate_ppm=0 if spec.is_box else prize.rate_ppm,
            asset_ids=list(prize.asset_ids),
            stock=prize.stock,
            remaining=prize.stock,
            tickets=prize.tickets if spec.is_box and prize_id != boxes.LAST_ONE_ID else None,
            last_one="1" if prize_id == boxes.LAST_ONE_ID else None,
        )
        if prize.preview_asset_id:
            preview = assets[prize.preview_asset_id]
            row.preview_asset_id = preview.asset_id
            row.preview_key = previews.object_key(gacha_id, prize_id, preview.asset_id)
            row.preview_type = preview.detected_type or preview.declared_type
            row.preview_kind = preview.kind
        rows.append(row)
    return rows


def _copy_previews(prizes: list[Prize], assets: Mapping[str, Asset]) -> None:
    """Before the transaction: a stored preview key always has its object (orphans, if it fails, are harmless)."""
    for prize in prizes:
        if prize.preview_asset_id and prize.preview_key:
            source = assets[prize.preview_asset_id]
            previews.copy_to_public(
                source.object_key, prize.preview_key, prize.preview_type or "application/octet-stream"
            )


def _apply_spec(gacha: Gacha, spec: GachaSpec) -> None:
    if spec.is_box:
        box = spec.box()
        document = box.document()  # the committed ticket multiset (docs/fairness.md section 10)
        spec = replace(spec, total_stock=box.total)  # the box is the stock: purchases reserve tickets
    else:
        document = rates.rate_table_document(spec.rate_entries, spec.guarantee_min_rarity, spec.ceiling)
    gacha.kind = spec.kind if spec.is_box else None
    gacha.ceiling = spec.ceiling
    new_hash = rates.table_hash(document)
    if getattr(gacha, "rate_table_hash", None) != new_hash:
        gacha.rate_table_version = int(getattr(gacha, "rate_table_version", None) or 0) + 1
    gacha.rate_table = document
    gacha.rate_table_hash = new_hash
    gacha.title = spec.title.strip()
    gacha.description = spec.description
    gacha.price_single = spec.price_single
    gacha.price_ten = spec.price_ten
    gacha.medals_per_draw = spec.medals_per_draw
    gacha.starts_at = spec.starts_at.astimezone(UTC)
    gacha.ends_at = spec.ends_at.astimezone(UTC)
    gacha.total_stock = spec.total_stock
    # Sharded stock (issue 21): fixed with the lineup once the sale starts; 1 is the gacha item itself.
    shards = (
        (spec.stock_shards or stock.default_shards(spec.total_stock)) if spec.total_stock is not None else 1
    )
    gacha.stock_shards = shards if shards > 1 else None
    gacha.guarantee_min_rarity = spec.guarantee_min_rarity
    gacha.prize_count = len(spec.all_prizes)


def _link(txn: Txn, vtuber_id: str, gacha_id: str, spec: GachaSpec) -> None:
    # A reward is never a public preview and a preview never a reward: checked here, at commit time.
    for asset_id in sorted(spec.asset_ids):
        txn.update(
            f"asset:{asset_id}",
            Asset(vtuber_id, asset_id),
            actions=[Asset.linked_gachas.add({gacha_id})],
            condition=(Asset.status == AssetStatus.VALIDATED.value) & Asset.preview_for.does_not_exist(),
        )
    for asset_id in sorted(spec.preview_ids):
        txn.update(
            f"asset:{asset_id}",
            Asset(vtuber_id, asset_id),
            actions=[Asset.preview_for.add({gacha_id})],
            condition=(Asset.status == AssetStatus.VALIDATED.value) & Asset.linked_gachas.does_not_exist(),
        )


def _raise_for(failed: ConditionsFailed) -> None:
    assets = sorted(label.split(":", 1)[1] for label in failed.labels if label.startswith("asset:"))
    if "vtuber" in failed.labels:
        raise VtuberNotApproved(details={"status": "changed"})
    if assets:
        raise GachaInvalid(
            details=[
                _problem(
                    "prizes",
                    f"{asset_id} is no longer a validated asset, or became a reward or a preview elsewhere",
                    "asset_not_validated",
                )
                for asset_id in assets
            ]
        )


def _event_data(gacha: Gacha) -> GachaChangedData:
    # oshi.events.definitions imports pydantic: the read routes that use this module (the VTuber's gacha
    # list, editor and creation form) must not load it at cold start, so only the writes that publish do.
    from oshi.events.definitions import GachaChangedData

    return GachaChangedData(
        gacha_id=gacha.gacha_id,
        vtuber_id=gacha.vtuber_id,
        status=gacha.status,
        starts_at=gacha.starts_at,
        ends_at=gacha.ends_at,
        prize_count=int(gacha.prize_count),
        rate_table_version=int(gacha.rate_table_version),
        rate_table_hash=gacha.rate_table_hash,
    )


def _publish(definition: EventDefinition[GachaChangedData], gacha: Gacha, correlation_id: str | None) -> None:
    event = definition.event(_event_data(gacha), correlation_id=correlation_id, version=int(gacha.version))
    try:
        bus.publish([event])
    except EventPublishFailed:
        # The gacha is committed; nothing downstream depends on this event for correctness yet.
        logger.exception(
            "event not published", extra={"detail_type": definition.detail_type, "gacha_id": gacha.gacha_id}
        )


def _audit_view(gacha: Gacha) -> dict[str, Any]:
    return {
        "status": gacha.status,
        "version": int(gacha.version),
        "rate_table_version": int(gacha.rate_table_version),
        "rate_table_hash": gacha.rate_table_hash,
        "starts_at": gacha.starts_at.isoformat(),
        "ends_at": gacha.ends_at.isoformat(),
        "price_single": int(gacha.price_single),
        "price_ten": int(gacha.price_ten),
    }


def create_gacha(
    user_id: str, spec: GachaSpec, *, publish: bool = False, request_id: str | None = None
) -> tuple[Gacha, list[Prize]]:
    vtuber = vtuber_queries.require_approved(user_id)
    now = clock.utc_now()
    assets = _validate(vtuber, spec, now)
    gacha_id = new_id()
    gacha = Gacha(
        gacha_id,
        vtuber_id=vtuber.vtuber_id,
        owner_user_id=user_id,
        status=(GachaStatus.PUBLISHED if publish else GachaStatus.DRAFT).value,
        listing=PUBLIC_LISTING if publish else None,
        sold_draws=0,
        version=1,
        created_at=now,
        updated_at=now,
        published_at=now if publish else None,
    )
    _apply_spec(gacha, spec)
    prizes = _prizes(gacha_id, spec, assets)
    _copy_previews(prizes, assets)
    txn = Txn()
    txn.check(
        "vtuber", Vtuber, user_id, None, Vtuber.status == VtuberStatus.APPROVED.value
    )  # still approved at commit time
    txn.put("gacha", gacha, condition=Gacha.gacha_id.does_not_exist())
    for prize in prizes:
        txn.put(f"prize:{prize.prize_id}", prize, condition=Prize.prize_id.does_not_exist())
    _link(txn, vtuber.vtuber_id, gacha_id, spec)
    # the audit entry commits with the gacha (the audit outbox)
    audit.add(
        txn, user_id, "gacha.created", f"gacha/{gacha_id}", after=_audit_view(gacha), request_id=request_id
    )
    try:
        txn.commit()
    except ConditionsFailed as failed:
        _raise_for(failed)
        raise
    if publish:
        fairness_store.on_published(gacha, now)  # commit to the server seed before the sale (issue 11)
        _fill_box(gacha, now)
    from oshi.events.definitions import GACHA_CREATED  # pydantic: on the write path only (see _publish)

    _publish(GACHA_CREATED, gacha, request_id)
    return gacha, prizes


def _fill_box(gacha: Gacha, at: datetime) -> None:
    """A published box gets its full state item (before its sale, so no ticket can have been taken)."""
    if gacha.kind == GachaKind.BOX.value:
        fairness_store.reset_box(gacha.gacha_id, gacha.rate_table, at)


def _editable_condition(expected_version: int, now: datetime) -> Any:
    return (Gacha.version == expected_version) & (
        (Gacha.status == GachaStatus.DRAFT.value)
        | ((Gacha.status == GachaStatus.PUBLISHED.value) & (Gacha.starts_at > now))
    )


def _refuse_edit(gacha_id: str, expected_version: int, now: datetime) -> None:
    current = Gacha.get(gacha_id, consistent_read=True)
    if not editable(current, now):
        raise GachaFrozen(details={"status": current.status, "starts_at": current.starts_at.isoformat()})
    if int(current.version) != expected_version:
        raise GachaEditConflict(details={"version": int(current.version)})


def update_gacha(
    user_id: str,
    gacha_id: str,
    spec: GachaSpec,
    *,
    expected_version: int | None = None,
    request_id: str | None = None,
) -> tuple[Gacha, list[Prize]]:
    vtuber = vtuber_queries.require_approved(user_id)
    now = clock.utc_now()
    gacha = own_gacha(vtuber, gacha_id)
    version = int(gacha.version) if expected_version is None else expected_version
    _refuse_edit(gacha_id, version, now)  # clear answer before validating: frozen wins over field errors
    assets = _validate(vtuber, spec, now)
    before = _audit_view(gacha)
    old_prizes = prizes_of(gacha_id, consistent=True)
    old_assets = {asset_id for prize in old_prizes for asset_id in prize.asset_ids}
    old_previews = {str(prize.preview_asset_id) for prize in old_prizes if prize.preview_asset_id}
    _apply_spec(gacha, spec)
    gacha.version = version + 1
    gacha.updated_at = now
    prizes = _prizes(gacha_id, spec, assets)
    _copy_previews(prizes, assets)
    txn = Txn()
    txn.check("vtuber", Vtuber, user_id, None, Vtuber.status == VtuberStatus.APPROVED.value)
    txn.put("gacha", gacha, condition=_editable_condition(version, now))
    for prize in prizes:
        txn.put(f"prize:{prize.prize_id}", prize)
    kept = {prize.prize_id for prize in prizes}
    for old in old_prizes:
        if old.prize_id not in kept:
            txn.delete(f"prize:{old.prize_id}", old)
    _link(txn, vtuber.vtuber_id, gacha_id, spec)
    for asset_id in sorted(old_assets - spec.asset_ids):
        txn.update(
            f"unlink:{asset_id}",
            Asset(vtuber.vtuber_id, asset_id),
            actions=[Asset.linked_gachas.delete({gacha_id})],
        )
    for preview_id in sorted(old_previews - spec.preview_ids):
        txn.update(
            f"unpreview:{preview_id}",
            Asset(vtuber.vtuber_id, preview_id),
            actions=[Asset.preview_for.delete({gacha_id})],
        )
    audit.add(  # committed with the edit (the audit outbox)
        txn,
        user_id,
        "gacha.updated",
        f"gacha/{gacha_id}",
        before=before,
        after=_audit_view(gacha),
        request_id=request_id,
    )
    try:
        txn.commit()
    except ConditionsFailed as failed:
        if "gacha" in failed.labels:
            _refuse_edit(gacha_id, version, now)
            raise GachaEditConflict() from None
        _raise_for(failed)
        raise
    if gacha.status == GachaStatus.PUBLISHED:
        fairness_store.record_rate_table(gacha, now)  # the public rate-table history (issue 11)
        _fill_box(gacha, now)
    return gacha, prizes


CHANGE_ATTEMPTS = 3  # a conditional change retried on a re-read when only the version moved meanwhile


def _commit_publication(gacha: Gacha, user_id: str, now: datetime, request_id: str | None) -> bool:
    """The publication and its audit entry in one transaction (the audit outbox), on the version read, so
    the entry's ``after`` is exactly what was written. False if the condition failed. A transaction returns
    no attributes (an UpdateItem refreshed the object): on success the object takes the new values itself."""
    before = _audit_view(gacha)
    version = int(gacha.version)
    txn = Txn()
    txn.update(
        "gacha",
        gacha,
        [
            Gacha.status.set(GachaStatus.PUBLISHED.value),
            Gacha.listing.set(PUBLIC_LISTING),
            Gacha.published_at.set(now),
            Gacha.updated_at.set(now),
            Gacha.version.set(version + 1),
        ],
        condition=(Gacha.status == GachaStatus.DRAFT.value)
        & (Gacha.starts_at > now)
        & (Gacha.version == version),
    )
    after = _audit_view(gacha) | {"status": GachaStatus.PUBLISHED.value, "version": version + 1}
    audit.add(
        txn,
        user_id,
        "gacha.published",
        f"gacha/{gacha.gacha_id}",
        before=before,
        after=after,
        request_id=request_id,
    )
    try:
        txn.commit()
    except ConditionsFailed:
        return False
    gacha.status, gacha.listing = GachaStatus.PUBLISHED.value, PUBLIC_LISTING
    gacha.published_at = gacha.updated_at = now
    gacha.version = version + 1
    return True


def publish_gacha(user_id: str, gacha_id: str, *, request_id: str | None = None) -> Gacha:
    """Draft -> published (listed in the catalogue). Only before the sale starts."""
    vtuber = vtuber_queries.require_approved(user_id)
    now = clock.utc_now()
    gacha = own_gacha(vtuber, gacha_id)
    if gacha.status == GachaStatus.PUBLISHED:
        return gacha
    if gacha.status != GachaStatus.DRAFT or gacha.starts_at <= now:
        raise Conflict(
            "Only a draft whose sale has not started can be published; move the sale start first.",
            details={"status": gacha.status, "starts_at": gacha.starts_at.isoformat()},
        )
    for attempt in range(CHANGE_ATTEMPTS):
        if _commit_publication(gacha, user_id, now, request_id):
            break
        # Refused: published or moved meanwhile (409, as ever), or only its version moved (an edit of the
        # draft, a campaign): publish what is there now, so the audit entry and the event name its version.
        gacha = Gacha.get(gacha_id, consistent_read=True)
        if attempt == CHANGE_ATTEMPTS - 1 or gacha.status != GachaStatus.DRAFT or gacha.starts_at <= now:
            raise GachaEditConflict()
    fairness_store.on_published(gacha, now)  # commit to the server seed before the sale (issue 11)
    _fill_box(gacha, now)
    from oshi.events.definitions import GACHA_PUBLISHED  # pydantic: on the write path only (see _publish)

    _publish(GACHA_PUBLISHED, gacha, request_id)
    return gacha


def preview_gacha(user_id: str, spec: GachaSpec) -> tuple[Gacha, list[Prize]]:
    """What ``create_gacha`` would store, validated the same way but written nowhere (the console's live
    disclosure preview). The previews' public copies do not exist yet, so the rows carry none."""
    vtuber = vtuber_queries.require_approved(user_id)
    now = clock.utc_now()
    assets = _validate(vtuber, spec, now)
    gacha = Gacha(
        "preview",
        vtuber_id=vtuber.vtuber_id,
        owner_user_id=user_id,
        status=GachaStatus.DRAFT.value,
        sold_draws=0,
        version=0,
        created_at=now,
        updated_at=now,
    )
    _apply_spec(gacha, spec)
    prizes = _prizes("preview", spec, assets)
    for prize in prizes:
        prize.preview_asset_id = prize.preview_key = prize.preview_type = prize.preview_kind = None
    return gacha, prizes
