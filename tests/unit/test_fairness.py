"""Provably fair draws (oshi.draw.fairness and tools/verify_draws.py): commitment, derivation, proofs, verification.

The fixed test vectors here are the ones printed in docs/fairness.md: if one of them changes, every proof
already given to fans stops verifying, so a change must be a new format version, not an edit.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_draw_engine import LINEUP, RARE_GUARANTEE, SIGNIFICANCE, chi_square

from oshi.draw.engine import PPM_TOTAL, RateTable, draw_many
from oshi.draw.fairness import (
    UINT32,
    DrawProof,
    OrderProof,
    SeededSource,
    acceptance_limit,
    canonical_json,
    commitment,
    derive_uint32,
    derive_uniform,
    message,
    new_client_seed,
    new_server_seed,
    rate_table_document,
    rate_table_hash,
    tables_from_document,
    verify,
)

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tools" / "verify_draws.py"
SEED = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
VECTOR_TABLE = RateTable.from_entries(
    [("n1", "N", 600_000), ("r1", "R", 300_000), ("sr1", "SR", 99_900), ("ur1", "UR", 100)]
)


# --- seeds, commitment, rate-table hash -------------------------------------------------------------------


def test_server_seeds_are_32_fresh_bytes_and_commit_by_sha256() -> None:
    seeds = {new_server_seed() for _ in range(100)}
    assert len(seeds) == 100 and all(len(s) == 32 for s in seeds)
    assert commitment(SEED) == hashlib.sha256(SEED).hexdigest()
    assert commitment(SEED) == "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
    with pytest.raises(ValueError):
        commitment(b"short")
    assert len(new_client_seed()) == 32


def test_rate_table_canonical_json_and_hash_vector() -> None:
    document = rate_table_document(VECTOR_TABLE)
    assert canonical_json(document) == (
        b'{"entries":[{"ppm":600000,"prize_id":"n1","rarity":"N"},{"ppm":300000,"prize_id":"r1","rarity":"R"},'
        b'{"ppm":99900,"prize_id":"sr1","rarity":"SR"},{"ppm":100,"prize_id":"ur1","rarity":"UR"}],'
        b'"format":"oshi-rate-table/1","guarantee":null}'
    )
    assert rate_table_hash(VECTOR_TABLE) == hashlib.sha256(canonical_json(document)).hexdigest()
    assert rate_table_hash(VECTOR_TABLE) == VECTOR_TABLE_HASH
    assert rate_table_hash(LINEUP, RARE_GUARANTEE) != rate_table_hash(LINEUP)
    # the document parses back to the same tables
    assert tables_from_document(json.loads(canonical_json(rate_table_document(LINEUP, RARE_GUARANTEE)))) == (
        LINEUP,
        RARE_GUARANTEE,
    )


def test_rate_table_order_is_part_of_the_hash() -> None:
    swapped = RateTable.from_entries(reversed(VECTOR_TABLE.entries))
    assert rate_table_hash(swapped) != rate_table_hash(VECTOR_TABLE)


# --- derivation -----------------------------------------------------------------------------------------


def test_message_and_derivation_vectors() -> None:
    assert message("fan1", "hello", 0, 3, 0) == b"fan1:hello:0:3:0"
    assert message("fan1", "推し", 7, 0, 1) == "fan1:推し:7:0:1".encode()
    digest = hmac.new(SEED, b"fan1:hello:0:0:0", hashlib.sha256).digest()
    assert derive_uint32(SEED, "fan1", "hello", 0, 0, 0) == int.from_bytes(digest[:4], "big")
    assert [
        derive_uniform(SEED, "fan1", "hello", 0, slot, PPM_TOTAL) for slot in range(3)
    ] == DERIVATION_VECTOR


@given(
    seed=st.binary(min_size=32, max_size=32),
    client_seed=st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=20),
    nonce=st.integers(0, 2**63 - 1),
    slot=st.integers(0, 20),
    attempt=st.integers(0, 5),
)
def test_the_fast_hmac_is_hmac_sha256(
    seed: bytes, client_seed: str, nonce: int, slot: int, attempt: int
) -> None:
    source = SeededSource(seed, "fan_1.x-y", client_seed, nonce)
    expected = hmac.new(seed, f"fan_1.x-y:{client_seed}:{nonce}:{slot}:{attempt}".encode(), hashlib.sha256)
    assert source.raw(slot, attempt) == int.from_bytes(expected.digest()[:4], "big")
    assert source.uniform(1000, slot) == SeededSource(seed, "fan_1.x-y", client_seed, nonce).uniform(
        1000, slot
    )


@given(total=st.integers(1, UINT32), seed=st.binary(min_size=32, max_size=32), slot=st.integers(0, 100))
def test_rejection_sampling_bounds(total: int, seed: bytes, slot: int) -> None:
    limit = acceptance_limit(total)
    assert limit % total == 0 and UINT32 - total < limit <= UINT32 and limit >= UINT32 // 2
    r, attempts = SeededSource(seed, "f", "c", 0).uniform(total, slot)
    assert 0 <= r < total and attempts >= 1
    # the accepted raw value is the first one below the limit, and r is it modulo total
    source = SeededSource(seed, "f", "c", 0)
    raws = [source.raw(slot, a) for a in range(attempts)]
    assert all(x >= limit for x in raws[:-1]) and raws[-1] < limit and raws[-1] % total == r


def test_rejections_happen_and_are_retried_with_the_next_attempt() -> None:
    source = SeededSource(SEED, "fan1", "reject", 0)
    limit = acceptance_limit(PPM_TOTAL)  # 2^32 - 967296: about 1 value in 4440 is rejected
    slot = next(s for s in range(100_000) if source.raw(s, 0) >= limit)
    r, attempts = source.uniform(PPM_TOTAL, slot)
    assert (
        attempts >= 2
        and r == next(x for x in (source.raw(slot, a) for a in range(1, 9)) if x < limit) % PPM_TOTAL
    )


def test_inputs_are_validated() -> None:
    for bad in [
        ("fan:1", "c", 0),
        ("", "c", 0),
        ("f", "", 0),
        ("f", "a\nb", 0),
        ("f", "x" * 129, 0),
        ("f", "c", -1),
    ]:
        with pytest.raises(ValueError):
            SeededSource(SEED, *bad)
    with pytest.raises(ValueError):
        SeededSource(SEED[:31], "f", "c", 0)
    with pytest.raises(ValueError):
        acceptance_limit(0)


# --- the derived numbers are unbiased (10^6 values) -----------------------------------------------------

SAMPLES = 1_000_000


def test_a_million_derived_values_are_uniform_on_0_to_1_000_000() -> None:
    source = SeededSource(bytes.fromhex("a5" * 32), "fan-uniform", "buckets", 42)
    uniform = source.uniform
    high: Counter[int] = Counter()
    low: Counter[int] = Counter()
    rejected = 0
    for slot in range(SAMPLES):
        r, attempts = uniform(PPM_TOTAL, slot)
        high[r // 1000] += 1
        low[r % 1000] += 1
        rejected += attempts - 1
    expected = [SAMPLES / 1000] * 1000
    for name, counts in (("r // 1000", high), ("r % 1000", low)):
        statistic, df, p = chi_square([counts[b] for b in range(1000)], expected)
        print(f"\n{name}: chi-square {statistic:.1f}, df {df}, p {p:.4f} over {SAMPLES} values")
        assert p > SIGNIFICANCE
    # rejection rate (2^32 mod 10^6) / 2^32 = 2.25e-4 -> about 225 of 10^6
    assert 100 < rejected < 400


def test_rejection_removes_the_modulo_bias_a_plain_modulo_would_have() -> None:
    """With total = 3 * 2^30 a plain ``x % total`` makes [0, 2^30) twice as likely as the rest; the
    rejection sampler does not. 3 equal buckets: the modulo shows a 2:1:1 split, rejection 1:1:1."""
    total, n = 3 * 2**30, 30_000
    source = SeededSource(SEED, "fan-bias", "modulo", 0)
    sampled: Counter[int] = Counter(source.uniform(total, s)[0] // 2**30 for s in range(n))
    naive: Counter[int] = Counter(source.raw(s, 0) % total // 2**30 for s in range(n))
    _, _, p_sampled = chi_square([sampled[b] for b in range(3)], [n / 3] * 3)
    _, _, p_naive = chi_square([naive[b] for b in range(3)], [n / 3] * 3)
    assert p_sampled > SIGNIFICANCE
    assert p_naive < SIGNIFICANCE


# --- proofs and verification ----------------------------------------------------------------------------


def make_order(count: int = 10, **remaining: int) -> dict[str, Any]:
    source = SeededSource(SEED, "fan1", "my lucky seed 推し", 7)
    draws = draw_many(LINEUP, count, source, guarantee=RARE_GUARANTEE, remaining=remaining or None)
    proof = OrderProof(
        commitment(SEED), LINEUP, RARE_GUARANTEE, "fan1", "my lucky seed 推し", 7, draws, "g-1", "o-1"
    )
    return json.loads(json.dumps(proof.to_json()))


def test_an_order_round_trips_and_verifies() -> None:
    order = make_order()
    assert order["format"] == "oshi-fairness/1" and len(order["draws"]) == 10
    assert verify(order, SEED) == []
    assert verify(json.dumps({"order": {"fairness": order}}), SEED.hex()) == []  # found wherever it is nested
    assert verify([order, make_order(1)], SEED) == []


def test_the_guarantee_and_limited_stock_verify() -> None:
    # a nonce whose first nine have no SR+, so slot 9 comes from the guaranteed table
    for nonce in range(200):
        draws = draw_many(LINEUP, 10, SeededSource(SEED, "fan1", "g", nonce), guarantee=RARE_GUARANTEE)
        if draws[9].table.value == "guaranteed":
            break
    proof = OrderProof(commitment(SEED), LINEUP, RARE_GUARANTEE, "fan1", "g", nonce, draws).to_json()
    assert verify(proof, SEED) == []
    forged = copy.deepcopy(proof)
    forged["draws"][9]["table"] = "main"
    assert any("rule says guaranteed" in p for p in verify(forged, SEED))

    limited = make_order(**{"voice-n": 1, "signed-ur": 0})
    assert limited["draws"][0]["exhausted"] == ["signed-ur"]
    assert any("voice-n" in d["exhausted"] for d in limited["draws"])
    assert verify(limited, SEED) == []
    hidden = copy.deepcopy(limited)
    hidden["draws"][-1]["exhausted"] = []  # a prize that ran out cannot come back
    assert verify(hidden, SEED) != []


def test_per_draw_proofs_are_self_contained() -> None:
    source = SeededSource(SEED, "fan1", "c", 1)
    order = OrderProof(commitment(SEED), LINEUP, None, "fan1", "c", 1, draw_many(LINEUP, 3, source))
    proofs = order.draw_proofs()
    assert [p.slot for p in proofs] == [0, 1, 2]
    assert DrawProof.from_json(json.loads(json.dumps(proofs[1].to_json()))) == proofs[1]
    assert proofs[0].rate_table_hash == rate_table_hash(LINEUP) and proofs[0].commitment == commitment(SEED)


def flip_bit(text: str) -> str:
    return chr(ord(text[0]) ^ 1) + text[1:]


@pytest.mark.parametrize("tamper", ["seed", "client_seed", "nonce", "prize", "rate", "commitment"])
def test_any_flipped_bit_fails_verification(tamper: str) -> None:
    order, seed = make_order(), SEED
    if tamper == "seed":
        seed = bytes([SEED[0] ^ 1]) + SEED[1:]
    elif tamper == "client_seed":
        order["client_seed"] = flip_bit(order["client_seed"])
    elif tamper == "nonce":
        order["nonce"] ^= 1
    elif tamper == "prize":
        order["draws"][3]["prize_id"] = "signed-ur"
    elif tamper == "rate":
        order["rate_table"]["entries"][0]["ppm"] -= 1
        order["rate_table"]["entries"][1]["ppm"] += 1
    elif tamper == "commitment":
        order["commitment"] = flip_bit(order["commitment"])
    assert verify(order, seed) != []


# --- the standalone verifier (stdlib only) --------------------------------------------------------------


def run_verifier(tmp_path: Path, order: Any, seed: bytes) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(order, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(path), "--server-seed", seed.hex()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_standalone_verifier_accepts_an_engine_order(tmp_path: Path) -> None:
    result = run_verifier(tmp_path, {"order": make_order(**{"voice-n": 2})}, SEED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED" in result.stdout and result.stdout.count(" OK") >= 12


@pytest.mark.parametrize("tamper", ["seed", "client_seed", "nonce"])
def test_the_standalone_verifier_fails_on_one_flipped_bit(tmp_path: Path, tamper: str) -> None:
    order, seed = make_order(), SEED
    if tamper == "seed":
        seed = bytes([SEED[0] ^ 1]) + SEED[1:]
    elif tamper == "client_seed":
        order["client_seed"] = flip_bit(order["client_seed"])
    else:
        order["nonce"] ^= 1
    result = run_verifier(tmp_path, order, seed)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED" in result.stdout and "MISMATCH" in result.stdout + (
        "MISMATCH" if tamper == "seed" else ""
    )


def test_the_standalone_verifier_agrees_with_the_library_on_random_orders(tmp_path: Path) -> None:
    orders = []
    for nonce in range(40):
        client_seed = f"seed-{nonce}"
        draws = draw_many(
            LINEUP, 10, SeededSource(SEED, "fan9", client_seed, nonce), guarantee=RARE_GUARANTEE
        )
        orders.append(
            OrderProof(commitment(SEED), LINEUP, RARE_GUARANTEE, "fan9", client_seed, nonce, draws).to_json()
        )
    assert verify(orders, SEED) == []
    assert run_verifier(tmp_path, orders, SEED).returncode == 0


def test_the_standalone_verifier_imports_nothing_from_the_platform() -> None:
    source = VERIFIER.read_text(encoding="utf-8")
    assert "oshi" not in {
        line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))
    }
    result = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), "/nonexistent.json", "--server-seed", "00"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2


VECTOR_TABLE_HASH = "9b76acb3e2011790b46a0e66f18bf74f0299bec598cd665e85d065e5c08e31c2"
DERIVATION_VECTOR = [(640956, 1), (41218, 1), (562327, 1)]
