"""Regenerate tests/vectors/draws.json: ``.venv/bin/python tests/vectors/make_draws.py``.

One set of vectors for both verifiers: ``tests/unit/test_draw_vectors.py`` checks tools/verify_draws.py
(and oshi.draw.fairness.verify) against it, ``web/shared/src/verify.test.ts`` the browser verifier. Each
vector is an order document drawn by the real engine with a fixed seed, plus tampered copies; ``expect``
is what tools/verify_draws.py says (its problem count, per draw: derived r, attempts, prize, table, ok).
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

from oshi.draw.engine import Guarantee, RateTable, draw_many
from oshi.draw.fairness import OrderProof, SeededSource, commitment

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).with_name("draws.json")

spec = importlib.util.spec_from_file_location("verify_draws", ROOT / "tools" / "verify_draws.py")
assert spec is not None and spec.loader is not None
verify_draws = importlib.util.module_from_spec(spec)
spec.loader.exec_module(verify_draws)

ORDER = ("N", "R", "SR", "SSR", "UR")
SIMPLE = RateTable.from_entries(
    [("n1", "N", 600_000), ("r1", "R", 300_000), ("sr1", "SR", 99_900), ("ur1", "UR", 100)]
)
LINEUP = RateTable.from_entries(
    [
        ("voice-n", "N", 550_000),
        ("image-n", "N", 200_000),
        ("voice-r", "R", 200_000),
        ("zip-sr", "SR", 39_900),
        ("video-ssr", "SSR", 10_000),
        ("retired", "SSR", 0),
        ("signed-ur", "UR", 100),
    ]
)
GUARANTEE = Guarantee(
    min_rarity="SR",
    rarity_order=ORDER,
    table=RateTable.from_entries(
        [("zip-sr", "SR", 798_000), ("video-ssr", "SSR", 200_000), ("signed-ur", "UR", 2_000)]
    ),
)


def seed(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def order(
    server_seed: bytes,
    table: RateTable,
    count: int,
    *,
    fan_id: str = "fan-1",
    client_seed: str = "hello",
    nonce: int = 0,
    guarantee: Guarantee | None = None,
    exhausted: tuple[str, ...] = (),
    remaining: dict[str, int] | None = None,
) -> dict[str, Any]:
    source = SeededSource(server_seed, fan_id, client_seed, nonce)
    draws = draw_many(table, count, source, guarantee=guarantee, exhausted=exhausted, remaining=remaining)
    proof = OrderProof(
        commitment(server_seed),
        table,
        guarantee,
        fan_id,
        client_seed,
        nonce,
        draws,
        "g-vectors",
        f"o-{nonce}",
    )
    return proof.to_json()


def expect(document: dict[str, Any], server_seed: bytes) -> dict[str, Any]:
    """What tools/verify_draws.py reports: the problem count and, per draw, what it derived."""
    out: list[str] = []
    problems = verify_draws.verify_order(copy.deepcopy(document), server_seed, out)
    rows = [line for line in out if line.startswith("  ") and line.strip()[:1].isdigit()]
    draws = []
    for line in rows:
        slot, table, _out, total, r, attempts, prize, *result = line.split()
        draws.append(
            {
                "slot": int(slot),
                "table": table,
                "total_weight": int(total),
                "r": int(r),
                "attempts": int(attempts),
                "prize_id": prize,
                "ok": result[0] == "OK",
            }
        )
    return {"problems": problems, "verified": problems == 0, "draws": draws}


def first_nonce_with_a_rejection(server_seed: bytes) -> int:
    """A nonce whose 10-draw needs a second HMAC attempt somewhere (about 1 draw in 4,400)."""
    for nonce in range(100_000):
        if any(
            d.attempts > 1 for d in draw_many(LINEUP, 10, SeededSource(server_seed, "fan-1", "hello", nonce))
        ):
            return nonce
    raise AssertionError("no rejection found")


def main() -> None:
    s1, s2, s3 = seed("oshi vectors 1"), seed("oshi vectors 2"), seed("oshi vectors 3")
    cases: list[tuple[str, bytes, dict[str, Any]]] = [
        ("single draw, no guarantee", s1, order(s1, SIMPLE, 1)),
        ("ten draws with the SR guarantee", s1, order(s1, LINEUP, 10, nonce=3, guarantee=GUARANTEE)),
        (
            "ten draws, guarantee, Japanese client seed",
            s2,
            order(s2, LINEUP, 10, client_seed="推しの声🎤", nonce=1, guarantee=GUARANTEE),
        ),
        ("ten draws without a guarantee", s2, order(s2, LINEUP, 10, nonce=12)),
        (
            "a limited prize already run out",
            s3,
            order(s3, LINEUP, 10, nonce=5, guarantee=GUARANTEE, exhausted=("voice-n",)),
        ),
        (
            "a limited prize runs out within the order",
            s3,
            order(s3, SIMPLE, 10, nonce=8, remaining={"n1": 2}),
        ),
        ("nonce 2^63 - 1 (beyond JavaScript's safe integers)", s1, order(s1, SIMPLE, 3, nonce=2**63 - 1)),
        (
            "rejection sampling needs a second attempt",
            s3,
            order(s3, LINEUP, 10, nonce=first_nonce_with_a_rejection(s3)),
        ),
    ]
    guaranteed_used = [c for c in cases if any(d["table"] == "guaranteed" for d in c[2]["draws"])]
    assert guaranteed_used, "no vector exercises the guaranteed slot: pick other nonces"
    run_out = cases[5][2]["draws"]
    assert run_out[-1]["exhausted"], "the run-out vector must show a prize exhausted mid-order"

    base = cases[1][2]
    tampered_prize = copy.deepcopy(base)
    tampered_prize["draws"][4]["prize_id"] = "signed-ur"
    tampered_table = copy.deepcopy(base)
    tampered_table["rate_table"]["entries"][0]["ppm"] -= 100
    tampered_table["rate_table"]["entries"][-1]["ppm"] += 100
    forged_slot = copy.deepcopy(base)
    forged_slot["draws"][9]["table"] = "main" if base["draws"][9]["table"] == "guaranteed" else "guaranteed"
    cases += [
        ("the wrong server seed", s2, base),
        ("a prize changed after the draw", s1, tampered_prize),
        ("the rate table changed after the commitment", s1, tampered_table),
        ("the guaranteed slot misreported", s1, forged_slot),
    ]
    vectors = [
        {
            "name": name,
            "server_seed": server_seed.hex(),
            "order": document,
            "expect": expect(document, server_seed),
        }
        for name, server_seed, document in cases
    ]
    OUT.write_text(
        json.dumps({"format": "oshi-draw-vectors/1", "vectors": vectors}, ensure_ascii=False, indent=1)
        + "\n",
        encoding="utf-8",
    )
    print(f"{OUT.relative_to(ROOT)}: {len(vectors)} vectors")


if __name__ == "__main__":
    main()
