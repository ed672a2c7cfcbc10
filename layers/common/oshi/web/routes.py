"""The route table: every HTTP endpoint, declared once.

The CDK stack (one Lambda per route, authorizer on non-public routes, throttling), the local gateway
(matching, 404/405, authorizer) and the OpenAPI document are all generated from ``ROUTES``. A handler
module finds its own route here by its module name, so its path and method are never written twice.

This module must stay import-light: the authorizer and the CDK app both read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from oshi.identity.principal import Role


class Access(StrEnum):
    PUBLIC = "public"  # no token; the authorizer is not attached
    SIGNED_IN = "signed_in"  # any valid access token, further limited by ``roles``


@dataclass(frozen=True)
class Throttle:
    rate_per_second: float
    burst: int


@dataclass(frozen=True)
class CallerLimit:
    """Requests one caller may make per window: per user id, or per source IP on public routes.
    Past it: 429 ``RATE_LIMITED`` with ``Retry-After``, before the body is read (``oshi.web.api``)."""

    max_hits: int
    window_seconds: int = 60
    # Counted inside the handler's transaction (one round trip fewer on a money path, issue 21): the
    # handler calls ``Endpoint.count_in``; a request that commits no such transaction (refused, replayed,
    # invalid) is counted after it by ``oshi.web.api``. Over the limit: the same 429, nothing written.
    in_transaction: bool = False


ADMIN_PREFIX = "/api/admin/"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway style: /api/gachas/{gacha_id}
    handler: str  # module under functions/, e.g. "auth.me"; the Lambda handler is "<module>.handler"
    summary: str
    access: Access = Access.SIGNED_IN
    roles: frozenset[Role] = frozenset({Role.FAN, Role.VTUBER, Role.ADMIN})
    mfa: bool = False  # the token must show MFA (amr contains "mfa")
    throttle: Throttle | None = None  # tighter than the stage default
    timeout_seconds: int = 10
    memory_mb: int = 512
    tags: tuple[str, ...] = field(default=())
    caller_limit: CallerLimit | None = None  # per-caller rate limit, on top of the stage-wide throttling
    success: tuple[int, ...] = (200,)  # the 2xx/3xx codes the handler answers with (OpenAPI documents them)
    # The caller's email must be verified (the access token's "ev" claim): 403 EMAIL_NOT_VERIFIED.
    verified_email: bool = False

    def __post_init__(self) -> None:
        # Admin reads expose other people's data (screening queue, payments, balances): a stolen admin
        # password alone must not open any of them. Declared here so a new admin route cannot forget it.
        if self.path.startswith(ADMIN_PREFIX) and not (self.mfa and self.roles == frozenset({Role.ADMIN})):
            raise ValueError(
                f"{self.method} {self.path}: routes under {ADMIN_PREFIX} need roles={{ADMIN}} and mfa=True"
            )

    @property
    def is_public(self) -> bool:
        return self.access is Access.PUBLIC

    @property
    def function_id(self) -> str:
        """A stable identifier for the route's Lambda function (CDK construct id, log names)."""
        return "".join(part.capitalize() for part in re.split(r"[._]", self.handler))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(
            r"\{(\w+)\+?\}", r"(?P<\1>[^/]+)", re.escape(self.path).replace(r"\{", "{").replace(r"\}", "}")
        )
        return re.compile(f"^{regex}$")

    @property
    def powertools_path(self) -> str:
        """Powertools resolvers write path parameters as <name>."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


ANYONE = frozenset({Role.FAN, Role.VTUBER, Role.ADMIN})
AUTH_THROTTLE = Throttle(rate_per_second=10, burst=20)
# Money paths. One stock item absorbs ~250 purchases/s (a transactional update of a ~2 KB gacha item is
# 4 write units of the 1,000/s an item takes; a < 1 KB shard is 2 units, planned at 250/s for headroom:
# docs/performance.md §6). A launch gacha keeps its stock on PURCHASE_STOCK_SHARDS shard items
# (oshi.catalogue.stock), so the purchase route admits 8 shards x 250 purchases/s = 2,000/s, burst 2x.
# Kept literal here (no model imports in the route table); a unit test ties them to oshi.catalogue.stock.
PURCHASE_STOCK_SHARDS = 8
PURCHASE_RATE_PER_SHARD = 250
PURCHASE_THROTTLE = Throttle(
    rate_per_second=PURCHASE_STOCK_SHARDS * PURCHASE_RATE_PER_SHARD,  # 2,000
    burst=2 * PURCHASE_STOCK_SHARDS * PURCHASE_RATE_PER_SHARD,  # 4,000
)
# Trades write one exchange item (not sharded): below what it absorbs, as before.
TRADE_THROTTLE = Throttle(rate_per_second=200, burst=400)
DOWNLOAD_THROTTLE = Throttle(
    rate_per_second=50, burst=100
)  # per stage and method; per-IP limits are the WAF's
# Per-caller limits (DynamoDB counters, so they hold the same locally and on AWS across instances).
LOGIN_LIMIT = CallerLimit(max_hits=20)  # per source IP; an account also locks after 5 failed passwords
PURCHASE_LIMIT = CallerLimit(max_hits=10, in_transaction=True)
UPLOAD_LIMIT = CallerLimit(max_hits=30)
DOWNLOAD_URL_LIMIT = CallerLimit(max_hits=30)  # stops URL scraping
# Account flows (issue 18): mail-sending requests per IP (public) or account; link/password attempts.
MAIL_REQUEST_LIMIT = CallerLimit(max_hits=5, window_seconds=300)
ACCOUNT_LINK_LIMIT = CallerLimit(max_hits=20)
EXPORT_LIMIT = CallerLimit(max_hits=3, window_seconds=3600)  # each export reads everything about the fan

ROUTES: tuple[Route, ...] = (
    Route(
        "GET", "/api/health", "system.health", "Liveness of the API", access=Access.PUBLIC, tags=("system",)
    ),
    Route(
        "GET",
        "/api/openapi.json",
        "system.openapi",
        "This API's OpenAPI document",
        access=Access.PUBLIC,
        tags=("system",),
    ),
    Route("GET", "/api/me", "auth.me", "The caller's profile and roles", tags=("auth",)),
    Route(
        "GET",
        "/api/me/spending",
        "gacha.spending",
        "This month's spending, the monthly cap and what is left of it",
        tags=("purchase",),
    ),
    # --- auth (issue 3): sign-up and sign-in are public, throttled below the stage default ---
    Route(
        "POST",
        "/api/auth/register",
        "auth.register",
        "Create a fan account",
        access=Access.PUBLIC,
        throttle=AUTH_THROTTLE,
        tags=("auth",),
        success=(201,),
    ),
    Route(
        "POST",
        "/api/auth/login",
        "auth.login",
        "Sign in with email and password: tokens, or an MFA challenge",
        access=Access.PUBLIC,
        throttle=AUTH_THROTTLE,
        tags=("auth",),
        caller_limit=LOGIN_LIMIT,
    ),
    Route(
        "POST",
        "/api/auth/refresh",
        "auth.refresh",
        "Rotate a refresh token for new tokens",
        access=Access.PUBLIC,
        throttle=AUTH_THROTTLE,
        tags=("auth",),
    ),
    Route(
        "POST",
        "/api/auth/logout",
        "auth.logout",
        "Revoke a refresh token's session",
        access=Access.PUBLIC,
        throttle=AUTH_THROTTLE,
        tags=("auth",),
    ),
    Route(
        "POST",
        "/api/auth/mfa/verify",
        "auth.mfa_verify",
        "Complete an MFA sign-in with a TOTP code",
        access=Access.PUBLIC,
        throttle=AUTH_THROTTLE,
        tags=("auth",),
    ),
    Route(
        "POST",
        "/api/auth/logout-all",
        "auth.logout_all",
        "Sign out everywhere: every session and access token of the caller stops working",
        tags=("auth",),
    ),
    Route(
        "POST",
        "/api/admin/users/{user_id}/suspend",
        "auth.admin_user_suspend",
        "Suspend an account: no sign-in, and its sessions and access tokens are revoked",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "auth"),
    ),
    Route("POST", "/api/auth/mfa/setup", "auth.mfa_setup", "Start TOTP enrolment", tags=("auth",)),
    Route(
        "POST",
        "/api/auth/mfa/enable",
        "auth.mfa_enable",
        "Confirm TOTP enrolment with a code",
        tags=("auth",),
    ),
    # --- account flows (issue 18): link tokens, password reset/change, sessions. Public ones are limited
    # per source IP, signed-in ones per account; mail is further capped per address (oshi.identity.accounts).
    Route(
        "POST",
        "/api/auth/email/verify",
        "auth.email_verify",
        "Verify the account's email with the mailed link's token",
        access=Access.PUBLIC,
        throttle=AUTH_THROTTLE,
        tags=("auth",),
        caller_limit=ACCOUNT_LINK_LIMIT,
    ),
    Route(
        "POST",
        "/api/auth/email/resend",
        "auth.email_resend",
        "Mail a new email verification link",
        tags=("auth",),
        caller_limit=MAIL_REQUEST_LIMIT,
    ),
    Route(
        "POST",
        "/api/auth/email/change",
        "auth.email_change",
        "Change the account's email (password required): the new address is verified first",
        tags=("auth",),
        caller_limit=MAIL_REQUEST_LIMIT,
    ),
    Route(
        "POST",
        "/api/auth/password/forgot",
        "auth.password_forgot",
        "Mail a password reset link (the same answer whether or not the address has an account)",
        access=Access.PUBLIC,
        throttle=AUTH_THROTTLE,
        tags=("auth",),
        caller_limit=MAIL_REQUEST_LIMIT,
        success=(202,),
    ),
    Route(
        "POST",
        "/api/auth/password/reset",
        "auth.password_reset",
        "Set a new password with a reset link's token; signs out every session",
        access=Access.PUBLIC,
        throttle=AUTH_THROTTLE,
        tags=("auth",),
        caller_limit=ACCOUNT_LINK_LIMIT,
    ),
    Route(
        "POST",
        "/api/auth/password/change",
        "auth.password_change",
        "Change the password (current one required); signs out every other session",
        tags=("auth",),
        caller_limit=ACCOUNT_LINK_LIMIT,
    ),
    Route(
        "POST",
        "/api/auth/mfa/recovery-codes",
        "auth.mfa_recovery_codes",
        "New MFA recovery codes (password required; the old ones stop working)",
        mfa=True,
        tags=("auth",),
        caller_limit=ACCOUNT_LINK_LIMIT,
    ),
    Route(
        "POST",
        "/api/auth/mfa/disable",
        "auth.mfa_disable",
        "Turn MFA off (password and a TOTP or recovery code); not for admins",
        tags=("auth",),
        caller_limit=ACCOUNT_LINK_LIMIT,
    ),
    Route(
        "POST",
        "/api/me/export",
        "auth.data_export",
        "Ask for a copy of all your data (APPI): a download link is mailed",
        tags=("auth",),
        caller_limit=EXPORT_LIMIT,
        success=(202,),
    ),
    Route(
        "POST",
        "/api/me/delete",
        "auth.account_delete",
        "Delete your account: erased after 30 days unless you sign in again (password required)",
        tags=("auth",),
        caller_limit=ACCOUNT_LINK_LIMIT,
        success=(202,),
    ),
    Route(
        "GET", "/api/auth/sessions", "auth.sessions_list", "The caller's signed-in sessions", tags=("auth",)
    ),
    Route(
        "DELETE",
        "/api/auth/sessions/{session_id}",
        "auth.session_revoke",
        "Sign one of the caller's sessions out",
        tags=("auth",),
        caller_limit=ACCOUNT_LINK_LIMIT,
    ),
    Route(
        "POST",
        "/api/auth/sessions/revoke-others",
        "auth.sessions_revoke_others",
        "Sign out every other session of the caller",
        tags=("auth",),
        caller_limit=ACCOUNT_LINK_LIMIT,
    ),
    # --- VTuber screening, uploads, gacha creation (issue 4) ---
    Route(
        "POST",
        "/api/vtuber/apply",
        "vtuber.apply",
        "Apply to become a VTuber",
        tags=("vtuber",),
        success=(201,),
    ),
    Route(
        "GET",
        "/api/vtuber/application",
        "vtuber.application",
        "The caller's own VTuber application and its state",
        tags=("vtuber",),
    ),
    Route(
        "GET",
        "/api/admin/vtubers",
        "vtuber.admin_list",
        "VTuber applications by status (screening queue)",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "vtuber"),
    ),
    Route(
        "POST",
        "/api/admin/vtubers/{vtuber_id}/approve",
        "vtuber.admin_approve",
        "Approve a VTuber (grants the vtuber role)",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "vtuber"),
    ),
    Route(
        "POST",
        "/api/admin/vtubers/{vtuber_id}/reject",
        "vtuber.admin_reject",
        "Reject a VTuber application with a reason",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "vtuber"),
    ),
    Route(
        "POST",
        "/api/admin/vtubers/{vtuber_id}/suspend",
        "vtuber.admin_suspend",
        "Suspend a VTuber (their gachas stop selling)",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "vtuber"),
    ),
    Route(
        "POST",
        "/api/vtuber/upload",
        "vtuber.upload",
        "Start an upload: a presigned S3 POST for one file",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
        success=(201,),
        caller_limit=UPLOAD_LIMIT,
    ),
    Route(
        "GET",
        "/api/vtuber/assets",
        "vtuber.assets",
        "The VTuber's uploaded assets with their validation status",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    Route(
        "GET",
        "/api/vtuber/gacha/new",
        "vtuber.gacha_new",
        "What the gacha form needs: validated assets, limits, defaults",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    Route(
        "POST",
        "/api/vtuber/gacha/create",
        "vtuber.gacha_create",
        "Create a gacha (draft or published) with its lineup and rates",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
        success=(201,),
    ),
    Route(
        "GET",
        "/api/vtuber/assets/{asset_id}/view",
        "vtuber.asset_view",
        "A short-lived URL to view one of the caller's own validated files",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    Route(
        "GET",
        "/api/vtuber/gacha/{gacha_id}",
        "vtuber.gacha_get",
        "One of the caller's own gachas with its lineup (drafts included)",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    Route(
        "POST",
        "/api/vtuber/gacha/preview",
        "vtuber.gacha_preview",
        "The disclosure a gacha would have (validated as create, nothing saved)",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    Route(
        "GET",
        "/api/vtuber/gachas",
        "vtuber.gachas_mine",
        "The VTuber's own gachas, drafts included",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    Route(
        "PUT",
        "/api/vtuber/gacha/{gacha_id}",
        "vtuber.gacha_update",
        "Edit a draft, or a published gacha before its sale starts",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    Route(
        "POST",
        "/api/vtuber/gacha/{gacha_id}/publish",
        "vtuber.gacha_publish",
        "Publish a draft to the catalogue",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    # --- the public catalogue (issue 4) ---
    Route(
        "GET",
        "/api/gachas",
        "gacha.catalogue",
        "Listed gachas, paginated",
        access=Access.PUBLIC,
        tags=("catalogue",),
        success=(200, 304),  # 304 when If-None-Match matches the ETag
    ),
    Route(
        "GET",
        "/api/gachas/{gacha_id}",
        "gacha.detail",
        "A gacha with its full rate disclosure",
        access=Access.PUBLIC,
        tags=("catalogue",),
        success=(200, 304),  # 304 when If-None-Match matches the ETag
    ),
    Route(
        "GET",
        "/api/gachas/{gacha_id}/prizes/{prize_id}/preview",
        "gacha.preview",
        "A prize's public preview (redirects to the preview object)",
        access=Access.PUBLIC,
        tags=("catalogue",),
        success=(302,),
    ),
    Route(
        "GET",
        "/api/vtubers",
        "gacha.vtubers",
        "Approved VTubers, paginated",
        access=Access.PUBLIC,
        tags=("catalogue",),
        success=(200, 304),  # 304 when If-None-Match matches the ETag
    ),
    Route(
        "GET",
        "/api/vtubers/{vtuber_id}",
        "gacha.vtuber_profile",
        "A VTuber's public profile and current gachas",
        access=Access.PUBLIC,
        tags=("catalogue",),
        success=(200, 304),  # 304 when If-None-Match matches the ETag
    ),
    Route(
        "GET",
        "/api/vtuber/sales",
        "vtuber.sales",
        "The VTuber's sales: revenue, draws, fans, top prizes, per day",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    Route(
        "POST",
        "/api/admin/gachas/{gacha_id}/suspend",
        "vtuber.admin_gacha_suspend",
        "Stop one gacha's sale (admin)",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "catalogue"),
    ),
    # --- purchase and payment (issue 5) ---
    Route(
        "POST",
        "/api/gacha/purchase",
        "gacha.purchase",
        "Buy 1 or 10 draws: reserves stock and starts the provider's checkout",
        throttle=PURCHASE_THROTTLE,
        tags=("purchase",),
        success=(201, 200),
        caller_limit=PURCHASE_LIMIT,
        verified_email=True,
    ),
    Route("GET", "/api/gacha/orders", "gacha.orders", "The caller's purchase history", tags=("purchase",)),
    Route(
        "GET",
        "/api/gacha/orders/{order_id}",
        "gacha.order",
        "One of the caller's orders: status, and results once drawn",
        tags=("purchase",),
    ),
    Route(
        "POST",
        "/api/payment/webhooks/stripe",
        "payment.webhook_stripe",
        "Stripe webhook (Stripe-Signature over the raw body)",
        access=Access.PUBLIC,
        tags=("payment", "webhook"),
    ),
    Route(
        "POST",
        "/api/payment/webhooks/komoju",
        "payment.webhook_komoju",
        "KOMOJU webhook (X-Komoju-Signature over the raw body)",
        access=Access.PUBLIC,
        tags=("payment", "webhook"),
    ),
    # --- the draw: admin repair paths (issue 6) and fairness (issue 11) ---
    Route(
        "POST",
        "/api/admin/orders/{order_id}/retry",
        "gacha.admin_retry",
        "Redrive a paid order's fulfilment",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "orders"),
    ),
    Route(
        "GET",
        "/api/admin/orders",
        "gacha.admin_orders",
        "Find an order by id, or a fan's orders (admin console)",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "orders"),
    ),
    Route(
        "POST",
        "/api/admin/orders/{order_id}/refund",
        "gacha.admin_refund",
        "Refund an order through its provider, clawing back medals and rewards",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "orders"),
    ),
    Route(
        "GET",
        "/api/admin/reconciliation",
        "gacha.admin_reconciliation",
        "Payments against fulfilment: totals per provider and day, and what needs attention",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "orders"),
    ),
    Route(
        "GET",
        "/api/admin/refunds/pending",
        "payment.admin_refunds_pending",
        "Orders holding money they will not be fulfilled for: refunds being retried, and escalated ones",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "orders"),
    ),
    Route(
        "GET",
        "/api/gachas/{gacha_id}/fairness",
        "gacha.fairness",
        "The server-seed commitment, rate-table history, and the seed once revealed",
        access=Access.PUBLIC,
        tags=("fairness",),
    ),
    Route(
        "GET",
        "/api/gachas/{gacha_id}/stats",
        "gacha.stats",
        "Stated against observed rates, with confidence intervals",
        access=Access.PUBLIC,
        tags=("fairness",),
    ),
    # --- draw formats (issue 20): the box's live tickets and its log, the fan's ceiling counter ---
    Route(
        "GET",
        "/api/gachas/{gacha_id}/box",
        "gacha.box",
        "A box gacha's tickets left, per prize and in total (cached seconds)",
        access=Access.PUBLIC,
        tags=("catalogue",),
        success=(200, 304),  # 304 when If-None-Match matches the ETag
    ),
    Route(
        "GET",
        "/api/gachas/{gacha_id}/box/draws",
        "gacha.box_draws",
        "A box's whole draw log and revealed seed, once sold out or ended",
        access=Access.PUBLIC,
        tags=("fairness",),
    ),
    Route(
        "GET",
        "/api/gachas/{gacha_id}/me",
        "gacha.gacha_me",
        "The caller's state on a gacha: ceiling (天井) counter, first 10-draw discount, prices",
        tags=("purchase",),
    ),
    Route(
        "POST",
        "/api/vtuber/campaigns",
        "vtuber.campaign_create",
        "Create a campaign: a medal multiplier or a first 10-draw discount (frozen before it starts)",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
        success=(201,),
    ),
    Route(
        "GET",
        "/api/vtuber/campaigns",
        "vtuber.campaigns_mine",
        "The VTuber's campaigns",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    Route(
        "POST",
        "/api/vtuber/campaigns/{campaign_id}/cancel",
        "vtuber.campaign_cancel",
        "Cancel a campaign, until 10 minutes before it starts (then it is frozen)",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber",),
    ),
    # --- reward box, medals, exchange (issue 7) ---
    Route(
        "GET", "/api/rewards/list", "reward.list", "The caller's reward box, newest first", tags=("rewards",)
    ),
    Route(
        "POST",
        "/api/rewards/download-url",
        "reward.download_url",
        "A short-lived signed download URL for one of the caller's rewards",
        throttle=DOWNLOAD_THROTTLE,
        tags=("rewards",),
        caller_limit=DOWNLOAD_URL_LIMIT,
    ),
    Route(
        "GET", "/api/medals", "exchange.medals", "The caller's medal balances per VTuber", tags=("medals",)
    ),
    Route(
        "GET",
        "/api/medals/{vtuber_id}/history",
        "exchange.medal_history",
        "The caller's medal ledger for one VTuber",
        tags=("medals",),
    ),
    Route(
        "GET",
        "/api/exchange/items",
        "exchange.items",
        "Exchange items on sale for a VTuber, with the caller's counts",
        tags=("exchange",),
    ),
    Route(
        "POST",
        "/api/exchange/trade",
        "exchange.trade",
        "Trade medals for an item (one transaction)",
        throttle=TRADE_THROTTLE,
        tags=("exchange",),
        success=(201, 200),  # 200: a replayed Idempotency-Key
    ),
    Route(
        "POST",
        "/api/vtuber/exchange-items",
        "vtuber.exchange_item_create",
        "Create an exchange item for the VTuber's shop",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber", "exchange"),
        success=(201,),
    ),
    Route(
        "GET",
        "/api/vtuber/exchange-items",
        "vtuber.exchange_items_mine",
        "The VTuber's own exchange items, withdrawn ones included",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber", "exchange"),
    ),
    Route(
        "PUT",
        "/api/vtuber/exchange-items/{item_id}",
        "vtuber.exchange_item_update",
        "Change an exchange item's terms before its sale starts",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber", "exchange"),
    ),
    Route(
        "POST",
        "/api/vtuber/exchange-items/{item_id}/withdraw",
        "vtuber.exchange_item_withdraw",
        "Withdraw an exchange item before its sale starts",
        roles=frozenset({Role.VTUBER}),
        tags=("vtuber", "exchange"),
    ),
    Route(
        "GET",
        "/api/admin/medals/report",
        "exchange.admin_medal_report",
        "Proof that every medal balance equals its ledger's sum",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "medals"),
    ),
    Route(
        "GET",
        "/api/admin/audit",
        "system.admin_audit",
        "One day's audit entries and whether its hash chain is intact",
        roles=frozenset({Role.ADMIN}),
        mfa=True,
        tags=("admin", "audit"),
    ),
)

# The WebSocket API for order notifications (route key -> handler module); $connect checks the token.
WEBSOCKET_ROUTES: dict[str, str] = {"$connect": "gacha.ws_connect", "$disconnect": "gacha.ws_disconnect"}

# Consumers and the authorizer are functions too, but not routes.
AUTHORIZER_HANDLER = "auth.authorizer"


def route_for_handler(module_name: str) -> Route:
    for route in ROUTES:
        if route.handler == module_name:
            return route
    raise LookupError(
        f"no route is served by handler module {module_name!r}; add it to oshi.web.routes.ROUTES"
    )


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """Find the route for a request: (route, path parameters, path exists with another method)."""
    path_exists = False
    for route in _BY_SPECIFICITY:
        found = route.pattern.match(path)
        if not found:
            continue
        if route.method == method.upper():
            return route, found.groupdict(), True
        path_exists = True
    return None, {}, path_exists


# Literal segments win over parameters, as in API Gateway: /api/gachas/new before /api/gachas/{gacha_id}.
_BY_SPECIFICITY = sorted(ROUTES, key=lambda route: route.path.count("{"))


def resource_paths() -> list[str]:
    """Every distinct resource path, in table order."""
    return list(dict.fromkeys(route.path for route in ROUTES))
