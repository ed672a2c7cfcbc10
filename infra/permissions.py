"""What each handler may touch: the one place the stack derives every function's IAM grants from.

One entry per handler module of ``oshi.web.routes.ROUTES`` (and the authorizer), ``oshi.web.topology.CONSUMERS``,
``SCHEDULES``, ``UPLOAD_VALIDATION`` and ``oshi.web.routes.WEBSOCKET_ROUTES``; a test fails when a handler
has none. Entries name tables by their short name (``oshi.models``), secrets by the keys of
``SECRETS`` below, bucket access by key prefix. Writes imply reads. The audit table is append-only
(issue 10): ``audit=True`` grants PutItem/GetItem/Query on it and PutItem on the ``audit-outbox`` table
(where entries are recorded; the chainer appends them to the log, issue 21), and every function's role
denies UpdateItem/DeleteItem on the log explicitly.

Routes with a per-caller limit (``Route.caller_limit``) write the ``rate-limits`` table. Every signed-in
route, the authorizer and the WebSocket ``$connect`` read ``token-revocations`` (``oshi.identity.revocation``:
tokens issued before a user's marker are refused); that grant is added below, derived from the route table.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from oshi.web.routes import AUTHORIZER_HANDLER, ROUTES

# Secrets by role; the stack maps each to its Secrets Manager secret (names from oshi.kernel.settings).
SECRETS = ("jwt-private", "jwt-public", "mfa-key", "refresh-key", "stripe", "komoju", "cdn-signing-key")
UPLOADS = "uploads/"
EXPORTS = "exports/"  # APPI data exports (functions/privacy/export.py): the fan's signed link reads them
PREVIEWS = "previews/"  # public prize previews (oshi.catalogue.previews), copied from uploads/
OBJECT_READ = ("s3:GetObject",)
OBJECT_PUT = ("s3:PutObject",)
OBJECT_VALIDATE = ("s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion")


@dataclass(frozen=True)
class ObjectAccess:
    prefix: str  # key prefix in the content bucket, e.g. "uploads/"
    actions: tuple[str, ...]


# Gacha create/edit copy a prize's preview from uploads/ to its public key under previews/.
PREVIEW_COPY = (ObjectAccess(UPLOADS, ("s3:GetObject",)), ObjectAccess(PREVIEWS, ("s3:PutObject",)))


@dataclass(frozen=True)
class Needs:
    read: frozenset[str] = frozenset()  # tables, read only (GetItem, Query, Scan, ...)
    write: frozenset[str] = frozenset()  # tables, read and write
    audit: bool = False  # append to the audit log (PutItem, GetItem, Query; never Update/Delete)
    secrets: frozenset[str] = frozenset()
    objects: tuple[ObjectAccess, ...] = ()
    put_events: bool = False  # publish on the bus
    queues: frozenset[str] = frozenset()  # consumer queues it sends to / reads from (admin redrive)
    manage_connections: bool = False  # postToConnection on the WebSocket API
    cdn: bool = False  # signs CloudFront URLs: gets OSHI_CDN_DOMAIN / OSHI_CDN_KEY_PAIR_ID
    seed_key: frozenset[str] = frozenset()  # "encrypt" / "decrypt" with the fairness seed key (issue 11)
    mail: bool = (
        False  # sends mail through SES (oshi.mail.outbox): ses:SendEmail/SendRawEmail on the identity
    )

    @property
    def tables(self) -> frozenset[str]:
        return self.read | self.write


def needs(
    read: str = "",
    write: str = "",
    *,
    audit: bool = False,
    secrets: str = "",
    objects: tuple[ObjectAccess, ...] = (),
    events: bool = False,
    queues: str = "",
    manage_connections: bool = False,
    cdn: bool = False,
    seed_key: str = "",
    mail: bool = False,
) -> Needs:
    """Space-separated names keep the table below readable."""
    written = frozenset(write.split())
    return Needs(
        read=frozenset(read.split()) - written,
        write=written,
        audit=audit,
        secrets=frozenset(secrets.split()),
        objects=objects,
        put_events=events,
        queues=frozenset(queues.split()),
        manage_connections=manage_connections,
        cdn=cdn,
        seed_key=frozenset(seed_key.split()),
        mail=mail,
    )


NONE = Needs()
SESSIONS = "refresh-tokens refresh-families"
REVOCATIONS = "token-revocations"
ISSUER = "jwt-private jwt-public"
ACCOUNT_MAIL = "account-tokens mail-suppressions rate-limits"  # link tokens, suppression list, mail caps
VTUBER_READ = "users vtubers assets storage gachas prizes"
PROVIDERS = "stripe komoju"
ORDER_TABLES = "orders provider-events gachas stock-shards prizes purchase-claims spending"
REFUND_TABLES = "orders gachas stock-shards prizes medal-balances medal-ledger rewards spending purchase-claims provider-events"

PERMISSIONS: dict[str, Needs] = {
    # --- system ---
    "system.health": NONE,
    "system.openapi": NONE,
    "system.admin_audit": needs("audit audit-outbox"),  # reads the log and counts the day's pending entries
    # The audit chainer: pending entries out of the outbox, appended to the (append-only) chain.
    "system.audit_chain": needs(write="audit-outbox", audit=True),
    # --- auth (issue 2): token issuers read the private keys; the authorizer only the public ones ---
    "auth.authorizer": needs(secrets="jwt-public"),
    "auth.me": needs("users mail-suppressions"),
    "auth.register": needs(write=f"users user-emails {ACCOUNT_MAIL}", audit=True, mail=True),
    "auth.login": needs(
        f"user-emails {REVOCATIONS}", f"users {SESSIONS} rate-limits", audit=True, secrets=ISSUER
    ),
    "auth.refresh": needs(f"users {REVOCATIONS}", SESSIONS, audit=True, secrets=f"{ISSUER} refresh-key"),
    "auth.logout": needs(write=SESSIONS, audit=True),
    "auth.mfa_verify": needs(
        f"user-emails {REVOCATIONS}", f"users {SESSIONS}", audit=True, secrets=f"{ISSUER} mfa-key"
    ),
    "auth.mfa_setup": needs(write="users", audit=True, secrets="mfa-key"),
    "auth.mfa_enable": needs(write="users", audit=True, secrets="mfa-key"),
    "auth.mfa_recovery_codes": needs(write="users rate-limits", audit=True),
    "auth.mfa_disable": needs(
        write=f"users rate-limits {REVOCATIONS} {SESSIONS}", audit=True, secrets=f"{ISSUER} mfa-key"
    ),
    "auth.logout_all": needs(write=REVOCATIONS, audit=True),
    "auth.admin_user_suspend": needs(write=f"users {REVOCATIONS}", audit=True),
    # --- account flows (issue 18): link tokens, mail (suppression list, per-address caps), sessions ---
    "auth.email_verify": needs(write=f"users user-emails {ACCOUNT_MAIL}", audit=True, mail=True),
    "auth.email_change": needs("user-emails", f"users {ACCOUNT_MAIL}", audit=True, mail=True),
    "auth.email_resend": needs(write=f"users {ACCOUNT_MAIL}", audit=True, mail=True),
    "auth.password_forgot": needs(write=ACCOUNT_MAIL, events=True),
    "auth.password_reset_mail": needs("user-emails", f"users {ACCOUNT_MAIL}", audit=True, mail=True),
    "auth.password_reset": needs(write=f"users {ACCOUNT_MAIL} {REVOCATIONS}", audit=True, mail=True),
    "auth.password_change": needs(
        write=f"users {ACCOUNT_MAIL} {REVOCATIONS} {SESSIONS}", audit=True, mail=True, secrets=ISSUER
    ),
    "mail.receipts": needs(f"orders gachas vtubers users {ACCOUNT_MAIL}", "mail-sent", mail=True),
    "mail.feedback": needs(write="mail-suppressions"),
    "auth.data_export": needs(write="rate-limits", audit=True, events=True),
    "privacy.export": needs(
        "users orders medal-balances medal-ledger rewards exchanges downloads refresh-families audit"
        " audit-outbox",
        f"mail-sent {ACCOUNT_MAIL}",
        objects=(ObjectAccess(EXPORTS, ("s3:PutObject", "s3:GetObject")),),
        mail=True,
    ),
    "auth.account_delete": needs(
        "vtubers gachas", f"users rate-limits {REVOCATIONS} {ACCOUNT_MAIL}", audit=True, mail=True
    ),
    "privacy.erase": needs(write=f"users user-emails rewards downloads {REVOCATIONS}", audit=True),
    "auth.sessions_list": needs(f"refresh-families {REVOCATIONS}"),
    "auth.session_revoke": needs(write="refresh-families rate-limits", audit=True),
    "auth.sessions_revoke_others": needs(
        write=f"users rate-limits {REVOCATIONS} {SESSIONS}", audit=True, secrets=ISSUER
    ),
    # --- vtuber service and catalogue (issue 4) ---
    "vtuber.apply": needs("users", "vtubers", audit=True),
    "vtuber.admin_list": needs("vtubers users"),
    "vtuber.admin_approve": needs(write="vtubers users", audit=True, events=True),  # VtuberScreened
    "vtuber.admin_reject": needs(write="vtubers users", audit=True, events=True),
    "vtuber.admin_suspend": needs(write="vtubers users gachas", audit=True, events=True),
    "vtuber.upload": needs(
        "users",
        "vtubers assets storage rate-limits",
        objects=(ObjectAccess(UPLOADS, OBJECT_PUT),),
        audit=True,
    ),
    "vtuber.assets": needs("vtubers assets"),
    "vtuber.gacha_new": needs("vtubers assets storage"),
    "vtuber.gacha_create": needs(
        f"{VTUBER_READ} stock-shards",
        "gachas prizes assets fairness",
        audit=True,
        events=True,
        seed_key="encrypt",
        objects=PREVIEW_COPY,
    ),
    "vtuber.gachas_mine": needs("vtubers gachas stock-shards prizes"),
    "vtuber.gacha_preview": needs(f"{VTUBER_READ} fairness"),  # validates and computes; writes nothing
    "vtuber.application": needs("vtubers"),
    "vtuber.asset_view": needs("vtubers assets", objects=(ObjectAccess(UPLOADS, OBJECT_READ),)),
    "vtuber.gacha_get": needs("vtubers gachas stock-shards prizes fairness"),
    "vtuber.gacha_update": needs(
        f"{VTUBER_READ} stock-shards",
        "gachas prizes assets fairness",
        audit=True,
        events=True,
        seed_key="encrypt",
        objects=PREVIEW_COPY,
    ),
    "vtuber.gacha_publish": needs(
        f"{VTUBER_READ} stock-shards", "gachas prizes fairness", audit=True, events=True, seed_key="encrypt"
    ),
    "vtuber.sales": needs("vtubers gachas prizes orders"),
    "vtuber.admin_gacha_suspend": needs(write="gachas", audit=True, events=True),
    "vtuber.exchange_item_create": needs("vtubers assets", "exchange-items", audit=True),
    "vtuber.exchange_items_mine": needs("vtubers exchange-items"),
    "vtuber.exchange_item_update": needs("vtubers assets", "exchange-items", audit=True),
    "vtuber.exchange_item_withdraw": needs("vtubers", "exchange-items", audit=True),
    "vtuber.validate_upload": needs(
        "users", "vtubers assets storage", audit=True, objects=(ObjectAccess(UPLOADS, OBJECT_VALIDATE),)
    ),
    "gacha.catalogue": needs("gachas stock-shards prizes vtubers"),
    "gacha.detail": needs("gachas stock-shards prizes vtubers fairness campaigns"),
    "gacha.vtuber_profile": needs("gachas stock-shards prizes vtubers exchange-items"),
    "gacha.vtubers": needs("vtubers"),
    # Locally (and without a CDN key group) it presigns a GET on previews/; with one it names the CDN path.
    "gacha.preview": needs("gachas prizes", objects=(ObjectAccess(PREVIEWS, OBJECT_READ),), cdn=True),
    "gacha.spending": needs("users spending"),
    # --- payments (issue 5) ---
    "gacha.purchase": needs("users vtubers", f"{ORDER_TABLES} rate-limits", audit=True, secrets=PROVIDERS),
    "gacha.orders": needs("orders"),
    "gacha.order": needs("orders"),
    # Provider refund events apply the refund here (oshi.commerce.refunds.mark_refunded: medals, rewards, stock).
    "payment.webhook_stripe": needs(write=REFUND_TABLES, audit=True, secrets=PROVIDERS, events=True),
    "payment.webhook_komoju": needs(write=REFUND_TABLES, audit=True, secrets=PROVIDERS, events=True),
    "payment.sweep": needs(write=ORDER_TABLES, audit=True),
    # RefundDue: the provider refund of money received for an order that will not be fulfilled, then
    # mark_refunded (medals, rewards, stock). Its queue's consume grant covers the backoff (visibility).
    "payment.refund": needs(write=REFUND_TABLES, audit=True, secrets=PROVIDERS, events=True),
    "payment.admin_refunds_pending": needs("orders"),
    # --- the draw, compensation, fairness (issues 6, 11) ---
    "gacha.fulfil": needs(
        "assets vtubers users campaigns",
        # nonces and stats live in "fairness"; a permanent failure compensates with a refund in the same run
        f"{REFUND_TABLES} fairness",
        audit=True,
        secrets=PROVIDERS,
        events=True,
        seed_key="encrypt decrypt",  # a gacha published before seeds existed gets one on first draw
    ),
    # Redrives the fulfilment of one order inline (oshi.fulfilment.fulfil), so it needs what fulfil needs.
    "gacha.admin_retry": needs(
        "assets vtubers users campaigns",
        f"{REFUND_TABLES} fairness",
        audit=True,
        secrets=PROVIDERS,
        events=True,
        seed_key="encrypt decrypt",
    ),
    "gacha.admin_refund": needs("users", REFUND_TABLES, audit=True, secrets=PROVIDERS, events=True),
    "gacha.admin_reconciliation": needs("orders"),
    "gacha.admin_orders": needs("orders"),
    # Reveals the server seed once the sale has ended (a write on the fairness table, issue 11).
    "gacha.fairness": needs("gachas prizes vtubers", "fairness", seed_key="decrypt"),
    "gacha.stats": needs("gachas prizes vtubers fairness"),  # read-only: the alert is the scan's
    # Draw formats (issue 20): the box's live state; its log (reveals the seed once the box is empty);
    # the caller's ceiling counter (the nonce item).
    "gacha.box": needs("gachas stock-shards prizes vtubers fairness"),
    "gacha.box_draws": needs("gachas prizes vtubers", "fairness", seed_key="decrypt"),
    "gacha.gacha_me": needs("gachas fairness purchase-claims"),
    # Campaigns (issue 20): created by the VTuber (audited; a first 10-draw discount is copied onto the gacha).
    "vtuber.campaign_create": needs(VTUBER_READ, "campaigns gachas", audit=True),
    "vtuber.campaigns_mine": needs("vtubers campaigns"),
    "vtuber.campaign_cancel": needs(VTUBER_READ, "campaigns gachas", audit=True),
    # Scheduled: stated against observed rates of listed gachas; publishes RateAnomaly.
    "gacha.rate_anomaly_scan": needs("gachas prizes fairness", events=True),
    # --- notifications (issue 6) ---
    "gacha.ws_connect": needs(write="connections", secrets="jwt-public"),
    "gacha.ws_disconnect": needs(write="connections"),
    "gacha.notify": needs("orders", "connections", manage_connections=True),
    # --- rewards, medals, exchange (issue 7) ---
    "reward.list": needs("rewards"),
    "reward.download_url": needs(
        "assets",
        "rewards downloads rate-limits",
        secrets="cdn-signing-key",
        cdn=True,
        objects=(ObjectAccess(UPLOADS, OBJECT_READ),),
    ),
    "exchange.medals": needs("medal-balances vtubers"),
    "exchange.medal_history": needs("medal-ledger medal-balances vtubers"),
    "exchange.items": needs("exchange-items exchange-counts vtubers assets"),
    "exchange.trade": needs(
        "vtubers assets",
        "exchange-items exchange-counts exchanges medal-balances medal-ledger rewards",
        audit=True,
        events=True,
    ),
    "exchange.admin_medal_report": needs("medal-balances medal-ledger vtubers"),
}

# Whoever checks a caller's access token also checks it against the revocation markers.
for _handler in (
    AUTHORIZER_HANDLER,
    "gacha.ws_connect",
    *(route.handler for route in ROUTES if not route.is_public),
):
    _entry = PERMISSIONS.get(_handler)  # a missing entry is reported by check()
    if _entry is not None and REVOCATIONS not in _entry.tables:
        PERMISSIONS[_handler] = replace(_entry, read=_entry.read | {REVOCATIONS})


@dataclass(frozen=True)
class Problems:
    missing: list[str] = field(default_factory=list)
    unknown_tables: dict[str, list[str]] = field(default_factory=dict)
    unknown_secrets: dict[str, list[str]] = field(default_factory=dict)


def needs_of(handler: str) -> Needs:
    try:
        return PERMISSIONS[handler]
    except KeyError:
        raise KeyError(
            f"{handler} has no entry in infra/permissions.py PERMISSIONS: declare the tables, secrets, "
            "bucket prefixes and events it uses"
        ) from None


def check(handlers: list[str], tables: set[str]) -> Problems:
    """What is wrong with the declarations for these handlers (the stack refuses to synth on any)."""
    problems = Problems()
    for handler in handlers:
        if handler not in PERMISSIONS:
            problems.missing.append(handler)
            continue
        entry = PERMISSIONS[handler]
        if bad := sorted(entry.tables - tables):
            problems.unknown_tables[handler] = bad
        if bad := sorted(entry.secrets - set(SECRETS)):
            problems.unknown_secrets[handler] = bad
    return problems
