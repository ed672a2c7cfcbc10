"""Event topology: which bus events reach which SQS queue and which consumer handler reads it.

Read by the CDK stack (rules, queues, DLQs, alarms, event source mappings) and by the local event pump,
so both wire the same events to the same handlers with the same retry limits. Detail types come from the
declarations in ``oshi.events.definitions`` (never string literals); ``docs/events.md`` is generated from
both (``make events``).
"""

from __future__ import annotations

from dataclasses import dataclass

from oshi.events.definitions import (
    DATA_EXPORT_REQUESTED,
    GACHA_COMPLETED,
    ORDER_REFUNDED,
    PASSWORD_RESET_REQUESTED,
    PAYMENT_COMPLETED,
    REFUND_DUE,
    VTUBER_SCREENED,
)


@dataclass(frozen=True)
class Consumer:
    queue: str  # short queue name; the DLQ is "<queue>-dlq"
    handler: str  # module under functions/, "<module>.handler" on Lambda
    detail_types: tuple[str, ...]
    batch_size: int = 10
    max_receive_count: int = 5  # deliveries before the message moves to the DLQ
    visibility_timeout_seconds: int = 60
    timeout_seconds: int = 30
    memory_mb: int = 512
    # Concurrent batches at most (SQS event source "maximum concurrency"): protects what it writes to.
    max_concurrency: int | None = None


@dataclass(frozen=True)
class Schedule:
    """A handler run on a timer (an EventBridge schedule on AWS; a thread in the local stack)."""

    name: str
    handler: str  # module under functions/, "<module>.handler" on Lambda
    every_minutes: int
    timeout_seconds: int = 60
    memory_mb: int = 512


CONSUMERS: tuple[Consumer, ...] = (
    # PaymentCompleted -> the draw (issue 6): one transaction per order, redelivery-safe.
    # One order per invocation: the draw is promised within 3 s of payment, and in a batch the last
    # order waits for every one before it (a launch on the local stack: 10 x ~0.5-1 s; p99 5-14 s with
    # batches of 10, docs/performance.md §9). An invocation per order costs $0.20 per million.
    # At most 50 at once: bounds the write rate on one gacha's partition (limited prizes, stats)
    # and the provider refund calls of compensations; the queue absorbs a launch spike.
    Consumer(
        "fulfilment",
        "gacha.fulfil",
        (PAYMENT_COMPLETED.detail_type,),
        batch_size=1,
        max_receive_count=5,
        max_concurrency=50,
    ),
    # RefundDue -> the provider refund of money received for an order that will not be fulfilled
    # (oshi.commerce.refunds). A refusal is retried with exponential backoff (the consumer stretches the
    # message's visibility: 2, 4, 8 ... 128 min, about 4 h over 8 receives), then the DLQ alarm; the order
    # stays on the admins' pending-refund list. At most 5 batches at once: the provider's rate limits.
    Consumer(
        "refunds",
        "payment.refund",
        (REFUND_DUE.detail_type,),
        batch_size=5,
        max_receive_count=8,
        max_concurrency=5,
    ),
    # GachaCompleted / OrderRefunded -> WebSocket notification of the fan (issue 6).
    Consumer(
        "notify",
        "gacha.notify",
        (GACHA_COMPLETED.detail_type, ORDER_REFUNDED.detail_type),
        max_receive_count=3,
    ),
    # PaymentCompleted / OrderRefunded -> the fan's receipt / refund notice by mail (issue 18). Read-only
    # on the money tables; a ledger item per event id makes a redelivery send nothing.
    Consumer(
        "mail",
        "mail.receipts",
        (PAYMENT_COMPLETED.detail_type, ORDER_REFUNDED.detail_type, VTUBER_SCREENED.detail_type),
        max_receive_count=5,
        max_concurrency=10,  # SES' sending rate, not the tables, is the limit here
    ),
    # PasswordResetRequested -> the reset link, mailed if the address has an account (issue 18). Off the
    # request path so that the request answers in the same time whether or not the account exists.
    Consumer("password-reset", "auth.password_reset_mail", (PASSWORD_RESET_REQUESTED.detail_type,)),
    # DataExportRequested -> one JSON document of everything about the fan, in S3, and a mailed link
    # (issue 18, APPI). Reads many tables; rare; one at a time per batch.
    Consumer(
        "data-export",
        "privacy.export",
        (DATA_EXPORT_REQUESTED.detail_type,),
        batch_size=1,
        max_receive_count=3,
        visibility_timeout_seconds=180,
        timeout_seconds=120,
        max_concurrency=2,
    ),
)

SCHEDULES: tuple[Schedule, ...] = (
    # Releases stock reserved by orders whose payment can no longer complete (issue 5).
    Schedule("reservation-sweeper", "payment.sweep", every_minutes=5),
    # Stated rates against observed draws; publishes RateAnomaly (issue 11). Off the public read path.
    Schedule("rate-anomaly-scan", "gacha.rate_anomaly_scan", every_minutes=15, timeout_seconds=120),
    # Erases accounts 30 days after their deletion was requested (issue 18; oshi.identity.erasure).
    Schedule("account-eraser", "privacy.erase", every_minutes=30, timeout_seconds=300),
    # Chains the audit outbox (issue 21; oshi.audit). On AWS the outbox's stream runs the same handler
    # (``AUDIT_CHAINER``); this schedule is its sweep for leftovers, and locally the one trigger.
    Schedule("audit-chainer", "system.audit_chain", every_minutes=2),
)

# The audit outbox's DynamoDB stream -> the chainer (one batch at a time: reserved concurrency 1).
AUDIT_CHAINER = "system.audit_chain"

# S3 ObjectCreated under "uploads/" -> this queue (S3 event notification, not a bus rule) -> the upload
# validator (issue 4). The CDK stack and the local pump both wire it from here.
UPLOAD_VALIDATION = Consumer(
    "upload-validation", "vtuber.validate_upload", (), batch_size=5, max_receive_count=5
)
UPLOAD_EVENTS_PREFIX = "uploads/"

# SES bounce/complaint notifications (configuration set -> SNS -> this queue, not a bus rule) -> the
# suppression list (issue 18). The CDK Mail construct wires it; locally nothing bounces.
MAIL_FEEDBACK = Consumer("mail-feedback", "mail.feedback", (), batch_size=10, max_receive_count=5)


def all_handlers() -> list[str]:
    """Every handler module the system runs: routes, the authorizer, consumers, schedules, WebSocket."""
    from oshi.web import routes  # import-light, like this module

    return [
        *(route.handler for route in routes.ROUTES),
        routes.AUTHORIZER_HANDLER,
        *(consumer.handler for consumer in CONSUMERS),
        *(schedule.handler for schedule in SCHEDULES),
        *routes.WEBSOCKET_ROUTES.values(),
        UPLOAD_VALIDATION.handler,
        MAIL_FEEDBACK.handler,
    ]
