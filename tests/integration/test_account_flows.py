"""Account flows (issue 18) through the real authorizer and handlers on moto, following links from the
mailbox (``local.mailbox``, moto's SES): verification, resend caps, forgot/reset, change password,
sessions."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from support import Api

from local import mailbox
from local.pump import deliver_once
from oshi.kernel import clock
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings
from oshi.models.accounts import AccountToken
from oshi.models.users import User
from oshi.web import topology

PASSWORD = "correct horse 42"
NEW_PASSWORD = "battery staple 77"


def register(api: Api, email: str = "mika@example.jp") -> dict[str, Any]:
    response = api.post(
        "/api/auth/register",
        json_body={
            "email": email,
            "password": PASSWORD,
            "display_name": "Mika",
            "birth_date": "1995-05-05",
            "terms_version": "2026-11",
            "accept_terms": True,
        },
    )
    assert response.status == 201, response.json()
    return dict(response.json())


def login(
    api: Api, email: str = "mika@example.jp", password: str = PASSWORD, **headers: str
) -> dict[str, Any]:
    response = api.post(
        "/api/auth/login", json_body={"email": email, "password": password}, headers=headers or None
    )
    assert response.status == 200, response.json()
    return dict(response.json()["tokens"])


def deliver_resets() -> int:
    """Run the password-reset consumer on what the bus delivered to its queue (as the local pump does)."""
    consumer = next(c for c in topology.CONSUMERS if c.queue == "password-reset")
    url = client("sqs").get_queue_url(QueueName=get_settings().queue_name(consumer.queue))["QueueUrl"]
    delivered = 0
    while received := deliver_once(consumer, url, wait_seconds=0):
        delivered += received
    return delivered


def token_in(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def latest_link(address: str, fragment: str) -> str:
    return mailbox.to(address)[0].link(fragment)


def code_of(response: Any) -> str:
    return str(response.json().get("error", {}).get("code", ""))


def purchase_status(api: Api, access: str) -> tuple[int, str]:
    response = api.post("/api/gacha/purchase", token=access, json_body={})
    return response.status, code_of(response)


def test_signup_mails_a_japanese_link_and_purchase_needs_it_followed(api: Api) -> None:
    register(api)
    [mail] = mailbox.to("mika@example.jp")
    assert mail.subject == "メールアドレスの確認"  # Japanese by default
    assert mail.text and mail.html and "<a href=" in mail.html  # both parts
    link = mail.link("/account/verify-email")
    assert link.startswith(get_settings().frontend_url + "/account/verify-email?token=")  # absolute

    access = login(api)["access_token"]
    assert purchase_status(api, access) == (403, "EMAIL_NOT_VERIFIED")
    assert api.get("/api/me", token=access).json()["email_verified"] is False
    # The token is stored only as its hash.
    [item] = list(AccountToken.scan())
    assert token_in(link) not in (item.token_hash, item.email)

    bad = api.post("/api/auth/email/verify", json_body={"token": token_in(link)[:-2] + "xx"})
    assert (bad.status, code_of(bad)) == (400, "LINK_TOKEN_INVALID")
    assert User.get(item.user_id).email_verified is None  # tampered: nothing changed

    ok = api.post("/api/auth/email/verify", json_body={"token": token_in(link)})
    assert (ok.status, ok.json()) == (200, {"email_verified": True})
    again = api.post("/api/auth/email/verify", json_body={"token": token_in(link)})
    assert (again.status, code_of(again)) == (400, "LINK_TOKEN_INVALID")  # single use

    fresh = login(api)["access_token"]  # the claim is read at sign-in (and refresh)
    status, code = purchase_status(api, fresh)
    assert (status, code) == (422, "VALIDATION_FAILED")  # past the gate: the empty body is what fails now


def test_an_expired_verification_link_changes_nothing(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    user_id = register(api)["user_id"]
    link = latest_link("mika@example.jp", "/account/verify-email")
    later = clock.now() + 24 * 3600 + 1
    monkeypatch.setattr("oshi.kernel.clock.now", lambda: later)
    response = api.post("/api/auth/email/verify", json_body={"token": token_in(link)})
    assert (response.status, code_of(response)) == (400, "LINK_TOKEN_INVALID")
    assert not User.get(user_id).email_verified


def test_resend_is_capped_per_address_and_hour(api: Api) -> None:
    register(api)  # mail 1
    access = login(api)["access_token"]
    answers = [api.post("/api/auth/email/resend", token=access).json() for _ in range(4)]
    assert [a["sent"] for a in answers] == [True, True, False, False]  # 3 per address per hour
    assert len(mailbox.to("mika@example.jp")) == 3
    assert api.post("/api/auth/email/resend", token=access).status == 200  # the 5th request in 5 minutes
    limited = api.post("/api/auth/email/resend", token=access)  # the route's per-account limit
    assert (limited.status, code_of(limited)) == (429, "RATE_LIMITED")
    # Any of the links works (each is its own token); the newest one here.
    ok = api.post(
        "/api/auth/email/verify", json_body={"token": token_in(latest_link("mika@example.jp", "verify"))}
    )
    assert ok.status == 200
    assert [u.email_verified for u in User.scan()] == [True]


def test_forgot_password_answers_the_same_for_unknown_addresses_and_mails_only_real_ones(api: Api) -> None:
    register(api)
    known = api.post("/api/auth/password/forgot", json_body={"email": "MIKA@example.jp"})
    unknown = Api().post("/api/auth/password/forgot", json_body={"email": "nobody@example.jp"})
    assert deliver_resets() == 2
    assert (known.status, known.json()) == (unknown.status, unknown.json()) == (202, {"accepted": True})
    assert mailbox.to("nobody@example.jp") == []
    [reset_mail, _verify] = mailbox.to("mika@example.jp")
    assert reset_mail.subject == "パスワードの再設定"
    assert "/account/reset-password?token=" in reset_mail.link("reset-password")


def test_a_flood_of_forgot_password_sends_at_most_three_mails(api: Api) -> None:
    register(api)
    for _ in range(4):  # from several IPs: the per-IP limit is not what stops it
        for caller in (Api(), Api()):
            assert (
                caller.post("/api/auth/password/forgot", json_body={"email": "mika@example.jp"}).status == 202
            )
    assert deliver_resets() == 8
    assert deliver_resets() == 0  # each request handled once
    resets = [m for m in mailbox.to("mika@example.jp") if "reset-password" in m.text]
    assert len(resets) == 3


def test_reset_password_revokes_every_session_and_is_notified(api: Api) -> None:
    register(api)
    old = login(api)
    api.post("/api/auth/password/forgot", json_body={"email": "mika@example.jp"})
    deliver_resets()
    token = token_in(latest_link("mika@example.jp", "reset-password"))

    weak = api.post("/api/auth/password/reset", json_body={"token": token, "password": "short"})
    assert (weak.status, code_of(weak)) == (422, "PASSWORD_POLICY")  # the link is not used up by it

    done = api.post("/api/auth/password/reset", json_body={"token": token, "password": NEW_PASSWORD})
    assert (done.status, done.json()) == (200, {"password_reset": True})
    assert api.get("/api/me", token=old["access_token"]).status == 401
    refreshed = api.post("/api/auth/refresh", json_body={"refresh_token": old["refresh_token"]})
    assert refreshed.status == 401
    assert mailbox.to("mika@example.jp")[0].subject == "パスワードが変更されました"

    reused = api.post("/api/auth/password/reset", json_body={"token": token, "password": "another pass 99"})
    assert (reused.status, code_of(reused)) == (400, "LINK_TOKEN_INVALID")
    assert (
        api.post("/api/auth/login", json_body={"email": "mika@example.jp", "password": PASSWORD}).status
        == 401
    )
    login(api, password=NEW_PASSWORD)


def test_change_password_needs_the_current_one_and_ends_the_other_sessions(api: Api) -> None:
    register(api)
    other = login(api)
    mine = login(api)
    wrong = api.post(
        "/api/auth/password/change",
        token=mine["access_token"],
        json_body={"current_password": "not it 123", "new_password": NEW_PASSWORD},
    )
    assert (wrong.status, code_of(wrong)) == (403, "PASSWORD_INCORRECT")
    changed = api.post(
        "/api/auth/password/change",
        token=mine["access_token"],
        json_body={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status == 200, changed.json()
    fresh = changed.json()
    assert api.get("/api/me", token=fresh["access_token"]).status == 200
    assert api.get("/api/me", token=other["access_token"]).status == 401
    assert api.post("/api/auth/refresh", json_body={"refresh_token": other["refresh_token"]}).status == 401
    assert api.post("/api/auth/refresh", json_body={"refresh_token": fresh["refresh_token"]}).status == 200
    assert mailbox.to("mika@example.jp")[0].subject == "パスワードが変更されました"


def test_sessions_are_listed_and_revoked_one_or_all_others(api: Api) -> None:
    register(api)
    phone = login(api, **{"User-Agent": "Phone/1.0"})
    laptop = login(api, **{"User-Agent": "Laptop/2.0"})
    listed = api.get("/api/auth/sessions", token=laptop["access_token"]).json()["items"]
    assert sorted(s["client"] for s in listed) == ["Laptop/2.0", "Phone/1.0"]
    assert all(s["ip"] == api.source_ip for s in listed)

    phone_id = next(s["session_id"] for s in listed if s["client"] == "Phone/1.0")
    other = Api()
    other_user = register(other, "ren@example.jp")
    assert other_user
    ren = login(other, "ren@example.jp")
    stranger = other.call("DELETE", f"/api/auth/sessions/{phone_id}", token=ren["access_token"])
    assert (stranger.status, code_of(stranger)) == (404, "SESSION_NOT_FOUND")  # not theirs

    assert api.call("DELETE", f"/api/auth/sessions/{phone_id}", token=laptop["access_token"]).status == 200
    assert api.post("/api/auth/refresh", json_body={"refresh_token": phone["refresh_token"]}).status == 401
    assert [
        s["client"] for s in api.get("/api/auth/sessions", token=laptop["access_token"]).json()["items"]
    ] == ["Laptop/2.0"]

    third = login(api, **{"User-Agent": "Tablet/3.0"})
    kept = api.post("/api/auth/sessions/revoke-others", token=third["access_token"])
    assert kept.status == 200
    assert api.post("/api/auth/refresh", json_body={"refresh_token": laptop["refresh_token"]}).status == 401
    assert api.get("/api/me", token=third["access_token"]).status == 401  # voided with the others...
    survivor = kept.json()
    assert api.get("/api/me", token=survivor["access_token"]).status == 200  # ...its replacement is not
    assert len(api.get("/api/auth/sessions", token=survivor["access_token"]).json()["items"]) == 1


def _enrol(api: Api, access: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str]]:
    from oshi.identity import mfa

    secret = api.post("/api/auth/mfa/setup", token=access).json()["secret"]
    code = mfa.code_at_step(secret, mfa.step_at(clock.now()))
    enabled = api.post("/api/auth/mfa/enable", token=access, json_body={"code": code})
    assert enabled.status == 200, enabled.json()
    return secret, list(enabled.json()["recovery_codes"])


def _mfa_sign_in(api: Api, code: str) -> Any:
    challenge = api.post(
        "/api/auth/login", json_body={"email": "mika@example.jp", "password": PASSWORD}
    ).json()
    return api.post("/api/auth/mfa/verify", json_body={"challenge": challenge["challenge"], "code": code})


def test_recovery_codes_are_shown_once_hashed_and_each_works_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(api)
    _, codes = _enrol(api, login(api)["access_token"], monkeypatch)
    assert len(codes) == 10 and len(set(codes)) == 10
    [user] = list(User.scan())
    assert user.mfa_recovery_codes and not (set(codes) & set(user.mfa_recovery_codes))  # hashes only

    first = _mfa_sign_in(api, codes[0].upper())  # case and dashes do not matter
    assert first.status == 200 and first.json()["amr"] == ["pwd", "mfa"]
    reused = _mfa_sign_in(api, codes[0])
    assert (reused.status, code_of(reused)) == (401, "MFA_CODE_INVALID")
    assert len(User.get(user.user_id).mfa_recovery_codes) == 9

    session = first.json()["access_token"]
    wrong = api.post("/api/auth/mfa/recovery-codes", token=session, json_body={"password": "nope nope 1"})
    assert (wrong.status, code_of(wrong)) == (403, "PASSWORD_INCORRECT")
    fresh = api.post("/api/auth/mfa/recovery-codes", token=session, json_body={"password": PASSWORD}).json()
    assert len(fresh["recovery_codes"]) == 10
    old = _mfa_sign_in(api, codes[1])  # the old set no longer works
    assert (old.status, code_of(old)) == (401, "MFA_CODE_INVALID")
    assert _mfa_sign_in(api, fresh["recovery_codes"][0]).status == 200


def test_disabling_mfa_needs_the_password_and_a_code(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    register(api)
    _, codes = _enrol(api, login(api)["access_token"], monkeypatch)
    session = _mfa_sign_in(api, codes[0]).json()
    no_code = api.post(
        "/api/auth/mfa/disable",
        token=session["access_token"],
        json_body={"password": PASSWORD, "code": "000000"},
    )
    assert (no_code.status, code_of(no_code)) == (401, "MFA_CODE_INVALID")
    bad_password = api.post(
        "/api/auth/mfa/disable",
        token=session["access_token"],
        json_body={"password": "x-wrong-1", "code": codes[1]},
    )
    assert (bad_password.status, code_of(bad_password)) == (403, "PASSWORD_INCORRECT")
    [user] = list(User.scan())
    assert User.get(user.user_id).mfa_enabled is True  # nothing changed
    off = api.post(
        "/api/auth/mfa/disable",
        token=session["access_token"],
        json_body={"password": PASSWORD, "code": codes[1]},
    )
    assert off.status == 200 and off.json()["amr"] == ["pwd"]
    assert User.get(user.user_id).mfa_enabled is False
    assert api.get("/api/me", token=session["access_token"]).status == 401  # the MFA session ended
    assert login(api)["amr"] == ["pwd"]  # password alone signs in again


def test_change_email_takes_effect_only_when_the_new_address_is_verified(api: Api) -> None:
    register(api)
    register(Api(), "taken@example.jp")
    access = login(api)["access_token"]
    wrong = api.post(
        "/api/auth/email/change",
        token=access,
        json_body={"password": "nope nope 1", "new_email": "new@example.jp"},
    )
    assert (wrong.status, code_of(wrong)) == (403, "PASSWORD_INCORRECT")
    taken = api.post(
        "/api/auth/email/change",
        token=access,
        json_body={"password": PASSWORD, "new_email": "Taken@example.jp"},
    )
    assert (taken.status, code_of(taken)) == (409, "EMAIL_TAKEN")
    asked = api.post(
        "/api/auth/email/change",
        token=access,
        json_body={"password": PASSWORD, "new_email": "new@example.jp"},
    )
    assert asked.json() == {"sent": True}
    [mail] = mailbox.to("new@example.jp")
    assert mail.subject == "新しいメールアドレスの確認"
    assert api.get("/api/me", token=access).json()["email"] == "mika@example.jp"  # not yet

    token = token_in(mail.link("/account/verify-email"))
    assert api.post("/api/auth/email/verify", json_body={"token": token}).status == 200
    assert api.get("/api/me", token=access).json()["email"] == "new@example.jp"
    told = mailbox.to("mika@example.jp")[0]
    assert told.subject == "メールアドレスが変更されました" and "ne***@example.jp" in told.text
    again = api.post("/api/auth/email/verify", json_body={"token": token})
    assert (again.status, code_of(again)) == (400, "LINK_TOKEN_INVALID")
    login(api, "new@example.jp")
    old = api.post("/api/auth/login", json_body={"email": "mika@example.jp", "password": PASSWORD})
    assert old.status == 401
    register(Api(), "mika@example.jp")  # the old address is free again


def test_mail_follows_the_locale_chosen_at_sign_up(api: Api) -> None:
    response = api.post(
        "/api/auth/register",
        json_body={
            "email": "en@example.jp",
            "password": PASSWORD,
            "display_name": "Emma",
            "birth_date": "1995-05-05",
            "terms_version": "2026-11",
            "accept_terms": True,
            "locale": "en",
        },
    )
    assert response.status == 201
    [mail] = mailbox.to("en@example.jp")
    assert mail.subject == "Confirm your email address" and "Hello Emma" in mail.text
