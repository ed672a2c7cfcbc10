"""Pure rules of the VTuber service: file sniffing, upload decisions, gacha spec checks, cursors, cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oshi.catalogue import lineup, lineup_queries, storefront
from oshi.catalogue.filetypes import FileType, sniff
from oshi.catalogue.uploads import inspect, parse_key
from oshi.kernel import cursors, ids
from oshi.kernel.errors import InvalidCursor

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00", FileType.PNG),
        (b"\xff\xd8\xff\xe1", FileType.JPEG),
        (b"RIFF\x00\x00\x00\x00WEBPVP8L", FileType.WEBP),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),  # a WAV is RIFF too, but not accepted
        (b"ID3\x03", FileType.MP3),
        (b"\xff\xfb\x90", FileType.MP3),
        (b"\xff\xf3\x90", FileType.MP3),
        (b"\xff\xe0\x00", None),  # frame sync with the reserved layer
        (b"\x00\x00\x00\x20ftypisom", FileType.MP4),
        (b"PK\x03\x04", FileType.ZIP),
        (b"PK\x05\x06", None),  # an empty zip's end record only
        (b"MZ\x90\x00", None),  # a Windows executable
        (b"\x7fELF", None),
        (b"#!/bin/sh", None),
        (b"", None),
    ],
)
def test_sniff(head: bytes, expected: FileType | None) -> None:
    assert sniff(head) == expected


@given(st.binary(max_size=64))
def test_sniff_never_fails_and_signatures_win(data: bytes) -> None:
    sniff(data)
    assert sniff(b"\x89PNG\r\n\x1a\n" + data) is FileType.PNG
    assert sniff(b"PK\x03\x04" + data) is FileType.ZIP


def test_inspect_decisions() -> None:
    png = b"\x89PNG\r\n\x1a\n"
    assert inspect(10, png, "image/png", 100) == (FileType.PNG, None)
    assert inspect(0, b"", "image/png", 100)[1].code == "empty_file"  # type: ignore[union-attr]
    assert inspect(101, png, "image/png", 100)[1].code == "file_too_large"  # type: ignore[union-attr]
    assert inspect(10, b"MZ", "image/png", 100)[1].code == "unknown_type"  # type: ignore[union-attr]
    detected, rejection = inspect(10, png, "video/mp4", 100)
    assert detected is FileType.PNG and rejection is not None and rejection.code == "type_mismatch"


def test_upload_keys() -> None:
    assert parse_key("uploads/v1/a1") == ("v1", "a1")
    for bad in ("uploads/v1", "uploads/v1/a1/x", "other/v1/a1", "uploads//a1"):
        assert parse_key(bad) is None


def test_ids_are_sortable_and_unique() -> None:
    earlier, later = ids.new_id(1_000), ids.new_id(2_000)
    assert earlier < later and len(earlier) == 26
    assert len({ids.new_id() for _ in range(1000)}) == 1000


def spec(**overrides: Any) -> lineup.GachaSpec:
    values: dict[str, Any] = {
        "title": "t",
        "description": "",
        "price_single": 300,
        "price_ten": 3000,
        "starts_at": NOW + timedelta(hours=1),
        "ends_at": NOW + timedelta(days=7),
        "prizes": (
            lineup.PrizeSpec("a", "N", 999_900, ("x",)),
            lineup.PrizeSpec("b", "UR", 100, ("y",), stock=1),
        ),
        "guarantee_min_rarity": "UR",
    }
    values.update(overrides)
    return lineup.GachaSpec(**values)


def kinds(s: lineup.GachaSpec) -> set[str]:
    return {p["type"] for p in lineup.check_spec(s, NOW)}


def test_check_spec_rules() -> None:
    assert lineup.check_spec(spec(), NOW) == []
    assert kinds(spec(price_ten=lineup_queries.PRICE_TEN_MAX + 1)) == {"price_out_of_bounds"}
    assert kinds(spec(medals_per_draw=-1)) == {"out_of_bounds"}
    assert kinds(spec(starts_at=NOW)) == {"start_in_past"}
    assert kinds(spec(total_stock=0)) == {"out_of_bounds"}
    p = lineup.PrizeSpec("a", "N", 1_000_000, ("x", "x"))
    assert kinds(spec(prizes=(p,), guarantee_min_rarity=None)) == {"duplicate_asset"}
    many = tuple(lineup.PrizeSpec(f"p{i}", "N", 40_000, (f"a{i}", f"b{i}")) for i in range(25))
    assert kinds(spec(prizes=many, guarantee_min_rarity=None)) == {"too_many_assets"}
    blank = lineup.PrizeSpec(" ", "N", 1_000_000, ("x",))
    assert kinds(spec(prizes=(blank,), guarantee_min_rarity=None)) == {"blank"}


def test_complete_gacha_fields_are_found_at_any_depth() -> None:
    raw = {"title": "x", "prizes": [{"name": "a", "set_bonus": 1}], "Complete_Reward": {}, "kompu": 1}
    assert {p["field"] for p in lineup.complete_gacha_fields(raw)} == {
        "prizes.0.set_bonus",
        "Complete_Reward",
        "kompu",
    }
    assert lineup.complete_gacha_fields({"title": "Complete edition"}) == []  # values are not keys


def test_cursor_round_trip_and_tampering() -> None:
    key = {"gacha_id": {"S": "g"}, "listing": {"S": "public"}, "starts_at": {"S": "2026"}}
    names = ("gacha_id", "listing", "starts_at")
    encoded = cursors.encode(key)
    assert encoded is not None and cursors.decode(encoded, names) == key
    assert cursors.encode(None) is None and cursors.decode(None, names) is None
    for bad in (
        "!!!",
        "e30",
        cursors.encode({"gacha_id": {"S": "g"}}),
        cursors.encode({**key, "gacha_id": {"M": {}}}),
    ):
        with pytest.raises(InvalidCursor):
            cursors.decode(bad, names)


def fake_gacha(start: datetime, end: datetime, **extra: Any) -> Any:
    values = {"starts_at": start, "ends_at": end, "status": "published", "total_stock": None, "sold_draws": 0}
    return SimpleNamespace(**{**values, **extra})


def test_cache_max_age_is_capped_by_the_next_boundary() -> None:
    upcoming = fake_gacha(NOW + timedelta(minutes=5), NOW + timedelta(days=1))
    distant = fake_gacha(NOW + timedelta(days=2), NOW + timedelta(days=3))
    assert storefront.max_age([distant], NOW, 3600) == 3600
    assert storefront.max_age([distant, upcoming], NOW, 3600) == 300
    on_sale = fake_gacha(NOW - timedelta(hours=1), NOW + timedelta(minutes=30))
    assert storefront.max_age([on_sale], NOW, 3600) == 1800
    assert storefront.max_age([on_sale], NOW, 3600, live_stock=True) == 60
    ended = fake_gacha(NOW - timedelta(days=2), NOW - timedelta(days=1))
    assert storefront.max_age([ended], NOW, storefront.PROFILE_TTL) == 24 * 3600
    assert storefront.cache_control(0) == "public, max-age=0, must-revalidate"


def test_sale_states() -> None:
    g = fake_gacha(NOW - timedelta(hours=1), NOW + timedelta(hours=1), total_stock=10, sold_draws=3)
    assert storefront.sale_state(g, "approved", NOW) is storefront.SaleState.ON_SALE  # type: ignore[arg-type]
    assert storefront.is_on_sale(g, "approved", NOW)  # type: ignore[arg-type]
    assert storefront.sale_state(g, "suspended", NOW) is storefront.SaleState.SUSPENDED  # type: ignore[arg-type]
    g.sold_draws = 10
    assert storefront.sale_state(g, "approved", NOW) is storefront.SaleState.SOLD_OUT  # type: ignore[arg-type]
    assert storefront.sale_state(g, None, NOW + timedelta(hours=2)) is storefront.SaleState.ENDED  # type: ignore[arg-type]
    assert storefront.sale_state(g, None, NOW - timedelta(hours=2)) is storefront.SaleState.UPCOMING  # type: ignore[arg-type]
