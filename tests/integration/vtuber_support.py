"""Helpers for the VTuber and catalogue tests: approved VTubers, validated assets, gacha bodies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from support import Api, token_for

from oshi.catalogue import uploads
from oshi.identity.principal import Role
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings
from oshi.models.assets import Asset

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
ZIP = b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@dataclass
class Vt:
    user_id: str
    vtuber_id: str
    token: str


def admin() -> str:
    return token_for("admin-1", Role.FAN, Role.ADMIN, mfa=True)


def apply(api: Api, user_id: str, name: str = "Hoshino Test") -> str:
    response = api.post(
        "/api/vtuber/apply",
        token=token_for(user_id, Role.FAN),
        json_body={"channel_name": name, "channel_url": f"https://youtube.example/@{user_id}"},
    )
    assert response.status == 201, response.body
    return str(response.json()["vtuber_id"])


def approved(api: Api, user_id: str = "vt-1") -> Vt:
    vtuber_id = apply(api, user_id)
    response = api.post(f"/api/admin/vtubers/{vtuber_id}/approve", token=admin())
    assert response.status == 200, response.body
    return Vt(user_id, vtuber_id, token_for(user_id, Role.FAN, Role.VTUBER))


def signed_in_again(vt: Vt) -> Vt:
    """The same VTuber with a new access token, issued at ``oshi.kernel.clock``'s now: after a test moves
    the clock by more than a token's 15 minutes, the old one has expired (as it would in production)."""
    return Vt(vt.user_id, vt.vtuber_id, token_for(vt.user_id, Role.FAN, Role.VTUBER))


def request_upload(
    api: Api, vt: Vt, content_type: str = "image/png", size: int = 1000, name: str = "a.png"
) -> Any:
    return api.post(
        "/api/vtuber/upload",
        token=vt.token,
        json_body={"filename": name, "content_type": content_type, "size_bytes": size},
    )


def put_and_validate(vtuber_id: str, asset_id: str, data: bytes) -> Asset | None:
    bucket = get_settings().content_bucket
    key = uploads.object_key(vtuber_id, asset_id)
    client("s3").put_object(Bucket=bucket, Key=key, Body=data)
    return uploads.validate_uploaded_object(bucket, key)


def validated_asset(api: Api, vt: Vt, data: bytes = PNG, content_type: str = "image/png") -> str:
    response = request_upload(api, vt, content_type, size=len(data))
    assert response.status == 201, response.body
    asset_id = str(response.json()["asset_id"])
    asset = put_and_validate(vt.vtuber_id, asset_id, data)
    assert asset is not None and asset.status == "validated", asset and asset.reason
    return asset_id


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def gacha_body(asset_ids: list[str], **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    a = asset_ids
    body: dict[str, Any] = {
        "title": "Summer voices",
        "description": "Voice clips and wallpapers",
        "price_single": 300,
        "price_ten": 3000,
        "starts_at": iso(now + timedelta(hours=2)),
        "ends_at": iso(now + timedelta(days=14)),
        "prizes": [
            {"name": "Wallpaper", "rarity": "N", "rate_ppm": 600_000, "asset_ids": [a[0]]},
            {"name": "Good morning", "rarity": "R", "rate_ppm": 300_000, "asset_ids": [a[0]]},
            {"name": "Good night", "rarity": "SR", "rate_ppm": 90_000, "asset_ids": [a[-1]]},
            {"name": "Birthday song", "rarity": "SSR", "rate_ppm": 9_900, "asset_ids": [a[-1]], "stock": 50},
            {
                "name": "Signed art",
                "rarity": "UR",
                "rate_ppm": 100,
                "asset_ids": list(dict.fromkeys([a[0], a[-1]])),
                "stock": 3,
            },
        ],
        "guarantee": {"min_rarity": "SR"},
    }
    body.update(overrides)
    return body
