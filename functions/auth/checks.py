"""The auth bodies' field validators as plain functions, without pydantic: the models in ``auth.schemas``
use them (``BeforeValidator``/``AfterValidator``) and the light check (``oshi.web.light_bodies``) calls the
same functions, so a write route checks a well-formed body without importing pydantic."""

from __future__ import annotations

from datetime import date

from oshi.kernel import clock


def trimmed(value: object) -> object:
    """Surrounding whitespace off a string, before its type and limits are checked (a pasted address)."""
    return value.strip() if isinstance(value, str) else value


def printable_name(value: str) -> str:
    """The display name stripped, printable and not blank. Its length limits apply to the name as sent, so
    this runs after them and strips: the light check leaves a name with surrounding whitespace to
    pydantic, which gives the same answer."""
    value = value.strip()
    if not value or not value.isprintable():
        raise ValueError("must be printable and not blank")
    return value


def plausible_birth_date(value: date) -> date:
    if value > clock.utc_now().date() or value.year < 1900:
        raise ValueError("must be a real birth date (not in the future)")
    return value


def terms_accepted(value: bool) -> bool:
    if value is not True:
        raise ValueError("the terms must be accepted")
    return value
