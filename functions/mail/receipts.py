"""Consumer: ``PaymentCompleted`` -> a receipt, ``OrderRefunded`` -> a refund notice, mailed to the fan;
``VtuberScreened`` -> the applicant told of the approval or the rejection (with its reason).

Off the money path: the order is already paid (or refunded) when the event is published, and this
consumer only reads. Exactly once per event: ``oshi.mail.outbox.send_once`` keys a ledger item by the
event id, so a redelivered event mails nothing; if SES fails the message is retried (partial batch
failure) and the mail goes out then.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pynamodb.exceptions import DoesNotExist

from oshi.events.definitions import ORDER_REFUNDED, PAYMENT_COMPLETED, VTUBER_SCREENED
from oshi.identity import users
from oshi.kernel import clock
from oshi.kernel.observability import logger
from oshi.kernel.settings import get_settings
from oshi.mail import outbox, templates
from oshi.models.gachas import Gacha
from oshi.models.orders import Order
from oshi.models.vtubers import Vtuber

processor = BatchProcessor(event_type=EventType.SQS)
JST = timezone(timedelta(hours=9))
PAYMENT_METHODS = {
    "ja": {"card": "クレジットカード", "konbini": "コンビニ払い", "paypay": "PayPay"},
    "en": {"card": "Card", "konbini": "Convenience store", "paypay": "PayPay"},
}


def jst(moment: datetime | None) -> str:
    return (moment or clock.utc_now()).astimezone(JST).strftime("%Y-%m-%d %H:%M")


def _vtuber_name(gacha: Gacha | None) -> str:
    if gacha is None:
        return "-"
    try:
        return str(Vtuber.get(gacha.owner_user_id).channel_name)
    except DoesNotExist:
        return "-"


def _receipt(event_id: str, order_id: str) -> None:
    order = Order.get(order_id, consistent_read=True)
    profile = users.find_user(order.fan_id)
    if profile is None:
        logger.warning("receipt: no such fan", extra={"order_id": order_id})
        return
    try:
        gacha: Gacha | None = Gacha.get(order.gacha_id)
    except DoesNotExist:
        gacha = None
    lang = templates.locale_of(profile.locale)
    method = order.payment_method or order.provider
    rendered = templates.render(
        "receipt",
        lang,
        link=templates.site_link("/orders", id=order_id),
        name=profile.display_name,
        seller=get_settings().seller_name,
        vtuber=_vtuber_name(gacha),
        gacha=gacha.title if gacha else order.gacha_id,
        count=int(order.count),
        amount=f"{int(order.amount):,}",
        payment_method=PAYMENT_METHODS[lang].get(method, method),
        order_id=order_id,
        date_jst=jst(order.paid_at or order.created_at),
    )
    outbox.send_once(f"receipt#{event_id}", profile.email, rendered, kind="receipt")


def _refund(event_id: str, order_id: str, amount: int, reason: str) -> None:
    order = Order.get(order_id, consistent_read=True)
    profile = users.find_user(order.fan_id)
    if profile is None:
        return
    rendered = templates.render(
        "refund",
        profile.locale,
        link=templates.site_link("/orders", id=order_id),
        name=profile.display_name,
        order_id=order_id,
        amount=f"{amount:,}",
        reason=reason,
    )
    outbox.send_once(f"refund#{event_id}", profile.email, rendered, kind="refund")


def _screened(event_id: str, user_id: str, decision: str, reason: str | None) -> None:
    profile = users.find_user(user_id)
    if profile is None:
        return
    try:
        channel = str(Vtuber.get(user_id).channel_name)
    except DoesNotExist:
        channel = "-"
    kind = "vtuber_approved" if decision == "approved" else "vtuber_rejected"
    rendered = templates.render(
        kind,
        profile.locale,
        link=templates.site_link("/vtuber/") if decision == "approved" else None,
        name=profile.display_name,
        channel=channel,
        reason=reason or "-",
    )
    outbox.send_once(f"{kind}#{event_id}", profile.email, rendered, kind=kind)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    detail_type = event.get("detail-type")
    if detail_type == PAYMENT_COMPLETED.detail_type:
        paid = PAYMENT_COMPLETED.parse(event["detail"])
        _receipt(paid.metadata.event_id, paid.data.order_id)
    elif detail_type == ORDER_REFUNDED.detail_type:
        refunded = ORDER_REFUNDED.parse(event["detail"])
        money = refunded.data
        _refund(refunded.metadata.event_id, money.order_id, money.amount, money.reason)
    elif detail_type == VTUBER_SCREENED.detail_type:
        screened = VTUBER_SCREENED.parse(event["detail"])
        decision = screened.data
        _screened(screened.metadata.event_id, decision.user_id, decision.decision, decision.reason)
    else:
        logger.warning("ignored event", extra={"detail_type": detail_type})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
