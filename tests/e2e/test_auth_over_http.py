"""The auth happy paths over HTTP through the local gateway (moto server), as a frontend would call them."""

from __future__ import annotations

import time
import uuid

import pyotp
import pytest
import requests
from e2e_support import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]

PASSWORD = "Correct-horse-9"


def test_register_login_me_refresh_logout_and_mfa_over_http(
    local_stack: LocalStack, http: requests.Session
) -> None:
    api = local_stack.api_url
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
    registered = http.post(
        f"{api}/api/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "display_name": "E2E",
            "birth_date": "2003-03-03",
            "terms_version": "2026-11",
            "accept_terms": True,
            "role": "admin",
        },
        timeout=10,
    )
    assert registered.status_code == 201 and registered.json()["roles"] == ["fan"]

    login = http.post(
        f"{api}/api/auth/login", json={"email": email.upper(), "password": PASSWORD}, timeout=10
    )
    assert login.status_code == 200
    tokens = login.json()["tokens"]
    me = http.get(f"{api}/api/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10)
    assert me.status_code == 200 and me.json()["email"] == email

    refreshed = http.post(
        f"{api}/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=10
    )
    assert refreshed.status_code == 200
    auth = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}

    setup = http.post(f"{api}/api/auth/mfa/setup", headers=auth, timeout=10)
    assert setup.status_code == 200
    totp = pyotp.TOTP(setup.json()["secret"])
    step = int(time.time() // 30)
    enabled = http.post(
        f"{api}/api/auth/mfa/enable", headers=auth, json={"code": totp.at(step * 30)}, timeout=10
    )
    assert enabled.status_code == 200

    challenge = http.post(f"{api}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=10)
    assert challenge.json()["mfa_required"] is True
    # The next step's code (one step of drift is accepted), since this step's code was spent enabling.
    verified = http.post(
        f"{api}/api/auth/mfa/verify",
        json={"challenge": challenge.json()["challenge"], "code": totp.at((step + 1) * 30)},
        timeout=10,
    )
    assert verified.status_code == 200 and verified.json()["amr"] == ["pwd", "mfa"]

    out = http.post(
        f"{api}/api/auth/logout", json={"refresh_token": verified.json()["refresh_token"]}, timeout=10
    )
    assert out.status_code == 200
    again = http.post(
        f"{api}/api/auth/refresh", json={"refresh_token": verified.json()["refresh_token"]}, timeout=10
    )
    assert (again.status_code, again.json()["error"]["code"]) == (401, "INVALID_REFRESH_TOKEN")
