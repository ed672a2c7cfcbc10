"""Admin suspension of a single gacha, and the VTuber's sales report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from support import Api, audit_day, token_for
from vtuber_support import Vt, admin, approved, gacha_body, validated_asset

from oshi.identity.principal import Role
from oshi.models.gachas import Gacha
from oshi.models.orders import Order, OrderStatus


def _published(api: Api, vt: Vt) -> str:
    asset = validated_asset(api, vt)
    response = api.post(
        "/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body([asset], publish=True)
    )
    assert response.status == 201, response.body
    return str(response.json()["gacha_id"])


def test_admin_suspends_one_gacha_audited_and_idempotent(api: Api) -> None:
    vt = approved(api)
    gacha_id = _published(api, vt)
    path = f"/api/admin/gachas/{gacha_id}/suspend"

    assert api.post(path, token=vt.token, json_body={"reason": "x"}).status == 403
    no_mfa = token_for("admin-2", Role.FAN, Role.ADMIN)
    assert api.post(path, token=no_mfa, json_body={"reason": "x"}).status == 403
    assert api.post(path, token=admin(), json_body={"reason": ""}).status == 422
    assert Gacha.get(gacha_id).status == "published"

    first = api.post(path, token=admin(), json_body={"reason": "rights complaint"})
    assert first.status == 200, first.body
    assert first.json() == {"gacha_id": gacha_id, "status": "suspended"}
    again = api.post(path, token=admin(), json_body={"reason": "rights complaint"})
    assert again.status == 200
    assert Gacha.get(gacha_id).status == "suspended"
    assert api.get(f"/api/gachas/{gacha_id}").json()["sale_state"] == "suspended"

    partition = datetime.now(UTC).strftime("%Y-%m-%d")
    audited = [e for e in audit_day(partition) if e.target == f"gacha/{gacha_id}"]
    suspended = [e for e in audited if e.action == "gacha.suspended"]
    assert len(suspended) == 1, "a retried suspension is not audited twice"
    assert suspended[0].before["status"] == "published"
    assert suspended[0].after["reason"] == "rights complaint"


def test_suspending_a_draft_or_unknown_gacha_is_refused(api: Api) -> None:
    vt = approved(api)
    asset = validated_asset(api, vt)
    draft = api.post("/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body([asset]))
    draft_id = draft.json()["gacha_id"]
    refused = api.post(f"/api/admin/gachas/{draft_id}/suspend", token=admin(), json_body={"reason": "x"})
    assert refused.status == 409 and refused.json()["error"]["code"] == "GACHA_STATUS_CONFLICT"
    assert Gacha.get(draft_id).status == "draft"
    missing = api.post("/api/admin/gachas/" + "0" * 26 + "/suspend", token=admin(), json_body={"reason": "x"})
    assert missing.status == 404 and missing.json()["error"]["code"] == "GACHA_NOT_FOUND"


def _order(
    vt: Vt, gacha_id: str, fan: str, status: OrderStatus, amount: int, count: int, at: datetime
) -> None:
    drawn = [{"prize_id": "p01", "name": "Wallpaper"}] * count
    results = {"items": drawn, "proof": {}} if status == OrderStatus.FULFILLED else None
    Order(
        f"{fan}-{amount}-{status.value}-{at.timestamp()}",
        fan_id=fan,
        gacha_id=gacha_id,
        vtuber_id=vt.vtuber_id,
        count=count,
        amount=amount,
        medals_per_draw=1,
        provider="stripe",
        status=status.value,
        results=results,
        created_at=at,
        updated_at=at,
    ).save()


def test_sales_report_counts_paid_orders_only(api: Api) -> None:
    vt = approved(api)
    other = approved(api, "vt-2")
    now = datetime.now(UTC)
    _order(vt, "g1", "fan-a", OrderStatus.FULFILLED, 3000, 10, now - timedelta(days=1))
    _order(vt, "g1", "fan-a", OrderStatus.FULFILLED, 300, 1, now - timedelta(hours=1))
    _order(vt, "g1", "fan-b", OrderStatus.PAID, 300, 1, now - timedelta(minutes=5))
    _order(vt, "g1", "fan-c", OrderStatus.REFUNDED, 300, 1, now - timedelta(minutes=4))
    _order(vt, "g1", "fan-d", OrderStatus.PENDING_PAYMENT, 300, 1, now - timedelta(minutes=3))
    _order(vt, "g1", "fan-e", OrderStatus.FULFILLED, 300, 1, now - timedelta(days=40))  # outside 30 days
    _order(other, "g2", "fan-a", OrderStatus.FULFILLED, 9999, 1, now - timedelta(hours=2))

    response = api.get("/api/vtuber/sales", token=vt.token)
    assert response.status == 200, response.body
    report = response.json()
    assert (report["revenue"], report["draws"], report["orders"], report["fans"]) == (3600, 12, 3, 2)
    assert report["refunded"] == {"orders": 1, "amount": 300}
    assert report["top_prizes"] == [{"gacha_id": "g1", "prize_id": "p01", "name": "Wallpaper", "drawn": 11}]
    assert sum(day["revenue"] for day in report["per_day"]) == 3600

    wider = api.get("/api/vtuber/sales?days=60", token=vt.token).json()
    assert wider["revenue"] == 3900
    assert api.get("/api/vtuber/sales?days=0", token=vt.token).status == 422
    assert api.get("/api/vtuber/sales", token=token_for("fan-a", Role.FAN)).status == 403
