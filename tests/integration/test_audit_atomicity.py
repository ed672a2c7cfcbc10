"""An audited change and its audit entry commit together (the audit outbox, ``oshi.audit.add``).

For each audited state change (admin actions, exchange items, lineups, campaigns, account flows), the
DynamoDB write that makes the change fails once: ``before`` it reaches DynamoDB (nothing may change and
nothing may be audited) or ``after`` DynamoDB applied it (a crash right after the write: the change and
its entry must both be there, since a separate audit ``PutItem`` after the write would be lost). Then a
refused condition (a concurrent change between the read and the write) leaves no entry, and a change
that goes through leaves exactly one, naming what was written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from exchange_support import create_item, shop
from fault_support import injected
from pynamodb.exceptions import DoesNotExist, PynamoDBException
from support import Api
from vtuber_support import approved, gacha_body, validated_asset

from bench.dynamodb_calls import _dynamodb_clients
from oshi.catalogue import campaigns, lineup, moderation, vtuber_queries, vtubers
from oshi.identity import accounts, mfa, refresh_tokens, revocation, sessions, users
from oshi.identity.principal import Role
from oshi.kernel import clock
from oshi.kernel.errors import (
    DomainError,
    ExchangeItemFrozen,
    GachaEditConflict,
    MfaCodeInvalid,
    UserNotFound,
)
from oshi.models.audit import AuditEntry, AuditPending
from oshi.models.campaigns import Campaign
from oshi.models.exchange import ExchangeItem
from oshi.models.gachas import Gacha
from oshi.models.sessions import RefreshFamily
from oshi.models.users import EmailClaim, User
from oshi.rewards import exchange
from vtuber import campaign_bodies, gacha_specs
from vtuber.campaign_schemas import CampaignIn
from vtuber.schemas import GachaCreateIn

PASSWORD = "correct horse 42"
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}


@pytest.fixture(autouse=True)
def _fresh_terms() -> None:
    exchange.forget_terms()  # each test has a fresh moto: forget the previous test's item terms


class WriteFault:
    """Fails the DynamoDB write after ``skip`` others once: before it is sent, or after it was applied."""

    def __init__(self, when: str, skip: int) -> None:
        self.when, self.skip, self.fired = when, skip, False

    def __call__(self, model: Any = None, **_: Any) -> None:
        if self.fired or model.name not in WRITES:
            return
        if self.skip:
            self.skip -= 1
            return
        self.fired = True
        if self.when == "before":
            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "injected"}}
            raise ClientError(error, model.name)
        raise RuntimeError(f"injected crash after {model.name} succeeded")


def entries(action: str) -> list[Any]:
    """Every audit entry with ``action``, still in the outbox or already chained."""
    return [e for model in (AuditPending, AuditEntry) for e in model.scan() if e.action == action]


@dataclass
class Case:
    act: Callable[[], Any]
    changed: Callable[[], bool]
    action: str
    skip: int = 0  # writes the flow makes before the audited one (a link consumed, a failure counted)


# --- set-ups: each returns the change to make, how to see it, and the entry it must leave ------------------
def _user(email: str = "mika@example.jp") -> str:
    return users.register(
        email=email,
        password=PASSWORD,
        display_name="Mika",
        birth_date=date(1995, 5, 5),
        terms_version="2026-11",
    ).user_id


def _with_mfa(user_id: str) -> str:
    secret, _ = users.start_mfa_setup(user_id)
    users.enable_mfa(user_id, mfa.code_at_step(secret, mfa.step_at(clock.now()) - 1))
    return secret


def _spec(asset_id: str, **overrides: Any) -> exchange.ItemSpec:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "name": "Signed wallpaper",
        "description": "",
        "cost": 30,
        "per_user_limit": 5,
        "stock": 10,
        "starts_at": now + timedelta(hours=1),
        "ends_at": now + timedelta(days=7),
        "asset_id": asset_id,
    }
    return exchange.ItemSpec(**(values | overrides))


def _upcoming_item(api: Api) -> tuple[str, str, str]:
    s = shop(api)
    item = create_item(api, s, starts_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    return s.vt.user_id, s.asset_id, item["item_id"]


def _item(item_id: str) -> ExchangeItem:
    return ExchangeItem.get(item_id, consistent_read=True)


def _gacha(api: Api, *, publish: bool) -> tuple[str, str, str]:
    vt = approved(api)
    asset = validated_asset(api, vt)
    response = api.post(
        "/api/vtuber/gacha/create", token=vt.token, json_body=gacha_body([asset], publish=publish)
    )
    assert response.status == 201, response.body
    return vt.user_id, asset, response.json()["gacha_id"]


def _status(gacha_id: str) -> str:
    return str(Gacha.get(gacha_id, consistent_read=True).status)


def exchange_item_created(api: Api) -> Case:
    s = shop(api)
    return Case(
        lambda: exchange.create_item(s.vt.user_id, _spec(s.asset_id)),
        lambda: any(True for _ in ExchangeItem.scan()),
        "exchange_item.created",
    )


def exchange_item_updated(api: Api) -> Case:
    user_id, asset_id, item_id = _upcoming_item(api)
    return Case(
        lambda: exchange.update_item(user_id, item_id, _spec(asset_id, cost=45)),
        lambda: int(_item(item_id).cost) == 45,
        "exchange_item.updated",
    )


def exchange_item_withdrawn(api: Api) -> Case:
    user_id, _, item_id = _upcoming_item(api)
    return Case(
        lambda: exchange.withdraw_item(user_id, item_id),
        lambda: _item(item_id).status == "withdrawn",
        "exchange_item.withdrawn",
    )


def gacha_created(api: Api) -> Case:
    vt = approved(api)
    spec = gacha_specs.gacha_spec(GachaCreateIn.model_validate(gacha_body([validated_asset(api, vt)])))
    return Case(
        lambda: lineup.create_gacha(vt.user_id, spec),
        lambda: any(True for _ in Gacha.scan()),
        "gacha.created",
    )


def gacha_updated(api: Api) -> Case:
    user_id, asset, gacha_id = _gacha(api, publish=False)
    spec = gacha_specs.gacha_spec(GachaCreateIn.model_validate(gacha_body([asset], price_single=400)))
    return Case(
        lambda: lineup.update_gacha(user_id, gacha_id, spec),
        lambda: int(Gacha.get(gacha_id, consistent_read=True).price_single) == 400,
        "gacha.updated",
    )


def gacha_published(api: Api) -> Case:
    user_id, _, gacha_id = _gacha(api, publish=False)
    return Case(
        lambda: lineup.publish_gacha(user_id, gacha_id),
        lambda: _status(gacha_id) == "published",
        "gacha.published",
    )


def gacha_suspended(api: Api) -> Case:
    _, _, gacha_id = _gacha(api, publish=True)
    return Case(
        lambda: moderation.suspend_gacha("admin-1", gacha_id, reason="rights claim"),
        lambda: _status(gacha_id) == "suspended",
        "gacha.suspended",
    )


def campaign_created(api: Api) -> Case:
    vt = approved(api)
    now = datetime.now(UTC)
    body = CampaignIn.model_validate(
        {
            "kind": "medal_multiplier",
            "title": "週末メダル2倍",
            "starts_at": (now + timedelta(minutes=11)).isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
            "multiplier": 2,
        }
    )
    spec = campaign_bodies.campaign_spec(body)
    return Case(
        lambda: campaigns.create(vt.user_id, spec),
        lambda: any(c.campaign_id != campaigns.LOCK for c in Campaign.scan()),
        "campaign.created",
    )


def vtuber_applied(api: Api) -> Case:
    return Case(
        lambda: vtubers.apply(
            "fan-9", channel_name="Hoshino", channel_url="https://youtube.example/@h", description=""
        ),
        lambda: vtuber_queries.find_by_user("fan-9") is not None,
        "vtuber.applied",
    )


def _applied(user_id: str) -> str:
    return vtubers.apply(
        user_id, channel_name="Hoshino", channel_url="https://youtube.example/@h", description=""
    ).vtuber_id


def vtuber_approved(api: Api) -> Case:
    user_id = _user()
    vtuber_id = _applied(user_id)
    return Case(
        lambda: vtubers.decide("admin-1", vtuber_id, "approve"),
        lambda: vtuber_queries.find_by_user(user_id).status == "approved",
        "vtuber.approved",
    )


def vtuber_suspended(api: Api) -> Case:
    user_id = _user()
    vtuber_id = _applied(user_id)
    vtubers.decide("admin-1", vtuber_id, "approve")
    return Case(
        lambda: vtubers.decide("admin-1", vtuber_id, "suspend", reason="rights claim"),
        lambda: vtuber_queries.find_by_user(user_id).status == "suspended",
        "vtuber.suspended",
    )


def admin_created(api: Api) -> Case:
    def exists() -> bool:
        try:
            EmailClaim.get("ops@oshi.example", consistent_read=True)
        except DoesNotExist:
            return False
        return True

    return Case(
        lambda: users.create_admin(
            email="ops@oshi.example", password=PASSWORD, display_name="Ops", birth_date=date(1990, 1, 1)
        ),
        exists,
        "auth.admin_created",
    )


def user_suspended(api: Api) -> Case:
    user_id = _user()
    return Case(
        lambda: users.suspend(user_id, actor="admin-1", reason="fraud"),
        lambda: bool(users.load_user(user_id).suspended),
        "auth.user_suspended",
    )


def role_granted(api: Api) -> Case:
    user_id = _user()
    return Case(
        lambda: users.grant_role(user_id, Role.VTUBER, actor="admin-1"),
        lambda: Role.VTUBER in users.get_user(user_id).roles,
        "auth.role_granted",
    )


def mfa_enabled(api: Api) -> Case:
    user_id = _user()
    secret, _ = users.start_mfa_setup(user_id)
    return Case(
        lambda: users.enable_mfa(user_id, mfa.code_at_step(secret, mfa.step_at(clock.now()))),
        lambda: users.get_user(user_id).mfa_enabled,
        "auth.mfa_enabled",
    )


def recovery_codes_issued(api: Api) -> Case:
    user_id = _user()
    _with_mfa(user_id)
    return Case(
        lambda: users.issue_recovery_codes(user_id),
        lambda: users.get_user(user_id).recovery_codes_left == 10,
        "auth.recovery_codes_issued",
    )


def recovery_code_used(api: Api) -> Case:
    user_id = _user()
    _with_mfa(user_id)
    codes = users.issue_recovery_codes(user_id)
    return Case(
        lambda: users.check_recovery_code(user_id, codes[0]),
        lambda: users.get_user(user_id).recovery_codes_left == 9,
        "auth.recovery_code_used",
    )


def mfa_disabled(api: Api) -> Case:
    user_id = _user()
    secret = _with_mfa(user_id)
    return Case(
        lambda: users.disable_mfa(user_id, PASSWORD, mfa.code_at_step(secret, mfa.step_at(clock.now()))),
        lambda: not users.get_user(user_id).mfa_enabled,
        "auth.mfa_disabled",
        skip=1,  # the code's use (its time step recorded) comes first
    )


def login_locked(api: Api) -> Case:
    user_id = _user()
    User(user_id).update(actions=[User.failed_logins.set(users.MAX_FAILED_LOGINS - 1)])
    return Case(
        lambda: users.record_failure(user_id, now=clock.now()),
        lambda: users.load_user(user_id).locked_until is not None,
        "auth.login_locked",
        skip=1,  # the failure counted first
    )


def deletion_cancelled(api: Api) -> Case:
    user_id = _user()
    User(user_id).update(
        actions=[User.deletion_requested_at.set(int(clock.now())), User.deletion_pending.set("1")]
    )
    return Case(
        lambda: users.cancel_deletion(users.load_user(user_id)),
        lambda: users.load_user(user_id).deletion_requested_at is None,
        "privacy.deletion_cancelled",
    )


def email_verified(api: Api) -> Case:
    user_id = _user()
    raw = accounts._issue(accounts.VERIFY_EMAIL, user_id, "mika@example.jp", accounts.VERIFY_SECONDS)
    return Case(
        lambda: accounts.verify_email(raw),
        lambda: users.get_user(user_id).email_verified,
        "auth.email_verified",
        skip=1,  # the link used first
    )


def email_changed(api: Api) -> Case:
    user_id = _user()
    raw = accounts._issue(accounts.CHANGE_EMAIL, user_id, "new@example.jp", accounts.VERIFY_SECONDS)
    return Case(
        lambda: accounts.verify_email(raw),
        lambda: users.get_user(user_id).email == "new@example.jp",
        "auth.email_changed",
    )


def password_changed(api: Api) -> Case:
    user_id = _user()
    before = users.load_user(user_id).password_hash
    return Case(
        lambda: accounts.change_password(user_id, PASSWORD, "battery staple 77"),
        lambda: users.load_user(user_id).password_hash != before,
        "auth.password_changed",
    )


def password_reset(api: Api) -> Case:
    user_id = _user()
    before = users.load_user(user_id).password_hash
    raw = accounts._issue(accounts.RESET_PASSWORD, user_id, "mika@example.jp", accounts.RESET_SECONDS)
    return Case(
        lambda: accounts.reset_password(raw, "battery staple 77"),
        lambda: users.load_user(user_id).password_hash != before,
        "auth.password_reset",
        skip=1,  # the link used first
    )


def deletion_requested(api: Api) -> Case:
    user_id = _user()
    return Case(
        lambda: accounts.request_deletion(user_id, PASSWORD),
        lambda: users.load_user(user_id).deletion_requested_at is not None,
        "privacy.deletion_requested",
    )


def signed_out_everywhere(api: Api) -> Case:
    user_id = _user()
    return Case(
        lambda: sessions.sign_out_everywhere(user_id),
        lambda: revocation.read_not_before(user_id, consistent=True) > 0,
        "auth.signed_out_everywhere",
    )


def signed_out_others(api: Api) -> Case:
    user_id = _user()
    return Case(
        lambda: accounts.sign_out_others(user_id),
        lambda: revocation.read_not_before(user_id, consistent=True) > 0,
        "auth.signed_out_others",
    )


def _revoked(family_id: str) -> bool:
    return bool(RefreshFamily.get(family_id, consistent_read=True).revoked)


def session_revoked(api: Api) -> Case:
    user_id = _user()
    family_id = refresh_tokens.start_family(user_id, ["pwd"]).family_id
    return Case(
        lambda: accounts.revoke_session(user_id, family_id),
        lambda: _revoked(family_id),
        "auth.session_revoked",
    )


def refresh_reuse_detected(api: Api) -> Case:
    user_id = _user()
    first = refresh_tokens.start_family(user_id, ["pwd"], now=clock.now() - 60)
    refresh_tokens.rotate(first.token, now=clock.now() - 50)  # rotated long before: no grace left
    return Case(
        lambda: refresh_tokens.rotate(first.token),
        lambda: _revoked(first.family_id),
        "auth.refresh_reuse_detected",
    )


CASES = [
    exchange_item_created,
    exchange_item_updated,
    exchange_item_withdrawn,
    gacha_created,
    gacha_updated,
    gacha_published,
    gacha_suspended,
    campaign_created,
    vtuber_applied,
    vtuber_approved,
    vtuber_suspended,
    admin_created,
    user_suspended,
    role_granted,
    mfa_enabled,
    recovery_codes_issued,
    recovery_code_used,
    mfa_disabled,
    login_locked,
    deletion_cancelled,
    email_verified,
    email_changed,
    password_changed,
    password_reset,
    deletion_requested,
    session_revoked,
    refresh_reuse_detected,
    signed_out_everywhere,
    signed_out_others,
]


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("setup", CASES, ids=lambda f: f.__name__)
def test_the_change_and_its_audit_entry_commit_together(
    api: Api, setup: Callable[[Api], Case], when: str
) -> None:
    case = setup(api)
    assert not case.changed() and entries(case.action) == []
    with (
        injected(WriteFault(when, case.skip)) as fault,
        pytest.raises((ClientError, PynamoDBException, RuntimeError, DomainError)),
    ):
        case.act()
    assert fault.fired
    if when == "before":
        assert (case.changed(), entries(case.action)) == (False, []), (
            "a refused write changes and audits nothing"
        )
    else:
        assert case.changed(), "the write was applied before the crash"
        assert len(entries(case.action)) == 1, "a crash after the change cannot lose its audit entry"


# --- a refused condition leaves no entry; a change that goes through names what was written ---------------
@contextmanager
def before_commit(change: Callable[[], None]) -> Iterator[None]:
    """Runs ``change`` once, just before the next transaction is sent: a concurrent writer that got there
    between the flow's read and its write."""
    done: list[bool] = []

    def hook(**_: Any) -> None:
        if not done:
            done.append(True)
            change()

    clients = _dynamodb_clients()
    for client in clients:
        client.meta.events.register(
            "before-call.dynamodb.TransactWriteItems", hook, unique_id="before-commit"
        )
    try:
        yield
    finally:
        for client in clients:
            client.meta.events.unregister(
                "before-call.dynamodb.TransactWriteItems", unique_id="before-commit"
            )
    assert done, "the flow committed no transaction"


def test_an_item_edit_refused_at_commit_is_not_audited_and_one_that_passes_names_its_version(
    api: Api,
) -> None:
    user_id, asset_id, item_id = _upcoming_item(api)
    with (
        before_commit(lambda: _item(item_id).update(actions=[ExchangeItem.version.add(1)])),
        pytest.raises(ExchangeItemFrozen),
    ):
        exchange.update_item(user_id, item_id, _spec(asset_id, cost=45))
    assert int(_item(item_id).cost) == 30 and entries("exchange_item.updated") == []

    returned = exchange.update_item(user_id, item_id, _spec(asset_id, cost=45, stock=None))
    stored = _item(item_id)
    [entry] = entries("exchange_item.updated")
    assert entry.after["version"] == int(stored.version) == int(returned.version) == 3
    assert (returned.cost, returned.stock, returned.remaining) == (
        stored.cost,
        stored.stock,
        stored.remaining,
    )
    assert (int(returned.cost), returned.stock) == (45, None)

    withdrawn = exchange.withdraw_item(user_id, item_id)
    assert (
        (withdrawn.status, int(withdrawn.version))
        == ("withdrawn", int(_item(item_id).version))
        == ("withdrawn", 4)
    )
    assert len(entries("exchange_item.withdrawn")) == 1


def test_a_publication_refused_at_commit_is_not_audited(api: Api) -> None:
    user_id, _, gacha_id = _gacha(api, publish=False)
    concurrent = Gacha.status.set("published"), Gacha.version.add(1)
    with (
        before_commit(lambda: Gacha(gacha_id).update(actions=list(concurrent))),
        pytest.raises(GachaEditConflict),
    ):
        lineup.publish_gacha(user_id, gacha_id)
    assert entries("gacha.published") == []


def test_a_publication_whose_version_moved_meanwhile_is_audited_with_the_version_written(api: Api) -> None:
    user_id, _, gacha_id = _gacha(api, publish=False)
    with before_commit(lambda: Gacha(gacha_id).update(actions=[Gacha.version.add(1)])):  # e.g. a campaign
        published = lineup.publish_gacha(user_id, gacha_id)
    stored = Gacha.get(gacha_id, consistent_read=True)
    [entry] = entries("gacha.published")
    assert (stored.status, int(stored.version)) == ("published", 3)
    assert (entry.after["status"], entry.after["version"], entry.before["version"]) == ("published", 3, 2)
    assert (published.status, int(published.version), published.listing) == ("published", 3, stored.listing)


def test_a_suspension_whose_version_moved_meanwhile_is_audited_with_the_version_written(api: Api) -> None:
    _, _, gacha_id = _gacha(api, publish=True)
    with before_commit(lambda: Gacha(gacha_id).update(actions=[Gacha.version.add(1)])):
        suspended = moderation.suspend_gacha("admin-1", gacha_id, reason="rights claim")
    stored = Gacha.get(gacha_id, consistent_read=True)
    [entry] = entries("gacha.suspended")
    assert (stored.status, int(stored.version)) == ("suspended", 3)
    assert (entry.after["version"], entry.before["version"], int(suspended.version)) == (3, 2, 3)


def test_a_suspension_refused_at_commit_is_not_audited(api: Api) -> None:
    _, _, gacha_id = _gacha(api, publish=True)
    with (
        before_commit(lambda: Gacha(gacha_id).update(actions=[Gacha.status.set("draft")])),
        pytest.raises(moderation.GachaNotSuspendable),
    ):
        moderation.suspend_gacha("admin-1", gacha_id, reason="rights claim")
    assert _status(gacha_id) == "draft" and entries("gacha.suspended") == []


def test_refused_account_changes_are_not_audited(api: Api) -> None:
    with pytest.raises(UserNotFound):
        users.suspend("nobody", actor="admin-1", reason="fraud")
    with pytest.raises(UserNotFound):
        users.grant_role("nobody", Role.VTUBER, actor="admin-1")
    user_id = _user()
    _with_mfa(user_id)
    codes = users.issue_recovery_codes(user_id)
    with pytest.raises(MfaCodeInvalid):
        users.check_recovery_code(user_id, "0000-0000-00")
    User(user_id).update(actions=[User.deletion_requested_at.set(int(clock.now())), User.deleted.set(True)])
    assert users.cancel_deletion(users.load_user(user_id)) is False
    for action in (
        "auth.user_suspended",
        "auth.role_granted",
        "auth.recovery_code_used",
        "privacy.deletion_cancelled",
    ):
        assert entries(action) == [], action
    used = users.check_recovery_code(user_id, codes[0])
    [entry] = entries("auth.recovery_code_used")
    assert entry.after == {"codes_left": 9} and len(used.mfa_recovery_codes or ()) == 9


def test_a_screening_decision_its_role_and_their_entries_commit_together(api: Api) -> None:
    user_id = _user()
    vtuber_id = _applied(user_id)
    with injected(WriteFault("after", 0)), pytest.raises(RuntimeError):
        vtubers.decide("admin-1", vtuber_id, "approve")  # crashes after its one transaction committed
    assert Role.VTUBER in users.get_user(user_id).roles
    [approved_entry] = entries("vtuber.approved")
    assert (approved_entry.after["status"], approved_entry.after["role_changed"]) == ("approved", True)
    assert [e.after for e in entries("auth.role_granted")] == [{"role": "vtuber"}]

    decision = vtubers.decide("admin-1", vtuber_id, "suspend", reason="rights claim")
    assert decision.role_changed and Role.VTUBER not in users.get_user(user_id).roles
    [suspended_entry] = entries("vtuber.suspended")
    assert suspended_entry.after == {
        "status": "suspended",
        "reason": "rights claim",
        "channel_name": "Hoshino",
        "role_changed": True,
    }
    assert len(entries("auth.role_revoked")) == 1


def test_a_decision_for_a_vtuber_without_an_account_record_is_taken_and_audited_without_the_role(
    api: Api,
) -> None:
    vtuber_id = _applied("service-account")  # no user item: the role cannot be granted
    decision = vtubers.decide("admin-1", vtuber_id, "approve")
    assert (decision.role_changed, decision.vtuber.status) == (False, "approved")
    assert vtuber_queries.find_by_user("service-account").status == "approved"
    [entry] = entries("vtuber.approved")
    assert entry.after["role_changed"] is False and entries("auth.role_granted") == []
    with pytest.raises(DomainError):  # approving twice: the status condition refuses, nothing audited
        vtubers.decide("admin-1", vtuber_id, "approve")
    assert len(entries("vtuber.approved")) == 1


def test_a_sign_out_behind_a_later_marker_writes_nothing_and_is_still_recorded(api: Api) -> None:
    user_id = _user()
    later = revocation.revoke_all(user_id, reason="suspended", now=clock.now() + 3600)
    sessions.sign_out_everywhere(user_id)  # its marker would move the later one back: refused
    assert revocation.read_not_before(user_id, consistent=True) == later
    assert len(entries("auth.signed_out_everywhere")) == 1

    user_id = _user("other@example.jp")
    start = int(clock.now())
    sessions.sign_out_everywhere(user_id)
    assert start + 1 <= revocation.read_not_before(user_id, consistent=True) <= int(clock.now()) + 1
    assert len(entries("auth.signed_out_everywhere")) == 2
