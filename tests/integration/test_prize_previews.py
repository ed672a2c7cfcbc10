"""Public prize previews (oshi.catalogue.previews): a separate small asset, copied under previews/, served
through a stable redirect; never a reward file, in either direction, and never larger than the limit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from support import Api
from vtuber_support import JPEG, MP3, PNG, ZIP, Vt, approved, gacha_body, validated_asset

from oshi.catalogue import previews
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings
from oshi.models.assets import Asset
from oshi.models.gachas import Prize

REWARD = PNG + b"\x00" * 4000  # the reward file: larger than its preview


def _create(api: Api, vt: Vt, assets: list[str], previews_by_prize: dict[int, str], **extra: Any) -> Any:
    body = gacha_body(assets, publish=True, **extra)
    for index, preview in previews_by_prize.items():
        body["prizes"][index]["preview_asset_id"] = preview
    return api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body)


def _problem_types(response: Any) -> set[str]:
    assert response.status == 422, response.body
    return {d["type"] for d in response.json()["error"]["details"]}


def _object(key: str) -> bytes:
    return bytes(client("s3").get_object(Bucket=get_settings().content_bucket, Key=key)["Body"].read())


def test_a_preview_is_a_copy_of_its_own_asset_under_previews_never_the_reward(api: Api) -> None:
    vt = approved(api)
    reward = validated_asset(api, vt, REWARD)
    sample = validated_asset(api, vt, JPEG, "image/jpeg")
    clip = validated_asset(api, vt, MP3, "audio/mpeg")
    created = _create(api, vt, [reward], {0: sample, 3: clip})
    assert created.status == 201, created.body
    gacha_id = created.json()["gacha_id"]

    detail = api.get(f"/api/gachas/{gacha_id}")
    prizes = detail.json()["prizes"]
    assert prizes[0]["preview"] == {
        "kind": "image",
        "url": f"/api/gachas/{gacha_id}/prizes/p01/preview",
        "content_type": "image/jpeg",
    }
    assert prizes[3]["preview"]["kind"] == "audio" and prizes[3]["preview"]["content_type"] == "audio/mpeg"
    assert [p["preview"] for p in prizes[1:3]] == [None, None]
    # The document names a stable path: the cached page does not change with a signature.
    assert api.get(f"/api/gachas/{gacha_id}").headers["ETag"] == detail.headers["ETag"]

    redirect = api.get(prizes[0]["preview"]["url"])
    assert redirect.status == 302 and redirect.headers["Cache-Control"] == "public, max-age=300"
    location = urlsplit(redirect.headers["Location"])
    key = location.path.split(f"/{get_settings().content_bucket}/", 1)[-1].lstrip("/")
    assert key == previews.object_key(gacha_id, "p01", sample) and key.startswith("previews/")
    reward_key = Asset.get(vt.vtuber_id, reward).object_key
    assert "uploads/" not in redirect.headers["Location"] and reward_key not in redirect.headers["Location"]
    served = _object(key)
    assert served == JPEG and served != _object(reward_key)
    assert len(served) < len(_object(reward_key))
    assert Prize.get(gacha_id, "p01").preview_key != reward_key


def test_a_reward_file_can_never_be_a_preview_and_a_preview_never_a_reward(api: Api) -> None:
    vt = approved(api)
    reward = validated_asset(api, vt, REWARD)
    sample = validated_asset(api, vt, JPEG, "image/jpeg")
    # The same gacha's reward as a preview.
    assert "preview_is_a_reward" in _problem_types(_create(api, vt, [reward], {0: reward}))
    assert _create(api, vt, [reward], {0: sample}).status == 201
    # Another gacha's reward as a preview, and this gacha's preview as another's reward.
    other_reward = validated_asset(api, vt, PNG + b"other")
    assert "preview_is_a_reward" in _problem_types(_create(api, vt, [other_reward], {0: reward}))
    assert "reward_is_a_preview" in _problem_types(_create(api, vt, [sample], {}))
    assert Asset.get(vt.vtuber_id, sample).preview_for and not Asset.get(vt.vtuber_id, sample).linked_gachas


def test_previews_are_small_media_files(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    vt = approved(api)
    reward = validated_asset(api, vt, REWARD)
    archive = validated_asset(api, vt, ZIP, "application/zip")
    assert "preview_kind" in _problem_types(_create(api, vt, [reward], {0: archive}))
    monkeypatch.setattr(previews, "MAX_PREVIEW_BYTES", len(JPEG) - 1)
    too_big = validated_asset(api, vt, JPEG, "image/jpeg")
    assert "preview_too_large" in _problem_types(_create(api, vt, [reward], {0: too_big}))
    other = approved(api, "vt-other")
    theirs = validated_asset(api, other, JPEG, "image/jpeg")
    assert "asset_not_found" in _problem_types(_create(api, vt, [reward], {0: theirs}))


def test_an_edit_can_drop_a_preview_and_free_its_asset(api: Api) -> None:
    vt = approved(api)
    reward = validated_asset(api, vt, REWARD)
    sample = validated_asset(api, vt, JPEG, "image/jpeg")
    gacha_id = _create(api, vt, [reward], {0: sample}).json()["gacha_id"]
    body = gacha_body([reward])
    edited = api.call("PUT", f"/api/vtuber/gacha/{gacha_id}", token=vt.token, json_body=body)
    assert edited.status == 200, edited.body
    assert api.get(f"/api/gachas/{gacha_id}").json()["prizes"][0]["preview"] is None
    assert not Asset.get(vt.vtuber_id, sample).preview_for
    gone = api.get(f"/api/gachas/{gacha_id}/prizes/p01/preview")
    assert (gone.status, gone.json()["error"]["code"]) == (404, "PREVIEW_NOT_FOUND")


def test_no_preview_of_unknown_or_unlisted_gachas(api: Api) -> None:
    vt = approved(api)
    reward = validated_asset(api, vt, REWARD)
    sample = validated_asset(api, vt, JPEG, "image/jpeg")
    body = gacha_body([reward])
    body["prizes"][0]["preview_asset_id"] = sample
    draft = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=body).json()["gacha_id"]
    assert api.get(f"/api/gachas/{draft}/prizes/p01/preview").status == 404
    assert api.get(f"/api/gachas/{draft}/prizes/p99/preview").status == 404
    assert api.get("/api/gachas/nope/prizes/p01/preview").status == 404
