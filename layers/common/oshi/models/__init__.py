"""Every table's model. Importing this package imports them all (CDK, local setup and tests do);
handlers import only the model modules they use."""

from __future__ import annotations

from pynamodb.models import Model

from oshi.models.assets import Asset, StorageUsage
from oshi.models.audit import AuditEntry
from oshi.models.gachas import Gacha, Prize
from oshi.models.orders import Order, ProviderEvent
from oshi.models.rewards import MedalBalance, MedalLedgerEntry, Reward
from oshi.models.sessions import RefreshFamily, RefreshToken
from oshi.models.users import EmailClaim, User
from oshi.models.vtubers import Vtuber


def all_models() -> tuple[type[Model], ...]:
    return (
        AuditEntry,
        User,
        EmailClaim,
        RefreshToken,
        RefreshFamily,
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
        # fulfilment and fairness (issues 6, 11) models below this line
        # exchange and downloads (issue 7) models below this line
    )
