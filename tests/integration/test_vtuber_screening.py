"""Screening: apply, admin decisions (conditional, audited, role grant), and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime

from support import Api, audit_day, token_for
from vtuber_support import admin, apply, approved, gacha_body, request_upload

from oshi.identity.principal import Role
from oshi.models.audit import AuditEntry


def audit_entries(action: str) -> list[AuditEntry]:
    partition = datetime.now(UTC).strftime("%Y-%m-%d")
    return [e for e in audit_day(partition) if e.action == action]


def test_apply_then_the_admin_queue_lists_the_application(api: Api) -> None:
    vtuber_id = apply(api, "vt-1")
    again = api.post(
        "/api/vtuber/apply",
        token=token_for("vt-1"),
        json_body={"channel_name": "x", "channel_url": "https://a.example/x"},
    )
    assert again.status == 409 and again.json()["error"]["code"] == "VTUBER_ALREADY_APPLIED"

    queue = api.get("/api/admin/vtubers?status=pending", token=admin())
    assert queue.status == 200
    [item] = queue.json()["items"]
    assert item["vtuber_id"] == vtuber_id and item["user_id"] == "vt-1" and item["status"] == "pending"
    assert audit_entries("vtuber.applied")[0].after["status"] == "pending"


def test_apply_validates_fields_and_ignores_a_status_in_the_body(api: Api) -> None:
    bad = api.post(
        "/api/vtuber/apply", token=token_for("vt-1"), json_body={"channel_name": "", "channel_url": "ftp://x"}
    )
    assert bad.status == 422
    assert {d["field"] for d in bad.json()["error"]["details"]} == {"channel_name", "channel_url"}
    ok = api.post(
        "/api/vtuber/apply",
        token=token_for("vt-1"),
        json_body={"channel_name": "Aoi", "channel_url": "https://a.example/aoi", "status": "approved"},
    )
    assert ok.status == 201 and ok.json()["status"] == "pending"


def test_approve_grants_the_role_and_is_audited_with_before_and_after(api: Api) -> None:
    from oshi.identity import users

    profile = users.register(
        email="vt@example.com",
        password="correct horse battery staple 9",
        display_name="Vt",
        birth_date=datetime(2000, 1, 1).date(),
        terms_version="2026-11",
    )
    vtuber_id = apply(api, profile.user_id)
    response = api.post(f"/api/admin/vtubers/{vtuber_id}/approve", token=admin())
    assert response.status == 200
    assert response.json()["vtuber"]["status"] == "approved"
    assert response.json()["role_changed"] is True
    assert Role.VTUBER in users.get_user(profile.user_id).roles

    [entry] = audit_entries("vtuber.approved")
    assert entry.actor == "admin-1"
    assert entry.target == f"vtuber/{vtuber_id}"
    assert entry.before["status"] == "pending" and entry.after["status"] == "approved"
    assert entry.request_id

    # Approving twice is a conflict, not a second grant.
    again = api.post(f"/api/admin/vtubers/{vtuber_id}/approve", token=admin())
    assert again.status == 409 and again.json()["error"]["code"] == "VTUBER_STATUS_CONFLICT"


def test_reject_needs_a_reason_and_only_applies_to_pending(api: Api) -> None:
    vtuber_id = apply(api, "vt-1")
    no_reason = api.post(f"/api/admin/vtubers/{vtuber_id}/reject", token=admin(), json_body={})
    assert no_reason.status == 422
    response = api.post(
        f"/api/admin/vtubers/{vtuber_id}/reject", token=admin(), json_body={"reason": "Channel not found"}
    )
    assert response.status == 200 and response.json()["vtuber"]["reason"] == "Channel not found"
    assert api.post(f"/api/admin/vtubers/{vtuber_id}/suspend", token=admin()).status == 409
    assert audit_entries("vtuber.rejected")[0].after["reason"] == "Channel not found"
    # A rejected applicant may apply again (same public id, back to pending).
    again = api.post(
        "/api/vtuber/apply",
        token=token_for("vt-1"),
        json_body={"channel_name": "Better", "channel_url": "https://a.example/better"},
    )
    assert (
        again.status == 201 and again.json()["vtuber_id"] == vtuber_id and again.json()["status"] == "pending"
    )


def test_a_fan_cannot_use_admin_routes_and_an_admin_needs_mfa(api: Api) -> None:
    vtuber_id = apply(api, "vt-1")
    fan = token_for("fan-1", Role.FAN, mfa=True)
    assert api.get("/api/admin/vtubers", token=fan).status == 403
    assert api.post(f"/api/admin/vtubers/{vtuber_id}/approve", token=fan).status == 403
    no_mfa = token_for("admin-2", Role.FAN, Role.ADMIN)
    response = api.post(f"/api/admin/vtubers/{vtuber_id}/approve", token=no_mfa)
    assert response.status == 403 and response.json()["error"]["code"] == "MFA_REQUIRED"
    assert (
        api.post("/api/admin/vtubers/nope/approve", token=admin()).json()["error"]["code"]
        == "VTUBER_NOT_FOUND"
    )


def test_pending_and_suspended_vtubers_are_refused_even_with_a_vtuber_token(api: Api) -> None:
    apply(api, "vt-pending")
    pending = token_for("vt-pending", Role.FAN, Role.VTUBER)
    response = request_upload(api, type("V", (), {"token": pending})())  # type: ignore[arg-type]
    assert response.status == 403
    assert response.json()["error"] == {
        "code": "VTUBER_NOT_APPROVED",
        "message": "Your VTuber application is still being reviewed.",
        "details": {"status": "pending"},
    }
    never = token_for("nobody", Role.FAN, Role.VTUBER)
    assert api.post("/api/vtuber/gacha/create", token=never, json_body=gacha_body(["x" * 26])).json()[
        "error"
    ]["details"] == {"status": "none"}

    vt = approved(api, "vt-2")
    assert request_upload(api, vt).status == 201
    suspended = api.post(
        f"/api/admin/vtubers/{vt.vtuber_id}/suspend", token=admin(), json_body={"reason": "ToS"}
    )
    assert suspended.status == 200
    # The old token still says "vtuber"; the VTuber item says suspended.
    refused = request_upload(api, vt)
    assert refused.status == 403 and refused.json()["error"]["details"] == {"status": "suspended"}
    create = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body(["x" * 26]))
    assert create.status == 403 and create.json()["error"]["code"] == "VTUBER_NOT_APPROVED"
    # Reinstated by approving again.
    assert api.post(f"/api/admin/vtubers/{vt.vtuber_id}/approve", token=admin()).status == 200
    assert request_upload(api, vt).status == 201


def test_a_fan_token_cannot_reach_vtuber_routes(api: Api) -> None:
    fan = token_for("fan-1", Role.FAN)
    assert api.post("/api/vtuber/gacha/create", token=fan, json_body={}).status == 403
    assert api.get("/api/vtuber/assets", token=fan).status == 403
