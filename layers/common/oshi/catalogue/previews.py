"""Public previews of prizes: a separate, small asset the VTuber attaches to a prize, never a reward file.

A prize may name a ``preview_asset_id``: one of the VTuber's validated image, audio or video assets, at
most ``MAX_PREVIEW_BYTES``, that is not a reward of any prize (a reward file stays behind signed URLs).
The link is exclusive both ways, checked in the lineup transaction: a preview asset may not be a reward
anywhere (``Asset.linked_gachas`` absent) and a reward asset may not be a preview (``Asset.preview_for``
absent). Creating or editing the gacha copies the preview object from ``uploads/`` to its public key
``previews/{gacha_id}/{prize_id}/{asset_id}`` (before the transaction, so a stored key always has an object).

The detail page names a stable URL, ``/api/gachas/{gacha_id}/prizes/{prize_id}/preview``, which
redirects: on AWS to the CDN's unsigned, cached ``previews/*`` path; locally to an S3 presigned GET.
So the cached detail document does not change with the URL's signature.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple
from urllib.parse import quote

from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings

PREFIX = "previews/"
MAX_PREVIEW_BYTES = 2 * 1024 * 1024  # a thumbnail or a few seconds of sample: small on purpose
KINDS = ("image", "audio", "video")
REDIRECT_MAX_AGE = 300  # how long a browser may reuse the redirect (the presigned URL lives longer)
PRESIGNED_SECONDS = 3600


class Preview(NamedTuple):
    kind: str
    content_type: str
    object_key: str


def object_key(gacha_id: str, prize_id: str, asset_id: str) -> str:
    return f"{PREFIX}{gacha_id}/{prize_id}/{asset_id}"


def page_url(gacha_id: str, prize_id: str) -> str:
    """What the detail document names (same origin as the API; answers with a redirect)."""
    return f"/api/gachas/{gacha_id}/prizes/{prize_id}/preview"


def copy_to_public(source_key: str, target_key: str, content_type: str) -> None:
    """Copy the uploaded object to its public key (same bucket, encrypted the same way)."""
    bucket = get_settings().content_bucket
    client("s3").copy_object(
        Bucket=bucket,
        Key=target_key,
        CopySource={"Bucket": bucket, "Key": source_key},
        MetadataDirective="REPLACE",
        ContentType=content_type,
        CacheControl="public, max-age=86400",
    )


@cache
def _presigner() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", region_name=get_settings().region, config=Config(signature_version="s3v4")
    )


def forget() -> None:
    _presigner.cache_clear()


def object_url(key: str) -> str:
    """Where the browser fetches the preview object: the CDN's public path, or a presigned GET locally."""
    settings = get_settings()
    if settings.cdn_domain:
        return f"https://{settings.cdn_domain}/{quote(key)}"
    return str(
        _presigner().generate_presigned_url(
            "get_object", Params={"Bucket": settings.content_bucket, "Key": key}, ExpiresIn=PRESIGNED_SECONDS
        )
    )
