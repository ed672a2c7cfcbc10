"""Uploads: the presigned POST's policy, the validator's decision on each kind of file, quota, consumer."""

from __future__ import annotations

import base64
import json

import pytest
from support import Api
from vtuber_support import EXE, JPEG, MP3, MP4, PNG, WEBP, ZIP, approved, put_and_validate, request_upload

import vtuber.validate_upload
from local.apigw import FakeLambdaContext
from oshi.catalogue import asset_queries, uploads
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings
from oshi.models.assets import Asset
from oshi.models.vtubers import Vtuber


def policy_of(fields: dict[str, str]) -> dict[str, object]:
    return json.loads(base64.b64decode(fields["policy"]))


def object_exists(key: str) -> bool:
    listed = client("s3").list_objects_v2(Bucket=get_settings().content_bucket, Prefix=key)
    return bool(listed.get("KeyCount"))


def test_presigned_post_pins_key_type_and_size(api: Api) -> None:
    vt = approved(api)
    response = request_upload(api, vt, "audio/mpeg", size=5_000_000, name="../../etc/passwd.mp3")
    assert response.status == 201
    body = response.json()
    asset_id = body["asset_id"]
    assert body["status"] == "pending" and body["max_bytes"] == 5_000_000
    fields = body["upload"]["fields"]
    assert fields["key"] == f"uploads/{vt.vtuber_id}/{asset_id}"  # chosen by the server, not the file name
    assert fields["Content-Type"] == "audio/mpeg"
    conditions = policy_of(fields)["conditions"]
    assert ["content-length-range", 1, 5_000_000] in conditions
    assert {"Content-Type": "audio/mpeg"} in conditions
    assert {"key": fields["key"]} in conditions
    assert {"bucket": get_settings().content_bucket} in conditions
    assert body["expires_in"] == uploads.PRESIGN_SECONDS
    # The declared size is reserved against the quota until validation.
    assert int(Vtuber.get(vt.user_id).storage_bytes) == 5_000_000


def test_upload_request_rules(api: Api) -> None:
    vt = approved(api)
    too_big = request_upload(api, vt, size=asset_queries.MAX_UPLOAD_BYTES + 1)
    assert too_big.status == 422 and too_big.json()["error"]["details"][0]["type"] == "file_too_large"
    assert request_upload(api, vt, size=0).status == 422
    exe = request_upload(api, vt, "application/x-msdownload", name="setup.exe")
    assert exe.status == 422 and exe.json()["error"]["details"][0]["field"] == "content_type"


ACCEPTED = [
    ("image/png", PNG),
    ("image/jpeg", JPEG),
    ("image/webp", WEBP),
    ("audio/mpeg", MP3),
    ("audio/mpeg", b"\xff\xfb\x90\x64" + b"\x00" * 100),  # MPEG frame sync, no ID3 tag
    ("video/mp4", MP4),
    ("application/zip", ZIP),
]

REJECTED = [
    ("image/png", EXE, 1000, "unknown_type"),  # a renamed executable
    ("video/mp4", PNG, 1000, "type_mismatch"),  # a PNG declared as MP4
    ("image/png", b"", 1000, "empty_file"),
    ("image/png", PNG + b"\x00" * 1000, 100, "file_too_large"),  # over the size the policy allowed
    ("application/zip", b"just some text, not a zip", 1000, "unknown_type"),
]


def test_each_accepted_type_is_validated(api: Api) -> None:
    # One moto per test is the slow part, so the cases share one VTuber.
    vt = approved(api)
    total = 0
    for declared, data in ACCEPTED:
        asset_id = request_upload(api, vt, declared, size=len(data) + 500).json()["asset_id"]
        asset = put_and_validate(vt.vtuber_id, asset_id, data)
        assert asset is not None and asset.status == "validated", (declared, asset and asset.reason)
        assert asset.detected_type == declared and asset.size_bytes == len(data)
        total += len(data)
        assert int(Vtuber.get(vt.user_id).storage_bytes) == total  # reservation trued up to the real size


def test_each_rejected_upload_is_deleted_with_a_readable_reason(api: Api) -> None:
    vt = approved(api)
    for declared, data, declared_size, code in REJECTED:
        asset_id = request_upload(api, vt, declared, size=declared_size).json()["asset_id"]
        asset = put_and_validate(vt.vtuber_id, asset_id, data)
        assert asset is not None and asset.status == "rejected" and asset.reason_code == code, (
            declared,
            code,
        )
        assert not object_exists(asset.object_key)
        assert int(Vtuber.get(vt.user_id).storage_bytes) == 0  # reservation released
    listed = {a["asset_id"]: a for a in api.get("/api/vtuber/assets", token=vt.token).json()["items"]}
    assert sorted(a["reason_code"] for a in listed.values()) == sorted(case[3] for case in REJECTED)
    assert all(a["status"] == "rejected" and a["reason"] for a in listed.values())
    mismatch = next(a for a in listed.values() if a["reason_code"] == "type_mismatch")
    assert mismatch["reason"] == "The file was declared as video/mp4 but its content is PNG (image/png)."


def test_over_the_platform_limit_is_rejected_even_if_the_policy_said_more(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    vt = approved(api)
    asset_id = request_upload(api, vt, size=1000).json()["asset_id"]
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 50)  # e.g. the limit was lowered meanwhile
    asset = put_and_validate(vt.vtuber_id, asset_id, PNG)
    assert asset is not None and asset.reason_code == "file_too_large"


def test_validation_is_idempotent_and_a_replaced_file_is_rechecked(api: Api) -> None:
    vt = approved(api)
    asset_id = request_upload(api, vt, size=1000).json()["asset_id"]
    first = put_and_validate(vt.vtuber_id, asset_id, PNG)
    bucket, key = get_settings().content_bucket, uploads.object_key(vt.vtuber_id, asset_id)
    again = uploads.validate_uploaded_object(bucket, key)
    assert first is not None and again is not None and again.status == "validated"
    assert int(Vtuber.get(vt.user_id).storage_bytes) == len(PNG)
    # The presigned POST is reusable until it expires: a second upload over the validated file is caught.
    replaced = put_and_validate(vt.vtuber_id, asset_id, EXE)
    assert replaced is not None and replaced.status == "rejected"
    assert not object_exists(key) and int(Vtuber.get(vt.user_id).storage_bytes) == 0


def test_unknown_keys_are_ignored_or_deleted(api: Api) -> None:
    bucket = get_settings().content_bucket
    client("s3").put_object(Bucket=bucket, Key="uploads/someone/not-an-asset", Body=PNG)
    assert uploads.validate_uploaded_object(bucket, "uploads/someone/not-an-asset") is None
    assert not object_exists("uploads/someone/not-an-asset")
    assert uploads.validate_uploaded_object(bucket, "rewards/x.png") is None


def test_storage_quota(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    vt = approved(api)
    monkeypatch.setattr(uploads, "STORAGE_QUOTA_BYTES", 2_500)
    assert request_upload(api, vt, size=2_000).status == 201
    refused = request_upload(api, vt, size=600)
    assert refused.status == 409
    assert refused.json()["error"]["code"] == "STORAGE_QUOTA_EXCEEDED"
    assert refused.json()["error"]["details"] == {
        "quota_bytes": 2_500,
        "used_bytes": 2_000,
        "requested_bytes": 600,
    }
    assert request_upload(api, vt, size=500).status == 201
    assert len(list(Asset.query(vt.vtuber_id))) == 2  # the refused request left no asset behind


def _s3_notification(key: str) -> dict[str, object]:
    return {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Post",
                "s3": {"bucket": {"name": get_settings().content_bucket}, "object": {"key": key, "size": 1}},
            }
        ]
    }


def test_consumer_handles_sqs_wrapped_s3_events_with_partial_failures(api: Api) -> None:
    vt = approved(api)
    good = request_upload(api, vt, size=1000).json()["asset_id"]
    bad = request_upload(api, vt, "video/mp4", size=1000).json()["asset_id"]
    bucket = get_settings().content_bucket
    for asset_id, data in ((good, PNG), (bad, PNG)):
        client("s3").put_object(Bucket=bucket, Key=uploads.object_key(vt.vtuber_id, asset_id), Body=data)
    records = [
        {
            "messageId": f"m-{i}",
            "receiptHandle": f"r-{i}",
            "body": body,
            "attributes": {},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:ap-northeast-1:123456789012:q",
            "awsRegion": "ap-northeast-1",
        }
        for i, body in enumerate(
            [
                json.dumps(_s3_notification(uploads.object_key(vt.vtuber_id, good))),
                json.dumps(_s3_notification(uploads.object_key(vt.vtuber_id, bad))),
                json.dumps({"Event": "s3:TestEvent"}),
                "not json",
            ]
        )
    ]
    result = vtuber.validate_upload.handler({"Records": records}, FakeLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-3"}]}
    statuses = {a.asset_id: a.status for a in Asset.query(vt.vtuber_id)}
    assert statuses == {good: "validated", bad: "rejected"}

    # Direct S3 -> Lambda notifications work too.
    third = request_upload(api, vt, size=1000).json()["asset_id"]
    client("s3").put_object(Bucket=bucket, Key=uploads.object_key(vt.vtuber_id, third), Body=PNG)
    vtuber.validate_upload.handler(
        _s3_notification(uploads.object_key(vt.vtuber_id, third)), FakeLambdaContext()
    )
    assert Asset.get(vt.vtuber_id, third).status == "validated"


def test_platform_storage_limit_stops_uploads_for_everyone(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    vt = approved(api)
    other = approved(api, "vt-other")
    asset_id = request_upload(api, vt, size=1_000).json()["asset_id"]
    assert uploads.platform_usage() == 1_000
    put_and_validate(vt.vtuber_id, asset_id, PNG)
    assert uploads.platform_usage() == len(PNG)  # trued up to the real size, like the VTuber's own counter
    monkeypatch.setattr(uploads, "PLATFORM_STORAGE_BYTES", len(PNG) + 1_500)
    assert request_upload(api, other, size=1_000).status == 201  # now above 90 %: a warning metric, still OK
    refused = request_upload(api, other, size=1_000)
    assert refused.status == 503 and refused.json()["error"]["code"] == "PLATFORM_STORAGE_FULL"
    assert int(Vtuber.get(other.user_id).storage_bytes) == 1_000  # the refused request reserved nothing


def test_on_a_versioned_bucket_the_rejected_bytes_are_removed_not_just_hidden(api: Api) -> None:
    bucket = get_settings().content_bucket
    client("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    vt = approved(api)
    asset_id = request_upload(api, vt, size=1000).json()["asset_id"]
    asset = put_and_validate(vt.vtuber_id, asset_id, EXE)
    assert asset is not None and asset.status == "rejected"
    versions = client("s3").list_object_versions(
        Bucket=bucket, Prefix=uploads.object_key(vt.vtuber_id, asset_id)
    )
    assert not versions.get("Versions") and not versions.get("DeleteMarkers")
