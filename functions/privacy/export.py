"""Consumer: ``DataExportRequested`` -> one JSON document of everything held about the fan (APPI), stored
in S3 under ``exports/<user>/<export id>.json``, and a short-lived signed link mailed to them.

What it holds: the profile (no password hash, MFA secret or recovery-code hashes: those are secrets, not
data about the person), orders with results and proofs, medal balances and ledger, the reward box,
trades, download records, sessions, and the audit entries about them (by target ``user/<id>`` or actor
``user:<id>``, read day by day from sign-up: the audit log is partitioned by day). Idempotent: a
redelivery rebuilds the same object (the key is the export id) and mails at most once (``send_once``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pynamodb.models import Model

from oshi.events.definitions import DATA_EXPORT_REQUESTED
from oshi.identity import users
from oshi.kernel import clock
from oshi.kernel.aws import client
from oshi.kernel.observability import logger
from oshi.kernel.settings import get_settings
from oshi.mail import outbox, templates
from oshi.models.audit import AuditEntry, AuditPending
from oshi.models.exchange import DownloadRecord, Exchange
from oshi.models.orders import Order
from oshi.models.rewards import MedalBalance, MedalLedgerEntry, Reward
from oshi.models.sessions import RefreshFamily
from oshi.models.users import User

processor = BatchProcessor(event_type=EventType.SQS)
EXPORTS_PREFIX = "exports/"
# SigV4 presigned URLs die with the signing credentials too: a Lambda role's last for hours, so one hour
# is both short-lived and safe. The fan asks again for a fresh one.
LINK_SECONDS = 3600
SECRET_FIELDS = {"password_hash", "mfa_secret", "mfa_pending_secret", "mfa_recovery_codes", "mfa_last_step"}


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return value


def _plain(item: Model) -> dict[str, Any]:
    """Every attribute of the item that has a value (sets as sorted lists, times in ISO 8601)."""
    values = {name: getattr(item, name) for name in item.get_attributes()}
    return {name: _value(value) for name, value in values.items() if value is not None}


def _audit_about(user_id: str, since: datetime) -> list[dict[str, Any]]:
    """The audit entries about the person: those in the chain and those still waiting in the outbox to be
    chained (the export request itself is one of them: it was written moments ago)."""
    targets, actors = {f"user/{user_id}"}, {f"user:{user_id}", user_id}
    found = []
    day = since.astimezone(UTC).date()
    while day <= clock.utc_now().date():
        for entry in AuditEntry.query(day.isoformat()):
            if entry.target in targets or entry.actor in actors:
                found.append(_plain(entry))
        for waiting in AuditPending.query(day.isoformat()):
            if waiting.target in targets or waiting.actor in actors:
                found.append({**_plain(waiting), "chained": False})
        day += timedelta(days=1)
    return found


def document(user_id: str) -> dict[str, Any]:
    user = User.get(user_id, consistent_read=True)
    profile = {k: v for k, v in _plain(user).items() if k not in SECRET_FIELDS}
    balances = list(MedalBalance.query(user_id))
    return {
        "format": "oshi-gacha-data-export/1",
        "generated_at": clock.utc_now().isoformat(),
        "profile": profile,
        "orders": [_plain(o) for o in Order.by_fan.query(user_id)],
        "medal_balances": [_plain(b) for b in balances],
        "medal_ledger": [
            _plain(e) for b in balances for e in MedalLedgerEntry.query(f"{user_id}#{b.vtuber_id}")
        ],
        "rewards": [_plain(r) for r in Reward.query(user_id)],
        "trades": [_plain(x) for x in Exchange.query(user_id)],
        "downloads": [_plain(d) for d in DownloadRecord.query(user_id)],
        "sessions": [
            {k: v for k, v in _plain(f).items() if k != "head"} for f in RefreshFamily.by_user.query(user_id)
        ],
        "audit": _audit_about(user_id, user.created_at),
    }


def object_key(user_id: str, export_id: str) -> str:
    return f"{EXPORTS_PREFIX}{user_id}/{export_id}.json"


def _presigner() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", region_name=get_settings().region, config=Config(signature_version="s3v4")
    )


def export(user_id: str, export_id: str, event_id: str) -> None:
    profile = users.find_user(user_id)
    if profile is None:
        logger.warning("export: no such user")
        return
    key = object_key(user_id, export_id)
    body = json.dumps(document(user_id), ensure_ascii=False, indent=1, default=str).encode()
    bucket = get_settings().content_bucket
    client("s3").put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        ContentType="application/json; charset=utf-8",
        ContentDisposition=f'attachment; filename="oshi-data-{export_id}.json"',
    )
    link = _presigner().generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=LINK_SECONDS
    )
    rendered = templates.render(
        "export_ready", profile.locale, link=str(link), name=profile.display_name, hours=LINK_SECONDS // 3600
    )
    outbox.send_once(f"export#{event_id}", profile.email, rendered, kind="export_ready")


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    received = DATA_EXPORT_REQUESTED.parse(event["detail"])
    export(received.data.user_id, received.data.export_id, received.metadata.event_id)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
