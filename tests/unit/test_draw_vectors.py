"""tests/vectors/draws.json: the draw vectors the browser verifier (web/shared/src/verify.ts) is tested
against. Here both Python verifiers must agree with every vector, so the three cannot drift apart."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from oshi.draw.fairness import verify

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "tests" / "vectors" / "draws.json").read_text(encoding="utf-8"))["vectors"]

spec = importlib.util.spec_from_file_location("verify_draws_tool", ROOT / "tools" / "verify_draws.py")
assert spec is not None and spec.loader is not None
verify_draws = importlib.util.module_from_spec(spec)
spec.loader.exec_module(verify_draws)


def test_the_vectors_cover_what_the_browser_must_get_right() -> None:
    names = {v["name"] for v in VECTORS}
    assert len(VECTORS) >= 10
    valid = [v for v in VECTORS if v["expect"]["verified"]]
    draws = [d for v in valid for d in v["expect"]["draws"]]
    assert any(d["table"] == "guaranteed" for d in draws)
    assert any(d["attempts"] > 1 for d in draws)
    assert any(v["order"]["nonce"] > 2**53 for v in valid)
    assert any(v["order"]["draws"][-1]["exhausted"] for v in valid)
    assert any(not v["expect"]["verified"] for v in VECTORS) and "the wrong server seed" in names


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_tools_verify_draws_agrees_with_the_vector(vector: dict[str, Any]) -> None:
    out: list[str] = []
    seed = bytes.fromhex(vector["server_seed"])
    assert verify_draws.verify_order(vector["order"], seed, out) == vector["expect"]["problems"], "\n".join(
        out
    )
    # The platform's own verifier reaches the same verdict.
    assert (verify(vector["order"], seed) == []) is vector["expect"]["verified"]
    if vector["expect"]["verified"]:
        for claimed, derived in zip(vector["order"]["draws"], vector["expect"]["draws"], strict=True):
            assert (claimed["r"], claimed["attempts"], claimed["prize_id"], claimed["table"]) == (
                derived["r"],
                derived["attempts"],
                derived["prize_id"],
                derived["table"],
            )
