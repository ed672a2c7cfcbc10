"""Mail sent by consumers (issue 18): receipts and refund notices exactly once per event, SES bounce and
complaint feedback into the suppression list (and nothing mailed to a suppressed address again)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from draw_support import message, on_sale, paid_order
from mail import feedback, receipts
from payment_support import bus_fixture, fan, of_type  # noqa: F401
from support import Api

from local import mailbox
from local.apigw import FakeLambdaContext
from local.pump import sqs_event
from oshi.events.definitions import ORDER_REFUNDED, OrderRefundedData
from oshi.kernel.ids import new_id
from oshi.kernel.settings import get_settings
from oshi.mail import outbox, suppression, templates
from oshi.models.accounts import MailSent
from oshi.web import topology

pytestmark = pytest.mark.usefixtures("aws")
MAIL = next(c for c in topology.CONSUMERS if c.handler == "mail.receipts")


def run(handler: Any, consumer: Any, *messages: dict[str, Any]) -> dict[str, Any]:
    return dict(
        handler(sqs_event(consumer, consumer.queue, list(messages)), FakeLambdaContext(function_name="m"))
    )


def sqs_message(body: dict[str, Any]) -> dict[str, Any]:
    return {"MessageId": new_id(), "ReceiptHandle": "rh", "Body": json.dumps(body), "Attributes": {}}


def test_a_payment_mails_one_receipt_even_when_the_event_comes_twice(api: Api) -> None:
    fan("fan-1")
    sale = on_sale(api)
    order = paid_order(sale, count=10)
    assert run(receipts.handler, MAIL, message(order)) == {"batchItemFailures": []}
    assert run(receipts.handler, MAIL, message(order, receives=2)) == {"batchItemFailures": []}  # redelivery

    [receipt] = mailbox.to("fan-1@example.com")
    assert receipt.subject == f"ご購入ありがとうございます(注文 {order.order_id})"
    for expected in (
        get_settings().seller_name,
        "回数: 10回",
        f"金額: ¥{int(order.amount):,}",
        f"注文番号: {order.order_id}",
        "(日本時間)",
    ):
        assert expected in receipt.text
    assert receipt.link("/orders") == templates.site_link("/orders", id=order.order_id)
    assert receipt.html.count("<a href=") == 1
    assert MailSent.count() == 1


def test_a_refund_is_notified_once(api: Api) -> None:
    fan("fan-1")
    order = paid_order(on_sale(api), count=1)
    event = ORDER_REFUNDED.event(
        OrderRefundedData(
            order_id=order.order_id,
            fan_id="fan-1",
            gacha_id=order.gacha_id,
            vtuber_id=order.vtuber_id,
            amount=int(order.amount),
            provider=order.provider,
            reason="admin: duplicate charge",
            medals_clawed_back=1,
            medals_unrecovered=0,
        )
    )
    body = {"detail-type": event.detail_type, "source": "oshi.gacha", "detail": event.detail()}
    run(receipts.handler, MAIL, sqs_message(body))
    run(receipts.handler, MAIL, sqs_message(body))
    [notice] = mailbox.to("fan-1@example.com")
    assert notice.subject == f"返金のお知らせ(注文 {order.order_id})"
    assert "admin: duplicate charge" in notice.text


def test_a_failed_send_is_retried_and_then_sent_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    fan("fan-1")
    order = paid_order(on_sale(api), count=1)

    def refuse(*_: Any, **__: Any) -> bool:
        raise RuntimeError("SES throttled")

    monkeypatch.setattr(outbox, "send", refuse)
    with pytest.raises(BatchProcessingError):  # the whole batch failed: SQS redelivers it
        run(receipts.handler, MAIL, message(order))
    assert MailSent.count() == 0
    monkeypatch.undo()
    assert run(receipts.handler, MAIL, message(order, receives=2)) == {"batchItemFailures": []}
    assert len(mailbox.to("fan-1@example.com")) == 1


def test_bounces_and_complaints_suppress_the_address_for_good(api: Api) -> None:
    fan("fan-1")
    permanent = {
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "Fan-1@Example.com"}]},
    }
    transient = {
        "eventType": "Bounce",
        "bounce": {"bounceType": "Transient", "bouncedRecipients": [{"emailAddress": "other@example.com"}]},
    }
    complaint = {
        "eventType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "c@example.com"}]},
    }
    sns = {"Type": "Notification", "Message": json.dumps(permanent)}
    result = run(
        feedback.handler,
        topology.MAIL_FEEDBACK,
        sqs_message(sns),
        sqs_message(transient),
        sqs_message(complaint),
    )
    assert result == {"batchItemFailures": []}
    assert suppression.is_suppressed("fan-1@example.com") and suppression.is_suppressed("c@example.com")
    assert not suppression.is_suppressed("other@example.com")

    order = paid_order(on_sale(api), count=1)
    run(receipts.handler, MAIL, message(order))
    assert mailbox.to("fan-1@example.com") == []  # never mailed again
    me = api.get("/api/me", token=fan_token_of("fan-1")).json()
    assert me["mail_suppressed"] is True


def fan_token_of(user_id: str) -> str:
    from support import token_for

    return token_for(user_id)


def test_vtuber_applicants_are_mailed_the_decision_with_the_reason(
    api: Api, bus: list[dict[str, Any]]
) -> None:
    from vtuber_support import admin, apply

    for user_id in ("vt-ok", "vt-no"):
        fan(user_id)
    approved_id, rejected_id = apply(api, "vt-ok", "Hoshi"), apply(api, "vt-no", "Tsuki")
    assert api.post(f"/api/admin/vtubers/{approved_id}/approve", token=admin()).status == 200
    rejected = api.post(
        f"/api/admin/vtubers/{rejected_id}/reject",
        token=admin(),
        json_body={"reason": "チャンネルが確認できません"},
    )
    assert rejected.status == 200, rejected.body
    screened = of_type(bus, "VtuberScreened")
    assert [e["data"]["decision"] for e in screened] == ["approved", "rejected"]
    for event in screened:
        body = {"detail-type": "VtuberScreened", "source": "oshi.gacha", "detail": event}
        run(receipts.handler, MAIL, sqs_message(body))
        run(receipts.handler, MAIL, sqs_message(body))  # redelivered: no second mail
    [ok] = mailbox.to("vt-ok@example.com")
    assert ok.subject == "VTuber登録が承認されました" and "Hoshi" in ok.text
    [no] = mailbox.to("vt-no@example.com")
    assert no.subject == "VTuber登録の審査結果" and "理由: チャンネルが確認できません" in no.text
