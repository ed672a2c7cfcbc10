"""The auth service end to end, in-process: register, login, lockout, refresh rotation, logout, MFA, roles.

One emulated AWS per module (fast); each test signs up its own accounts. Time is moved through
``oshi.kernel.clock`` (the ``clock`` fixture), never slept.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest
from support import Api, audit_day

from local.dispatch import HttpResponse
from oshi.identity import mfa, refresh_tokens, tokens, users
from oshi.identity.principal import Role
from oshi.kernel.aws import client
from oshi.kernel.errors import EmailTaken, InvalidRefreshToken
from oshi.models.users import User

PASSWORD = "Correct-horse-9"
T0 = 1_800_000_000.0  # a fixed instant, on a TOTP step boundary (divisible by 30)


@pytest.fixture
def api(module_aws: None) -> Api:
    return Api()


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: fake.now)
    return fake


def _email() -> str:
    return f"fan-{uuid.uuid4().hex[:10]}@example.com"


def _register(api: Api, email: str, password: str = PASSWORD, **extra: Any) -> HttpResponse:
    body = {
        "email": email,
        "password": password,
        "display_name": "Hoshi",
        "birth_date": "2004-05-06",
        "terms_version": "2026-11",
        "accept_terms": True,
        **extra,
    }
    return api.post("/api/auth/register", json_body=body)


def _login(api: Api, email: str, password: str = PASSWORD) -> HttpResponse:
    return api.post("/api/auth/login", json_body={"email": email, "password": password})


def _signed_up(api: Api) -> tuple[str, dict[str, Any]]:
    email = _email()
    assert _register(api, email).status == 201
    response = _login(api, email)
    assert response.status == 200, response.body
    return email, response.json()["tokens"]


def _code(response: HttpResponse) -> str:
    return str(response.json()["error"]["code"])


# --- registration -------------------------------------------------------------------------------------
def test_register_creates_a_fan_and_records_the_terms(api: Api) -> None:
    email = _email()
    response = _register(api, email)
    assert response.status == 201
    body = response.json()
    assert body["email"] == email and body["roles"] == ["fan"]
    user = User.get(body["user_id"])
    assert user.terms_version == "2026-11" and user.birth_date == "2004-05-06"
    assert user.password_hash.startswith("$2b$") and PASSWORD not in user.password_hash


def test_role_in_the_register_body_is_ignored(api: Api) -> None:
    response = _register(api, _email(), role="admin", roles=["admin", "vtuber"])
    assert response.status == 201
    assert response.json()["roles"] == ["fan"]
    assert User.get(response.json()["user_id"]).roles == {"fan"}


def test_password_of_73_bytes_is_refused_with_a_clear_code(api: Api) -> None:
    response = _register(api, _email(), password="Aa1" + "x" * 70)
    assert response.status == 422
    assert _code(response) == "PASSWORD_TOO_LONG"
    # 72 bytes is fine: nothing is truncated, nothing is silently changed.
    assert _register(api, _email(), password="Aa1" + "x" * 69).status == 201


def test_multibyte_password_over_72_bytes_is_refused_even_when_short_in_characters(api: Api) -> None:
    response = _register(api, _email(), password="推し" * 12 + "A1")  # 26 characters, 74 bytes
    assert (response.status, _code(response)) == (422, "PASSWORD_TOO_LONG")


def test_password_policy_errors_name_the_field_and_the_rules(api: Api) -> None:
    response = _register(api, _email(), password="short")
    assert (response.status, _code(response)) == (422, "PASSWORD_POLICY")
    details = response.json()["error"]["details"]
    assert {d["field"] for d in details} == {"password"}
    assert {d["type"] for d in details} == {"too_short", "too_simple"}
    assert _code(_register(api, _email(), password="aaaaaaaaaaaa")) == "PASSWORD_POLICY"


def test_missing_birth_date_and_unaccepted_terms_are_field_errors(api: Api) -> None:
    body = {"email": _email(), "password": PASSWORD, "display_name": "x", "accept_terms": False}
    response = api.post("/api/auth/register", json_body=body)
    assert (response.status, _code(response)) == (422, "VALIDATION_FAILED")
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert {"birth_date", "terms_version", "accept_terms"} <= fields


def test_duplicate_email_differing_only_by_case_is_409(api: Api) -> None:
    email = _email()
    assert _register(api, email).status == 201
    response = _register(api, "  " + email.upper() + " ")
    assert (response.status, _code(response)) == (409, "EMAIL_TAKEN")


def test_concurrent_registrations_of_one_email_exactly_one_succeeds(
    module_aws: None, atomic_moto: None
) -> None:
    email = _email()
    start = threading.Barrier(6)

    def attempt(n: int) -> str:
        start.wait()
        try:
            users.register(
                email=email.upper() if n % 2 else email,
                password=PASSWORD,
                display_name=f"racer {n}",
                birth_date=date(2000, 1, 1),
                terms_version="2026-11",
            )
            return "ok"
        except EmailTaken:
            return "taken"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert sorted(outcomes) == ["ok"] + ["taken"] * 5
    claimed = [u for u in User.scan() if u.email_normalized == email]
    assert len(claimed) == 1


# --- login and lockout --------------------------------------------------------------------------------
def test_login_returns_a_15_minute_access_token_and_a_refresh_token(api: Api) -> None:
    email, pair = _signed_up(api)
    assert pair["expires_in"] == 900 and pair["amr"] == ["pwd"] and pair["token_type"] == "Bearer"
    me = api.get("/api/me", token=pair["access_token"])
    assert me.status == 200
    assert me.json()["email"] == email and me.json()["roles"] == ["fan"] and me.json()["mfa"] is False
    assert me.json()["birth_date"] == "2004-05-06"


def test_unknown_email_and_wrong_password_get_the_same_answer(api: Api) -> None:
    email, _ = _signed_up(api)
    unknown = _login(api, _email())
    wrong = _login(api, email, "Wrong-password-1")
    assert unknown.status == wrong.status == 401
    assert unknown.json() == wrong.json()
    assert _code(unknown) == "INVALID_CREDENTIALS"


def test_five_failures_lock_the_account_and_are_audited(api: Api, clock: Clock) -> None:
    email, _ = _signed_up(api)
    reference = _login(api, _email()).json()  # what an unknown email gets
    for _ in range(5):
        assert _login(api, email, "Wrong-password-1").status == 401
    locked = _login(api, email)  # the right password, while locked
    assert locked.status == 401
    assert locked.json() == reference, "a locked account must look like any failed sign-in"
    user = users.User.get(users.EmailClaim.get(email).user_id)
    assert user.locked_until == int(T0) + 15 * 60
    partition = datetime.fromtimestamp(T0, UTC).strftime("%Y-%m-%d")  # the audit log reads the same clock
    entries = [e for e in audit_day(partition) if e.target == f"user/{user.user_id}"]
    assert [e.action for e in entries] == ["auth.login_locked"]


def test_lock_lifts_after_15_minutes(api: Api, clock: Clock) -> None:
    email, _ = _signed_up(api)
    for _ in range(5):
        _login(api, email, "Wrong-password-1")
    clock.advance(15 * 60 - 1)
    assert _login(api, email).status == 401
    clock.advance(1)
    assert _login(api, email).status == 200
    user = users.User.get(users.EmailClaim.get(email).user_id)
    assert user.failed_logins == 0 and user.locked_until is None


def test_failures_below_the_limit_are_forgotten_after_a_success(api: Api, clock: Clock) -> None:
    email, _ = _signed_up(api)
    for _ in range(4):
        _login(api, email, "Wrong-password-1")
    assert _login(api, email).status == 200
    for _ in range(4):
        _login(api, email, "Wrong-password-1")
    assert _login(api, email).status == 200


# --- refresh rotation, reuse detection, logout ---------------------------------------------------------
def _refresh(api: Api, token: str) -> HttpResponse:
    return api.post("/api/auth/refresh", json_body={"refresh_token": token})


def test_refresh_rotates_and_the_old_token_stops_working(api: Api, clock: Clock) -> None:
    _, pair = _signed_up(api)
    first = _refresh(api, pair["refresh_token"])
    assert first.status == 200
    new = first.json()
    assert new["refresh_token"] != pair["refresh_token"]
    assert api.get("/api/me", token=new["access_token"]).status == 200
    clock.advance(60)
    assert _refresh(api, new["refresh_token"]).status == 200


def test_concurrent_rotations_of_one_refresh_token_exactly_one_wins(
    module_aws: None, atomic_moto: None
) -> None:
    issued = refresh_tokens.start_family("racer", ["pwd"])
    start = threading.Barrier(6)

    def attempt(_: int) -> str:
        start.wait()
        try:
            return refresh_tokens._rotate(issued.token, *_found(issued.token), now=T0).token
        except InvalidRefreshToken:
            return "refused"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    winners = [o for o in outcomes if o != "refused"]
    assert len(winners) == 1 and outcomes.count("refused") == 5  # the labelled conditions refused the rest
    family = refresh_tokens.family_of(issued.token)
    assert family is not None and family.head == refresh_tokens.token_hash(winners[0])


def test_concurrent_refreshes_of_one_token_all_get_the_same_successor(
    module_aws: None, atomic_moto: None
) -> None:
    """Two tabs refreshing at once: one rotation, and every request gets its successor (no 401, no fork)."""
    issued = refresh_tokens.start_family("two-tabs", ["pwd"], now=T0)
    start = threading.Barrier(4)

    def attempt(_: int) -> str:
        start.wait()
        return refresh_tokens.rotate(issued.token, now=T0).token

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = set(pool.map(attempt, range(4)))
    assert outcomes == {refresh_tokens.successor_of(issued.token)}
    family = refresh_tokens.family_of(issued.token)
    assert family is not None and not family.revoked


def _found(token: str) -> tuple[Any, Any]:
    found = refresh_tokens._find(token)
    assert found is not None
    return found


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(api: Api, clock: Clock) -> None:
    _, pair = _signed_up(api)
    stolen = pair["refresh_token"]
    newest = _refresh(api, stolen).json()["refresh_token"]
    clock.advance(refresh_tokens.GRACE_SECONDS + 1)
    reuse = _refresh(api, stolen)
    assert (reuse.status, _code(reuse)) == (401, "REFRESH_TOKEN_REUSED")
    after = _refresh(api, newest)  # the legitimate newest token dies with its family
    assert (after.status, _code(after)) == (401, "INVALID_REFRESH_TOKEN")
    family = refresh_tokens.family_of(newest)
    assert family is not None and family.revoked and family.revoked_reason == "reuse"


def test_grace_window_retry_gets_the_same_successor_not_a_second_branch(api: Api, clock: Clock) -> None:
    _, pair = _signed_up(api)
    lost = _refresh(api, pair["refresh_token"]).json()["refresh_token"]  # the client never saw this
    clock.advance(refresh_tokens.GRACE_SECONDS - 1)
    retry = _refresh(api, pair["refresh_token"])
    assert retry.status == 200
    assert retry.json()["refresh_token"] == lost  # the identical token: one branch, not two
    again = _refresh(api, pair["refresh_token"])  # a second retry: still the same one
    assert again.status == 200 and again.json()["refresh_token"] == lost
    family = refresh_tokens.family_of(lost)
    assert family is not None and not family.revoked and family.head == refresh_tokens.token_hash(lost)
    # The successor is used: from now on the old token is a reuse, even inside the window.
    newest = _refresh(api, lost).json()["refresh_token"]
    reuse = _refresh(api, pair["refresh_token"])
    assert (reuse.status, _code(reuse)) == (401, "REFRESH_TOKEN_REUSED")
    assert _code(_refresh(api, newest)) == "INVALID_REFRESH_TOKEN"  # the family died with it
    family = refresh_tokens.family_of(newest)
    assert family is not None and family.revoked and family.revoked_reason == "reuse"


def test_a_token_stolen_and_replayed_in_the_grace_window_cannot_fork_the_session(
    api: Api, clock: Clock
) -> None:
    """The thief replays the victim's previous token right after the victim's rotation: they get the
    victim's current token (no second live branch), and once the victim moves on, the thief's next
    use is a reuse that kills the family."""
    _, pair = _signed_up(api)
    stolen = pair["refresh_token"]
    victims = _refresh(api, stolen).json()["refresh_token"]
    clock.advance(2)
    thiefs = _refresh(api, stolen).json()["refresh_token"]
    assert thiefs == victims
    clock.advance(60)
    victim_next = _refresh(api, victims)  # the victim's next refresh, as usual
    assert victim_next.status == 200
    clock.advance(60)
    thief_next = _refresh(api, thiefs)  # already rotated, outside the window: a reuse
    assert (thief_next.status, _code(thief_next)) == (401, "REFRESH_TOKEN_REUSED")
    assert _refresh(api, victim_next.json()["refresh_token"]).status == 401  # revoked for both


def test_after_the_grace_window_the_old_token_is_a_reuse(api: Api, clock: Clock) -> None:
    _, pair = _signed_up(api)
    successor = _refresh(api, pair["refresh_token"]).json()["refresh_token"]
    clock.advance(refresh_tokens.GRACE_SECONDS + 1)
    assert _code(_refresh(api, pair["refresh_token"])) == "REFRESH_TOKEN_REUSED"
    assert _refresh(api, successor).status == 401


def test_refresh_token_expires_after_30_days(api: Api, clock: Clock) -> None:
    _, pair = _signed_up(api)
    clock.advance(30 * 24 * 3600 + 1)
    response = _refresh(api, pair["refresh_token"])
    assert (response.status, _code(response)) == (401, "INVALID_REFRESH_TOKEN")


def test_unknown_refresh_token_is_401(api: Api) -> None:
    response = _refresh(api, "x" * 43)
    assert (response.status, _code(response)) == (401, "INVALID_REFRESH_TOKEN")


def test_logout_revokes_the_family(api: Api, clock: Clock) -> None:
    _, pair = _signed_up(api)
    newest = _refresh(api, pair["refresh_token"]).json()["refresh_token"]
    response = api.post("/api/auth/logout", json_body={"refresh_token": newest})
    assert response.status == 200 and response.json() == {"signed_out": True}
    assert _code(_refresh(api, newest)) == "INVALID_REFRESH_TOKEN"
    # Logging out twice, or with an unknown token, is not an error (and reveals nothing).
    assert api.post("/api/auth/logout", json_body={"refresh_token": "y" * 43}).status == 200


def test_refresh_rereads_roles_so_a_granted_role_arrives_at_the_next_refresh(api: Api) -> None:
    _, pair = _signed_up(api)
    user_id = tokens.verify_access_token(pair["access_token"]).user_id
    users.grant_role(user_id, Role.VTUBER, actor="admin-1")
    assert api.get("/api/me", token=pair["access_token"]).json()["roles"] == ["fan"]
    refreshed = _refresh(api, pair["refresh_token"]).json()
    assert api.get("/api/me", token=refreshed["access_token"]).json()["roles"] == ["fan", "vtuber"]
    assert users.get_user(user_id).roles == {Role.FAN, Role.VTUBER}
    users.revoke_role(user_id, Role.VTUBER, actor="admin-1")
    again = _refresh(api, refreshed["refresh_token"]).json()
    assert tokens.verify_access_token(again["access_token"]).roles == {Role.FAN}


def test_get_and_grant_on_an_unknown_user_are_user_not_found(module_aws: None) -> None:
    from oshi.kernel.errors import UserNotFound

    with pytest.raises(UserNotFound):
        users.get_user("nobody")
    with pytest.raises(UserNotFound):
        users.grant_role("nobody", Role.VTUBER)
    assert users.find_user("nobody") is None


def test_create_admin_is_an_ops_function_with_admin_role(api: Api) -> None:
    email = _email()
    profile = users.create_admin(
        email=email, password=PASSWORD, display_name="Ops", birth_date=date(1990, 1, 1), actor="ops:seed"
    )
    assert profile.roles == {Role.FAN, Role.ADMIN}
    pair = _login(api, email).json()["tokens"]
    caller = tokens.verify_access_token(pair["access_token"])
    assert Role.ADMIN in caller.roles and caller.mfa is False  # admin writes still need MFA


# --- MFA ----------------------------------------------------------------------------------------------
def _enrol(api: Api, clock: Clock) -> tuple[str, str, str]:
    """A signed-up account with MFA on. Returns (email, TOTP secret, user id)."""
    email, pair = _signed_up(api)
    setup = api.post("/api/auth/mfa/setup", token=pair["access_token"])
    assert setup.status == 200
    secret = setup.json()["secret"]
    assert setup.json()["provisioning_uri"].startswith("otpauth://totp/")
    enable = api.post(
        "/api/auth/mfa/enable",
        token=pair["access_token"],
        json_body={"code": mfa.code_at_step(secret, mfa.step_at(clock.now))},
    )
    assert enable.status == 200 and enable.json()["mfa_enabled"] is True
    assert len(enable.json()["recovery_codes"]) == 10  # shown once (issue 18)
    return email, secret, tokens.verify_access_token(pair["access_token"]).user_id


def _challenge(api: Api, email: str) -> str:
    body = _login(api, email).json()
    assert body["mfa_required"] is True and body["tokens"] is None
    return str(body["challenge"])


def _verify(api: Api, challenge: str, code: str) -> HttpResponse:
    return api.post("/api/auth/mfa/verify", json_body={"challenge": challenge, "code": code})


def test_mfa_login_needs_the_code_and_yields_an_mfa_session(api: Api, clock: Clock) -> None:
    email, secret, _ = _enrol(api, clock)
    clock.advance(30)
    challenge = _challenge(api, email)
    assert api.get("/api/me", token=challenge).status == 401, "a challenge is not an access token"
    response = _verify(api, challenge, mfa.code_at_step(secret, mfa.step_at(clock.now)))
    assert response.status == 200
    pair = response.json()
    assert pair["amr"] == ["pwd", "mfa"]
    me = api.get("/api/me", token=pair["access_token"]).json()
    assert me["mfa"] is True and me["mfa_enabled"] is True
    # The MFA-ness of the session survives refresh.
    refreshed = _refresh(api, pair["refresh_token"]).json()
    assert tokens.verify_access_token(refreshed["access_token"]).mfa is True


def test_totp_code_replay_is_refused(api: Api, clock: Clock) -> None:
    email, secret, _ = _enrol(api, clock)
    clock.advance(30)
    code = mfa.code_at_step(secret, mfa.step_at(clock.now))
    assert _verify(api, _challenge(api, email), code).status == 200
    replay = _verify(api, _challenge(api, email), code)
    assert (replay.status, _code(replay)) == (401, "MFA_CODE_INVALID")


def test_code_used_to_enable_cannot_be_replayed_at_sign_in(api: Api, clock: Clock) -> None:
    email, secret, _ = _enrol(api, clock)
    response = _verify(api, _challenge(api, email), mfa.code_at_step(secret, mfa.step_at(clock.now)))
    assert _code(response) == "MFA_CODE_INVALID"


def test_totp_wrong_code_is_refused(api: Api, clock: Clock) -> None:
    email, secret, _ = _enrol(api, clock)
    clock.advance(30)
    valid = {mfa.code_at_step(secret, mfa.step_at(clock.now) + d) for d in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)
    response = _verify(api, _challenge(api, email), wrong)
    assert (response.status, _code(response)) == (401, "MFA_CODE_INVALID")


def test_totp_accepts_one_step_of_drift_but_not_two(api: Api, clock: Clock) -> None:
    email, secret, _ = _enrol(api, clock)
    clock.advance(120)
    step = mfa.step_at(clock.now)
    assert (
        _code(_verify(api, _challenge(api, email), mfa.code_at_step(secret, step + 2))) == "MFA_CODE_INVALID"
    )
    assert _verify(api, _challenge(api, email), mfa.code_at_step(secret, step - 1)).status == 200


def test_five_wrong_codes_lock_the_account(api: Api, clock: Clock) -> None:
    email, secret, _ = _enrol(api, clock)
    clock.advance(30)
    challenge = _challenge(api, email)
    for _ in range(5):
        _verify(
            api,
            challenge,
            "000000" if mfa.code_at_step(secret, mfa.step_at(clock.now)) != "000000" else "111111",
        )
    assert _code(_login(api, email)) == "INVALID_CREDENTIALS"


def test_expired_or_forged_challenge_is_refused(api: Api, clock: Clock) -> None:
    _, secret, user_id = _enrol(api, clock)
    import time as real_time

    old = tokens.issue_mfa_challenge(user_id, now=real_time.time() - tokens.MFA_CHALLENGE_SECONDS - 60)
    clock.advance(30)
    response = _verify(api, old, mfa.code_at_step(secret, mfa.step_at(clock.now)))
    assert (response.status, _code(response)) == (401, "INVALID_MFA_CHALLENGE")
    _, pair = _signed_up(api)
    response = _verify(api, pair["access_token"], mfa.code_at_step(secret, mfa.step_at(clock.now)))
    assert _code(response) == "INVALID_MFA_CHALLENGE"


def test_mfa_secret_is_stored_encrypted_and_bound_to_its_user(api: Api, clock: Clock) -> None:
    _, secret, user_id = _enrol(api, clock)
    raw = client("dynamodb").get_item(
        TableName=User.Meta.table_name, Key={"user_id": {"S": user_id}}, ConsistentRead=True
    )["Item"]
    assert secret not in str(raw)
    assert mfa.unseal(raw["mfa_secret"]["S"], user_id) == secret
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        mfa.unseal(raw["mfa_secret"]["S"], "another-user")


def test_mfa_enable_before_setup_and_twice_are_409(api: Api, clock: Clock) -> None:
    _, pair = _signed_up(api)
    response = api.post("/api/auth/mfa/enable", token=pair["access_token"], json_body={"code": "123456"})
    assert (response.status, _code(response)) == (409, "MFA_NOT_SET_UP")
    assert api.post("/api/auth/mfa/setup").status == 401


def test_no_response_ever_contains_the_password_hash_or_the_stored_mfa_secret(api: Api, clock: Clock) -> None:
    seen: list[bytes] = []
    original = api.call

    def recording(*args: Any, **kwargs: Any) -> HttpResponse:
        response = original(*args, **kwargs)
        seen.append(response.body)
        return response

    api.call = recording  # type: ignore[method-assign]
    email, secret, user_id = _enrol(api, clock)
    clock.advance(30)
    pair = _verify(api, _challenge(api, email), mfa.code_at_step(secret, mfa.step_at(clock.now))).json()
    api.get("/api/me", token=pair["access_token"])
    _refresh(api, pair["refresh_token"])
    _login(api, email, "Wrong-password-1")
    user = User.get(user_id)
    setup_responses = [body for body in seen if b"provisioning_uri" in body]
    assert len(setup_responses) == 1, "the TOTP secret is shown once, at set-up"
    for body in seen:
        text = body.decode()
        for forbidden in (user.password_hash, user.mfa_secret, "password_hash", "mfa_secret", PASSWORD):
            assert forbidden not in text
        if body not in setup_responses:
            assert secret not in text


def test_concurrent_wrong_passwords_lock_once_and_audit_once(api: Api, atomic_moto: None) -> None:
    email, _ = _signed_up(api)
    user_id = users.EmailClaim.get(email).user_id
    start = threading.Barrier(8)

    def attempt(_: int) -> int:
        start.wait()
        return _login(api, email, "Wrong-password-1").status

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(attempt, range(8))) == {401}
    assert User.get(user_id).locked_until is not None
    partition = datetime.now(UTC).strftime("%Y-%m-%d")
    locks = [e for e in audit_day(partition) if e.target == f"user/{user_id}"]
    assert [e.action for e in locks] == ["auth.login_locked"]
