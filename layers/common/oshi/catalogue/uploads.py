"""Uploads: a presigned POST straight to S3, then validation of the object by its own bytes.

1. ``request_upload``: an approved VTuber declares file name, MIME type and size. In ONE transaction the
   asset is created ``pending`` and the declared size is reserved against the VTuber's storage quota
   (condition: still approved, and used + size <= quota). The presigned POST pins the key (chosen here:
   ``uploads/{vtuber_id}/{asset_id}``), the Content-Type, and ``content-length-range`` 1..declared size
   (never above ``MAX_UPLOAD_BYTES``). Files never pass through Lambda.
2. ``validate_uploaded_object``: run for each S3 ObjectCreated event. HEAD gives the size, a ranged GET
   the first bytes; the type comes from the magic numbers (``oshi.catalogue.filetypes``). Empty, over the limit,
   unknown type, or a declared type that differs from the real one: the object is deleted and the asset
   marked ``rejected`` with a reason the VTuber reads in ``GET /api/vtuber/assets``; its reservation is
   released. Otherwise the asset is ``validated`` and the reservation becomes the real size.

S3 does not check anything of the POST policy on the local stack (moto), so the validator re-checks
size and type itself: the policy is a first line, the validator the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import DoesNotExist

from oshi.catalogue import vtuber_queries
from oshi.catalogue.asset_queries import MAX_UPLOAD_BYTES, STORAGE_QUOTA_BYTES
from oshi.catalogue.filetypes import SNIFF_BYTES, FileType, sniff
from oshi.kernel import clock
from oshi.kernel.aws import client
from oshi.kernel.errors import PlatformStorageFull, StorageQuotaExceeded, ValidationFailed
from oshi.kernel.ids import new_id
from oshi.kernel.observability import logger, metrics
from oshi.kernel.settings import get_settings
from oshi.kernel.txn import ConditionsFailed, Txn
from oshi.models.assets import Asset, AssetStatus, StorageUsage
from oshi.models.vtubers import Vtuber, VtuberStatus

PLATFORM_STORAGE_BYTES = 5 * 1024**4  # 5 TiB in all: uploads stop here (503) and admins are alerted
PLATFORM_WARN_RATIO = 0.9  # above this share of the limit, every upload emits PlatformStorageNearLimit
PLATFORM_SCOPE = "platform"
PRESIGN_SECONDS = 900
UPLOAD_PREFIX = "uploads"


@dataclass(frozen=True)
class UploadTicket:
    asset: Asset
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int


def object_key(vtuber_id: str, asset_id: str) -> str:
    return f"{UPLOAD_PREFIX}/{vtuber_id}/{asset_id}"


def policy_conditions(content_type: str, max_bytes: int) -> list[Any]:
    return [{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]]


def request_upload(user_id: str, *, filename: str, content_type: FileType, size_bytes: int) -> UploadTicket:
    vtuber = vtuber_queries.require_approved(user_id)
    if not 1 <= size_bytes <= MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            details=[
                {
                    "field": "size_bytes",
                    "message": f"a file is 1 to {MAX_UPLOAD_BYTES} bytes",
                    "type": "file_too_large" if size_bytes > 0 else "empty_file",
                }
            ]
        )
    asset_id = new_id()
    key = object_key(vtuber.vtuber_id, asset_id)
    asset = Asset(
        vtuber.vtuber_id,
        asset_id,
        owner_user_id=user_id,
        object_key=key,
        filename=filename,
        declared_type=content_type.value,
        declared_bytes=size_bytes,
        status=AssetStatus.PENDING.value,
        created_at=clock.utc_now(),
    )
    txn = Txn()
    txn.put("asset", asset, condition=Asset.asset_id.does_not_exist())
    txn.update(
        "vtuber",
        vtuber,
        actions=[Vtuber.storage_bytes.add(size_bytes)],
        condition=(Vtuber.status == VtuberStatus.APPROVED.value)
        & (Vtuber.storage_bytes <= STORAGE_QUOTA_BYTES - size_bytes),
    )
    txn.update(
        "platform",
        StorageUsage(PLATFORM_SCOPE),
        actions=[StorageUsage.bytes.add(size_bytes)],
        condition=StorageUsage.bytes.does_not_exist()
        | (StorageUsage.bytes <= PLATFORM_STORAGE_BYTES - size_bytes),
    )
    try:
        txn.commit()
    except ConditionsFailed as failed:
        if "platform" in failed.labels and "vtuber" not in failed.labels:
            logger.error("platform storage full: uploads refused", extra={"limit": PLATFORM_STORAGE_BYTES})
            metrics.add_metric(name="PlatformStorageFull", unit="Count", value=1)  # alarmed: admins alerted
            raise PlatformStorageFull() from None
        if "vtuber" in failed.labels:
            current = vtuber_queries.require_approved(user_id)  # raises if no longer approved
            raise StorageQuotaExceeded(
                details={
                    "quota_bytes": STORAGE_QUOTA_BYTES,
                    "used_bytes": int(current.storage_bytes or 0),
                    "requested_bytes": size_bytes,
                }
            ) from None
        raise
    _warn_if_near_limit()
    post = client("s3").generate_presigned_post(
        Bucket=get_settings().content_bucket,
        Key=key,
        Fields={"Content-Type": content_type.value},
        Conditions=policy_conditions(content_type.value, size_bytes),
        ExpiresIn=PRESIGN_SECONDS,
    )
    return UploadTicket(asset, post["url"], dict(post["fields"]), PRESIGN_SECONDS, size_bytes)


def platform_usage() -> int:
    try:
        return int(StorageUsage.get(PLATFORM_SCOPE).bytes or 0)
    except DoesNotExist:
        return 0


def _warn_if_near_limit() -> None:
    used = platform_usage()
    if used > PLATFORM_STORAGE_BYTES * PLATFORM_WARN_RATIO:
        logger.warning(
            "platform storage near its limit", extra={"used": used, "limit": PLATFORM_STORAGE_BYTES}
        )
        metrics.add_metric(name="PlatformStorageNearLimit", unit="Count", value=1)


# --- validation -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    code: str
    reason: str


def _describe(file_type: FileType | None) -> str:
    return file_type.name if file_type else "unknown"


def inspect(size: int, head: bytes, declared: str, limit: int) -> tuple[FileType | None, Rejection | None]:
    """The decision on an uploaded object from its size and first bytes (pure)."""
    if size <= 0:
        return None, Rejection("empty_file", "The file is empty (0 bytes).")
    if size > limit:
        return None, Rejection(
            "file_too_large", f"The file is {size} bytes; the limit for this upload is {limit} bytes."
        )
    detected = sniff(head)
    if detected is None:
        return None, Rejection(
            "unknown_type",
            "The file's content is not PNG, JPEG, WebP, MP3, MP4 or ZIP "
            "(the type is decided from the content, not the file name).",
        )
    if detected.value != declared:
        return detected, Rejection(
            "type_mismatch",
            f"The file was declared as {declared} but its content is {_describe(detected)} ({detected.value}).",
        )
    return detected, None


def parse_key(key: str) -> tuple[str, str] | None:
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != UPLOAD_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def validate_uploaded_object(bucket: str, key: str) -> Asset | None:
    """Validate one uploaded object; idempotent (a redelivered event finds the asset decided)."""
    parsed = parse_key(key)
    if parsed is None:
        logger.warning("object outside the upload prefix ignored", extra={"key": key})
        return None
    vtuber_id, asset_id = parsed
    s3 = client("s3")
    try:
        asset = Asset.get(vtuber_id, asset_id, consistent_read=True)
    except DoesNotExist:
        logger.warning("upload without an asset record deleted", extra={"key": key})
        s3.delete_object(Bucket=bucket, Key=key)
        return None
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return asset  # already deleted (a rejection, or a redelivery after one)
        raise
    etag = str(head.get("ETag", ""))
    if asset.status == AssetStatus.VALIDATED and asset.etag == etag:
        return asset  # redelivery of the event we already validated
    if asset.status == AssetStatus.REJECTED:
        s3.delete_object(Bucket=bucket, Key=key)  # a late re-upload to a rejected asset
        return asset
    size = int(head.get("ContentLength", 0))
    limit = min(int(asset.declared_bytes), MAX_UPLOAD_BYTES)
    first = b""
    if 0 < size <= limit:
        first = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{SNIFF_BYTES - 1}")["Body"].read()
    detected, rejection = inspect(size, first, asset.declared_type, limit)
    if asset.status == AssetStatus.VALIDATED and rejection is None:
        rejection = Rejection(
            "replaced_after_validation", "The file was replaced after it was validated; upload it again."
        )
    version = head.get("VersionId")
    return _decide(bucket, asset, size, detected, etag, rejection, version if version != "null" else None)


def _decide(
    bucket: str,
    asset: Asset,
    size: int,
    detected: FileType | None,
    etag: str,
    rejection: Rejection | None,
    version_id: str | None = None,
) -> Asset:
    now = clock.utc_now()
    owner = Vtuber(asset.owner_user_id)
    was = asset.status
    reserved = int(asset.declared_bytes) if was == AssetStatus.PENDING else int(asset.size_bytes or 0)
    txn = Txn()
    if rejection is not None:
        # On a versioned bucket a plain delete only hides the bytes: remove the version that was checked.
        extra = {"VersionId": version_id} if version_id else {}
        client("s3").delete_object(Bucket=bucket, Key=asset.object_key, **extra)
        actions: list[Any] = [
            Asset.status.set(AssetStatus.REJECTED.value),
            Asset.reason.set(rejection.reason),
            Asset.reason_code.set(rejection.code),
            Asset.size_bytes.set(size),
            Asset.checked_at.set(now),
        ]
        if detected is not None:
            actions.append(Asset.detected_type.set(detected.value))
        storage_delta = -reserved
    else:
        assert detected is not None
        actions = [
            Asset.status.set(AssetStatus.VALIDATED.value),
            Asset.reason.remove(),
            Asset.reason_code.remove(),
            Asset.size_bytes.set(size),
            Asset.detected_type.set(detected.value),
            Asset.kind.set(detected.kind),
            Asset.etag.set(etag),
            Asset.checked_at.set(now),
        ]
        storage_delta = size - reserved
    txn.update("asset", asset, actions=actions, condition=Asset.status == was)
    if storage_delta:
        txn.update("vtuber", owner, actions=[Vtuber.storage_bytes.add(storage_delta)])
        txn.update("platform", StorageUsage(PLATFORM_SCOPE), actions=[StorageUsage.bytes.add(storage_delta)])
    try:
        txn.commit()
    except ConditionsFailed:
        logger.info("asset decided concurrently", extra={"asset_id": asset.asset_id})
    asset.refresh(consistent_read=True)
    logger.info(
        "upload checked",
        extra={"asset_id": asset.asset_id, "status": asset.status, "reason_code": asset.reason_code},
    )
    return asset
