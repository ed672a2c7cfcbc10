"""Signed download URLs for the reward box: ownership, a rate limit, the URL, and a record of the issue.

On AWS (``cdn_domain`` set) the URL is a CloudFront signed URL (canned policy, the key group's private
key from Secrets Manager, botocore's ``CloudFrontSigner``): the bucket is private behind origin access
control, so a signed URL is the only way to an object. Locally (``cdn_domain`` empty) it is an S3
presigned GET against moto. Both ask for ``Content-Disposition: attachment`` with the original file name
(RFC 6266, with an RFC 5987 ``filename*`` for non-ASCII names); both serve ``Range`` requests, so
downloads can resume. A reward has no expiry: a new URL can be issued whenever the fan still owns it.

Round trips per URL: three DynamoDB calls (the rate-limit ADD, the conditional update that proves
ownership and counts the issue while returning the reward, the download record) and no S3 call
(presigning is local). The CloudFront key is read once per function instance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

from pynamodb.exceptions import UpdateError

from oshi.kernel import clock, ids
from oshi.kernel.aws import client
from oshi.kernel.errors import RewardNotFound
from oshi.kernel.settings import get_settings
from oshi.models.exchange import DownloadRecord
from oshi.models.rewards import Reward

URL_TTL_SECONDS = (
    300  # "expires in minutes": long enough to start a large download, short enough to not share
)
_ASCII_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$&+-.^_`|~()[]{}=,;@")


@dataclass(frozen=True)
class SignedDownload:
    url: str
    expires_at: datetime
    reward: Reward


def content_disposition(file_name: str) -> str:
    """``attachment`` with an ASCII fallback name and, if the name is not plain ASCII, ``filename*``."""
    name = file_name.replace("/", "_").replace("\\", "_").strip() or "download"
    fallback = "".join(ch if ch in _ASCII_SAFE else "_" for ch in name)
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


@cache
def _s3_presigner() -> Any:
    """SigV4 query signing, so the expiry is enforced by S3 (X-Amz-Expires), not advisory."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", region_name=get_settings().region, config=Config(signature_version="s3v4")
    )


@cache
def _cloudfront_private_key() -> Any:
    from cryptography.hazmat.primitives import serialization  # only on the CDN path

    secret = client("secretsmanager").get_secret_value(SecretId=get_settings().cdn_signing_key_secret)
    raw = secret["SecretString"]
    pem = json.loads(raw)["private_key"] if raw.lstrip().startswith("{") else raw
    return serialization.load_pem_private_key(pem.encode(), password=None)


def forget_key() -> None:
    """Drop the cached key and presigner (tests with a fresh moto or other settings)."""
    _cloudfront_private_key.cache_clear()
    _s3_presigner.cache_clear()


def _rsa_sign(message: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature: bytes = _cloudfront_private_key().sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - CloudFront canned policies are RSA-SHA1
    return signature


def signed_url(object_key: str, file_name: str, content_type: str, *, now: datetime) -> tuple[str, datetime]:
    """A URL for one object, valid for ``URL_TTL_SECONDS`` (returns the URL and its expiry)."""
    settings = get_settings()
    expires_at = now + timedelta(seconds=URL_TTL_SECONDS)
    disposition = content_disposition(file_name)
    if settings.cdn_domain:
        from botocore.signers import CloudFrontSigner

        # The distribution forwards these to S3 (origin request policy), which answers with the headers.
        query = urlencode(
            {"response-content-disposition": disposition, "response-content-type": content_type},
            quote_via=quote,
        )
        url = f"https://{settings.cdn_domain}/{quote(object_key)}?{query}"
        signer = CloudFrontSigner(settings.cdn_key_pair_id, _rsa_sign)
        return signer.generate_presigned_url(url, date_less_than=expires_at), expires_at
    url = _s3_presigner().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.content_bucket,
            "Key": object_key,
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
        },
        ExpiresIn=URL_TTL_SECONDS,
    )
    return str(url), expires_at


def _owned_reward(fan_id: str, reward_id: str, at: datetime) -> Reward:
    """Count the issue on the fan's own, unrevoked reward and return it, in one conditional update.

    The key holds the caller's id, so another fan's reward id simply does not exist here: same 404."""
    reward = Reward(fan_id, reward_id)
    try:
        reward.update(
            actions=[Reward.download_count.add(1), Reward.last_downloaded_at.set(at)],
            condition=Reward.reward_id.exists()
            & (Reward.revoked.does_not_exist() | (Reward.revoked == False)),  # noqa: E712 - a DynamoDB condition, not a Python comparison
        )
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise RewardNotFound() from None
        raise
    return reward


def issue(fan_id: str, reward_id: str, *, source_ip: str | None = None) -> SignedDownload:
    now = clock.utc_now()
    reward = _owned_reward(fan_id, reward_id, now)
    url, expires_at = signed_url(reward.object_key, reward.file_name, reward.content_type, now=now)
    DownloadRecord(
        fan_id,
        ids.new_id(),
        reward_id=reward_id,
        object_key=reward.object_key,
        issued_at=now,
        expires_at=expires_at,
        via="cloudfront" if get_settings().cdn_domain else "s3",
        source_ip=source_ip,
    ).save()
    return SignedDownload(url=url, expires_at=expires_at, reward=reward)
