"""Reading a VTuber's assets: the library, the assets a gacha may grant, the owner's own view of a file, and
the storage limits the console shows.

Apart from ``oshi.catalogue.uploads`` (presigned uploads and validation: transactions, S3 writes), so the
console's asset views load the asset model and nothing of the upload machinery (docs/performance.md §1).
"""

from __future__ import annotations

from dataclasses import dataclass

from oshi.catalogue import vtuber_queries
from oshi.kernel import batch
from oshi.kernel.errors import VtuberNotApproved
from oshi.kernel.settings import get_settings
from oshi.models.assets import Asset, AssetStatus

MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # 100 MiB per file
STORAGE_QUOTA_BYTES = 5 * 1024 * 1024 * 1024  # 5 GiB per VTuber (pending reservations + validated files)


def list_assets(user_id: str, *, status: AssetStatus | None = None) -> list[Asset]:
    vtuber = vtuber_queries.find_by_user(user_id)
    if vtuber is None:
        raise VtuberNotApproved(details={"status": "none"})
    condition = Asset.status == status.value if status else None
    return list(Asset.query(vtuber.vtuber_id, filter_condition=condition, scan_index_forward=False))


def owned_assets(vtuber_id: str, asset_ids: set[str]) -> dict[str, Asset]:
    """The given assets of this VTuber that exist (a key in their own partition, so never another's)."""
    if not asset_ids:
        return {}
    found = batch.get_many(Asset, [(vtuber_id, asset_id) for asset_id in asset_ids])
    return {asset.asset_id: asset for asset in found}


# --- the owner's own view of a validated file (the console's library previews) ---------------------------
OWN_VIEW_SECONDS = 300
VIEWABLE_KINDS = ("image", "audio", "video")


@dataclass(frozen=True)
class OwnView:
    asset: Asset
    url: str
    content_type: str
    expires_in: int


def own_view(user_id: str, asset_id: str) -> OwnView:
    """A short presigned GET of one of the caller's own validated image/audio/video files. Another
    VTuber's asset, an unknown one, or one not validated or not viewable is the same 404."""
    from oshi.catalogue.previews import _presigner  # SigV4 query signing: S3 enforces the expiry
    from oshi.kernel.errors import NotFound

    vtuber = vtuber_queries.require_approved(user_id)
    asset = owned_assets(vtuber.vtuber_id, {asset_id}).get(asset_id)
    if asset is None or asset.status != AssetStatus.VALIDATED or asset.kind not in VIEWABLE_KINDS:
        raise NotFound("No viewable asset with this id.")
    content_type = asset.detected_type or asset.declared_type
    url = _presigner().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": get_settings().content_bucket,
            "Key": asset.object_key,
            "ResponseContentType": content_type,
        },
        ExpiresIn=OWN_VIEW_SECONDS,
    )
    return OwnView(asset, str(url), content_type, OWN_VIEW_SECONDS)
