"""Every table's model. ``all_models()`` imports them all (CDK, local setup and tests call it); importing
the package imports none, so a handler loads only the model modules it uses (docs/performance.md §1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pynamodb.models import Model


def all_models() -> tuple[type[Model], ...]:
    from oshi.models.accounts import AccountToken, MailSent, MailSuppression
    from oshi.models.assets import Asset, StorageUsage
    from oshi.models.audit import AuditEntry, AuditPending
    from oshi.models.campaigns import Campaign
    from oshi.models.connections import Connection
    from oshi.models.exchange import DownloadRecord, Exchange, ExchangeCount, ExchangeItem
    from oshi.models.fairness import FairnessRecord
    from oshi.models.gachas import Gacha, Prize, StockShard
    from oshi.models.orders import Order, ProviderEvent
    from oshi.models.payments import PurchaseClaim, Spending
    from oshi.models.ratelimit import RateLimitCounter
    from oshi.models.rewards import MedalBalance, MedalLedgerEntry, Reward
    from oshi.models.sessions import RefreshFamily, RefreshToken, TokenRevocation
    from oshi.models.users import EmailClaim, User
    from oshi.models.vtubers import Vtuber

    return (
        AuditEntry,
        AuditPending,  # the audit outbox (issue 21)
        User,
        EmailClaim,
        RefreshToken,
        RefreshFamily,
        TokenRevocation,
        Vtuber,
        Asset,
        Gacha,
        Prize,
        StorageUsage,
        Order,
        ProviderEvent,
        Reward,
        MedalBalance,
        MedalLedgerEntry,
        # payments (issue 5) models below this line
        Spending,
        PurchaseClaim,
        # fulfilment and fairness (issues 6, 11) models below this line
        Connection,  # notifications
        FairnessRecord,
        # exchange and downloads (issue 7) models below this line
        ExchangeItem,
        ExchangeCount,
        Exchange,
        DownloadRecord,
        RateLimitCounter,
        # draw formats and campaigns (issue 20)
        Campaign,
        # account flows and mail (issue 18)
        AccountToken,
        MailSuppression,
        MailSent,
        # sharded stock (issue 21)
        StockShard,
    )
