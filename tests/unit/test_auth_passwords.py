"""Password policy and hashing (no AWS): the 72-byte bcrypt limit is a refusal, never a truncation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oshi.identity import passwords
from oshi.kernel.errors import PasswordPolicy, PasswordTooLong


def test_tests_use_a_cheap_bcrypt_cost_decided_in_one_place() -> None:
    assert passwords.rounds() == passwords.TEST_ROUNDS
    assert passwords.PROD_ROUNDS >= 12


def test_hash_round_trip_and_wrong_password() -> None:
    hashed = passwords.hash_password("Correct-horse-9")
    assert hashed.startswith("$2b$04$")
    assert passwords.verify_password("Correct-horse-9", hashed)
    assert not passwords.verify_password("Correct-horse-8", hashed)


def test_73_bytes_is_too_long_not_truncated() -> None:
    password = "Aa1" + "x" * 70
    with pytest.raises(PasswordTooLong) as refused:
        passwords.check_policy(password)
    assert refused.value.code == "PASSWORD_TOO_LONG" and refused.value.status == 422
    with pytest.raises(PasswordTooLong):
        passwords.hash_password(password)
    # A hash of the first 72 bytes must not open the account for the 73-byte password.
    assert not passwords.verify_password(password, passwords.hash_password(password[:72]))


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=120))
def test_policy_never_accepts_more_than_72_bytes(password: str) -> None:
    try:
        passwords.check_policy(password)
    except PasswordPolicy:
        return
    assert len(password.encode()) <= 72 and len(password) >= passwords.MIN_LENGTH


@pytest.mark.parametrize(
    ("password", "types"),
    [
        ("short1A", {"too_short"}),
        ("alllowercaseletters", {"too_simple"}),
        ("zzzzzzzzzzzz", {"repeated"}),
        ("hoshimachi-Suisei1", {"contains_email"}),
    ],
)
def test_policy_explains_each_broken_rule(password: str, types: set[str]) -> None:
    with pytest.raises(PasswordPolicy) as refused:
        passwords.check_policy(password, email="hoshimachi@example.com")
    assert refused.value.code == "PASSWORD_POLICY"
    assert {d["type"] for d in refused.value.details} == types
    assert all(d["field"] == "password" for d in refused.value.details)


def test_reasonable_passwords_pass() -> None:
    for password in ("Correct-horse-9", "tsuki ga kirei desu ne 2026", "推しは推せるときに推せ!!"):
        passwords.check_policy(password, email="fan@example.com")
