"""Demo data for the local stack, created through the same domain functions the API uses.

A fan, a minor fan (spending cap), an approved VTuber with two validated assets (real bytes in the moto
bucket) and a published gacha that is on sale now (plus a sold-out one), and an admin with MFA enrolled
(``local.totp``). Each account gets a 12-hour bearer token; the fans can also sign in with their demo
passwords. The VTuber's exchange shop has two items: a cheap one (limit one per fan) and one that costs
more medals than a 10-draw earns.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from local.totp import DEMO_TOTP_SECRET
from oshi.catalogue import lineup, uploads, vtubers
from oshi.catalogue.filetypes import FileType
from oshi.identity import mfa, tokens, users
from oshi.identity.principal import Caller, Role
from oshi.kernel import clock
from oshi.kernel.aws import client
from oshi.kernel.settings import get_settings
from oshi.models.gachas import Gacha
from oshi.models.users import User

DEMO_TOKEN_SECONDS = 12 * 3600
DEMO_PASSWORD = "demo-Password-1"  # noqa: S105 - local demo accounts only, printed at start
ACTOR = "seed"


@dataclass(frozen=True)
class DemoAccount:
    label: str
    user_id: str
    email: str
    roles: frozenset[Role]
    mfa: bool
    token: str


@dataclass
class Demo:
    accounts: list[DemoAccount]
    vtuber_id: str = ""
    gacha_id: str = ""
    sold_out_gacha_id: str = ""
    asset_ids: list[str] = field(default_factory=list)


def _png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG, so the validator's magic-byte check and any image viewer accept it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    rows = b"".join(b"\x00" + b"\xff\x66\xcc" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 412


def _token(user_id: str, roles: frozenset[Role], mfa: bool) -> str:
    caller = Caller(user_id=user_id, roles=roles, mfa=mfa, email_verified=True)
    return tokens.issue_access_token(caller, amr=["pwd", "mfa"] if mfa else ["pwd"], ttl=DEMO_TOKEN_SECONDS)


def _account(label: str, profile: users.UserProfile, *, mfa: bool = False) -> DemoAccount:
    users.mark_email_verified(profile.user_id)  # demo accounts can buy at once (no mailbox round trip)
    current = users.get_user(profile.user_id)
    return DemoAccount(
        label, current.user_id, current.email, current.roles, mfa, _token(current.user_id, current.roles, mfa)
    )


def _asset(user_id: str, vtuber_id: str, filename: str, kind: FileType, data: bytes) -> str:
    ticket = uploads.request_upload(user_id, filename=filename, content_type=kind, size_bytes=len(data))
    bucket = get_settings().content_bucket
    key = uploads.object_key(vtuber_id, ticket.asset.asset_id)
    client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=kind.value)
    asset = uploads.validate_uploaded_object(bucket, key)
    assert asset is not None and asset.status == "validated", asset and asset.reason
    return ticket.asset.asset_id


def _enrol_demo_mfa(user_id: str, secret: str) -> None:
    """MFA with a known secret (``python -m local.totp`` prints its codes), through the real enable step.
    The pending secret is set directly: no API lets a caller choose their secret. Enabled with the previous
    step's code (within the allowed drift), so the code current at start-up is still accepted once."""
    User(user_id).update(actions=[User.mfa_pending_secret.set(mfa.seal(secret, user_id))])
    users.enable_mfa(user_id, mfa.code_at_step(secret, mfa.step_at(clock.now()) - 1))


def seed() -> Demo:
    born = {"fan": date(1998, 4, 1), "minor": date.today().replace(year=date.today().year - 15)}
    fan = users.register(
        email="fan@oshi.local",
        password=DEMO_PASSWORD,
        display_name="Demo Fan",
        birth_date=born["fan"],
        terms_version="2026-11",
    )
    minor = users.register(
        email="minor@oshi.local",
        password=DEMO_PASSWORD,
        display_name="Demo Minor",
        birth_date=born["minor"],
        terms_version="2026-11",
    )
    creator = users.register(
        email="vtuber@oshi.local",
        password=DEMO_PASSWORD,
        display_name="Hoshino Demo",
        birth_date=date(1996, 7, 7),
        terms_version="2026-11",
    )
    admin = users.create_admin(
        email="admin@oshi.local",
        password=DEMO_PASSWORD,
        display_name="Demo Admin",
        birth_date=date(1990, 1, 1),
        actor=ACTOR,
    )
    _enrol_demo_mfa(admin.user_id, DEMO_TOTP_SECRET)
    vtuber = vtubers.apply(
        creator.user_id,
        channel_name="Hoshino Demo",
        channel_url="https://youtube.example/@hoshino-demo",
        description="A demo VTuber for the local stack.",
    )
    vtubers.decide(ACTOR, vtuber.vtuber_id, "approve")

    wallpaper = _asset(creator.user_id, vtuber.vtuber_id, "wallpaper.png", FileType.PNG, _png(4, 4))
    voice = _asset(creator.user_id, vtuber.vtuber_id, "good-night.mp3", FileType.MP3, MP3)
    now = datetime.now(UTC)
    spec = lineup.GachaSpec(
        title="Demo: summer voices",
        description="Wallpapers and voice clips (local demo).",
        price_single=300,
        price_ten=3000,
        starts_at=now + timedelta(minutes=5),
        ends_at=now + timedelta(days=30),
        total_stock=10_000,
        guarantee_min_rarity="SR",
        prizes=(
            lineup.PrizeSpec("Wallpaper", "N", 600_000, (wallpaper,)),
            lineup.PrizeSpec("Good morning", "R", 300_000, (voice,)),
            lineup.PrizeSpec("Good night", "SR", 90_000, (voice,)),
            lineup.PrizeSpec("Birthday song", "SSR", 9_900, (voice,), stock=50),
            lineup.PrizeSpec("Signed art", "UR", 100, (wallpaper, voice), stock=3),
        ),
    )
    gacha, _ = lineup.create_gacha(creator.user_id, spec, publish=True)
    # Demo only: open the sale now (published with its commitment first, as a real sale would be).
    Gacha.get(gacha.gacha_id).update(actions=[Gacha.starts_at.set(now - timedelta(minutes=1))])

    # A second, limited sale whose every draw is already sold: the storefront's "sold out" state.
    sold_out_spec = lineup.GachaSpec(
        title="Demo: first-day limited",
        description="A limited sale that has sold out (local demo).",
        price_single=500,
        price_ten=5000,
        starts_at=now + timedelta(minutes=5),
        ends_at=now + timedelta(days=7),
        total_stock=20,
        guarantee_min_rarity=None,
        prizes=(
            lineup.PrizeSpec("Thank-you voice", "R", 900_000, (voice,)),
            lineup.PrizeSpec("Limited wallpaper", "SR", 100_000, (wallpaper,)),
        ),
    )
    sold_out, _ = lineup.create_gacha(creator.user_id, sold_out_spec, publish=True)
    Gacha.get(sold_out.gacha_id).update(
        actions=[Gacha.starts_at.set(now - timedelta(minutes=1)), Gacha.sold_draws.set(20)]
    )

    from oshi.rewards import exchange  # here, not at import: the exchange service binds its tables on load

    for name, cost in (("Thank-you message", 5), ("Special voice pack", 1000)):
        exchange.create_item(
            creator.user_id,
            exchange.ItemSpec(
                name=name,
                description=f"{name} (local demo exchange item).",
                cost=cost,
                per_user_limit=1,
                stock=100,
                starts_at=now - timedelta(minutes=1),
                ends_at=now + timedelta(days=30),
                asset_id=voice,
            ),
        )

    accounts = [
        _account("fan", fan),
        _account("minor", minor),
        _account("vtuber", creator, mfa=True),
        _account("admin", admin, mfa=True),
    ]
    return Demo(accounts, vtuber.vtuber_id, gacha.gacha_id, sold_out.gacha_id, [wallpaper, voice])
