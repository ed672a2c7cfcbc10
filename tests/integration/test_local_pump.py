"""The local stack's extra wiring: S3 upload notifications -> SQS -> validator, and the schedules."""

from __future__ import annotations

import pytest
from support import Api, audit_day
from vtuber_support import EXE, PNG, approved, request_upload

from local.apigw import FakeLambdaContext
from local.pump import SchedulePump, deliver_once, wire_upload_validation
from oshi.catalogue import uploads
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings
from oshi.models.assets import Asset
from oshi.models.audit import AuditEntry
from oshi.web import topology
from oshi.web.topology import Schedule


def drain(url: str) -> int:
    delivered = 0
    while received := deliver_once(topology.UPLOAD_VALIDATION, url, wait_seconds=0):
        delivered += received
    return delivered


def test_an_upload_is_validated_through_the_s3_notification_queue(api: Api) -> None:
    settings = get_settings()
    url = wire_upload_validation(settings)
    assert wire_upload_validation(settings) == url  # safe to run twice
    vt = approved(api)
    good = request_upload(api, vt, "image/png", size=len(PNG)).json()["asset_id"]
    bad = request_upload(api, vt, "image/png", size=len(EXE)).json()["asset_id"]
    s3 = client("s3")
    s3.put_object(Bucket=settings.content_bucket, Key=uploads.object_key(vt.vtuber_id, good), Body=PNG)
    s3.put_object(Bucket=settings.content_bucket, Key=uploads.object_key(vt.vtuber_id, bad), Body=EXE)
    s3.put_object(Bucket=settings.content_bucket, Key="rewards/not-an-upload", Body=b"x")  # filtered out
    assert drain(url) >= 2  # the two uploads (plus S3's test event), nothing for rewards/
    assert Asset.get(vt.vtuber_id, good).status == "validated"
    rejected = Asset.get(vt.vtuber_id, bad)
    assert rejected.status == "rejected"
    listed = s3.list_objects_v2(Bucket=settings.content_bucket, Prefix=uploads.object_key(vt.vtuber_id, bad))
    assert listed["KeyCount"] == 0  # the rejected bytes are gone


def test_run_now_runs_the_schedules_real_handler(aws: None) -> None:
    pump = SchedulePump()
    assert set(pump.schedules) == {s.name for s in topology.SCHEDULES}
    result = pump.run_now("reservation-sweeper")
    assert result == {"expired": 0}
    assert pump.runs["reservation-sweeper"] == 1
    assert pump.run_now("rate-anomaly-scan") == {"checked": 0, "anomalous": 0}  # no gacha on sale
    with pytest.raises(KeyError):
        pump.run_now("no-such-schedule")


def test_the_audit_chainer_runs_locally_as_a_schedule_and_takes_a_stream_batch(aws: None) -> None:
    import importlib

    from oshi import audit

    for n in range(3):
        audit.record("system", "test.pending", f"thing/{n}")
    [day] = audit.pending_days()
    pump = SchedulePump()
    assert pump.run_now("audit-chainer") == {"chained": 3}  # the sweep: every day still pending
    assert pump.run_now("audit-chainer") == {"chained": 0}  # idempotent
    audit.record("system", "test.pending", "thing/3")
    handler = importlib.import_module(topology.AUDIT_CHAINER).handler
    record = {"eventName": "INSERT", "dynamodb": {"Keys": {"day": {"S": day}, "entry_id": {"S": "x"}}}}
    assert handler({"Records": [record]}, FakeLambdaContext()) == {"chained": 1}  # a stream batch
    entries = audit_day(day)
    assert [e.target for e in entries] == [f"thing/{n}" for n in range(4)]
    assert audit.verify_chain(entries) == [] and audit.pending_days() == []


def test_the_local_outbox_stream_hands_pending_entries_to_the_chainer(aws: None) -> None:
    from local.pump import AuditStreamPump, outbox_stream_event
    from oshi import audit

    stream = AuditStreamPump()
    assert outbox_stream_event() is None and stream.run_once() is None  # nothing pending: no invocation
    for n in range(3):
        audit.record("system", "test.streamed", f"thing/{n}")
    assert stream.run_once() == {"chained": 3}
    assert stream.batches == 1 and audit.pending_days() == []
    [day] = {e.partition for e in AuditEntry.scan()}
    assert audit.verify_chain(audit.partition_entries(day)) == []


def test_the_timer_runs_each_schedule_repeatedly(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr("local.pump.run_schedule", lambda schedule: calls.append(schedule.name))
    pump = SchedulePump((Schedule("tick", "payment.sweep", every_minutes=1),), scale=0.01)  # every 0.6 s
    pump.start()
    try:
        for _ in range(100):
            if len(calls) >= 2:
                break
            pump._stop.wait(0.1)
    finally:
        pump.stop()
    assert calls[:2] == ["tick", "tick"]
