"""The box and the ceiling as pure code (issue 20): the engine, the proofs, and the stdlib verifier agree."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from oshi.draw import box as boxes
from oshi.draw import engine, fairness

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("verify_draws_tool", ROOT / "tools" / "verify_draws.py")
assert _spec is not None and _spec.loader is not None
verify_draws = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify_draws)

SEED = bytes(range(32))
BOX = boxes.Box(
    (boxes.BoxPrize("p01", "UR", 2), boxes.BoxPrize("p02", "SR", 5), boxes.BoxPrize("p03", "N", 13)),
    ("last", "UR"),
)


def empty_the_box(orders: list[int]) -> list[dict]:
    """Draw the whole box in orders of the given sizes (fans fan-0, fan-1, ...); their proofs."""
    left, drawn, proofs = BOX.full(), 0, []
    for n, count in enumerate(orders):
        source = fairness.SeededSource(SEED, f"fan-{n}", f"seed-{n}", 0)
        draws, after = boxes.draw(BOX, left, drawn, count, source)
        proofs.append(
            boxes.order_document(
                box=BOX,
                commitment=fairness.commitment(SEED),
                fan_id=f"fan-{n}",
                client_seed=f"seed-{n}",
                nonce=0,
                remaining_before=left,
                draws=draws,
                gacha_id="g",
                order_id=f"o{n}",
            )
        )
        left, drawn = after, drawn + count
    return proofs


def test_a_box_emptied_gives_every_ticket_once_and_one_last_one_prize() -> None:
    proofs = empty_the_box([10, 1, 1, 1, 1, 1, 5])
    draws = [d for p in proofs for d in p["draws"]]
    assert sorted(d["ticket"] for d in draws) == list(range(20))
    assert sorted(d["position"] for d in draws) == list(range(20))
    assert Counter(d["prize_id"] for d in draws) == {"p01": 2, "p02": 5, "p03": 13}
    assert [p["order_id"] for p in proofs if p["last_one"]] == ["o6"]
    # a ticket's index always lies in its prize's range
    for d in draws:
        start = BOX.starts()[d["prize_id"]]
        assert start <= d["ticket"] < start + BOX.full()[d["prize_id"]]


def test_the_stdlib_verifier_replays_the_box_and_catches_a_forgery() -> None:
    proofs = empty_the_box([10, 3, 7])
    out: list[str] = []
    assert verify_draws.verify_box(proofs, SEED, out) == 0, "\n".join(out)
    assert "tickets drawn 20 of 20" in "\n".join(out)
    swapped = [proofs[1], proofs[0], proofs[2]]  # the verifier sorts by position
    assert verify_draws.verify_box(swapped, SEED, []) == 0
    missing = [proofs[0], proofs[2]]  # a gap in the positions
    assert verify_draws.verify_box(missing, SEED, []) > 0
    forged = [dict(p) for p in proofs]
    forged[2] = {**forged[2], "last_one": None}  # hiding who took the last ticket
    assert verify_draws.verify_box(forged, SEED, []) > 0
    other_seed = bytes(32)
    assert verify_draws.verify_box(proofs, other_seed, []) > 0


def test_a_box_never_draws_more_than_is_left() -> None:
    with pytest.raises(boxes.NotEnoughTickets):
        boxes.draw(BOX, {"p01": 0, "p02": 0, "p03": 3}, 17, 10, fairness.SeededSource(SEED, "f", "c", 0))


def test_the_box_document_is_strict() -> None:
    assert boxes.from_document(BOX.document()) == BOX
    with pytest.raises(boxes.BoxError):
        boxes.from_document({**BOX.document(), "extra": 1})
    with pytest.raises(boxes.BoxError):
        boxes.from_document({**BOX.document(), "tickets": [{"prize_id": "p01", "rarity": "UR", "count": 0}]})


TABLE = engine.RateTable.from_entries([("n1", "N", 999_990), ("ur1", "UR", 4), ("ur2", "UR", 6)])


@pytest.mark.parametrize("since_top", [0, 3, 8, 9])
def test_the_ceiling_slot_is_drawn_among_the_top_rarity_and_verifies(since_top: int) -> None:
    ceiling = engine.Ceiling(10, "UR")
    source = fairness.SeededSource(SEED, "fan", "hello", 7)
    draws = engine.draw_many(TABLE, 10, source, ceiling=ceiling, since_top=since_top)
    expected = 9 - since_top  # the slot at which the count reaches N - 1
    assert [d.slot for d in draws if d.table is engine.TableKind.CEILING] == [expected]
    assert draws[expected].rarity == "UR" and draws[expected].total_weight == 10
    proof = fairness.OrderProof(
        fairness.commitment(SEED),
        TABLE,
        None,
        "fan",
        "hello",
        7,
        draws,
        ceiling=ceiling,
        ceiling_before=since_top,
    ).to_json()
    assert proof["format"] == "oshi-fairness/2" and proof["rate_table"]["ceiling"] == {
        "draws": 10,
        "rarity": "UR",
    }
    assert fairness.verify(proof, SEED) == []
    assert verify_draws.verify_order(proof, SEED, []) == 0
    lied = {**proof, "ceiling_before": 0 if since_top else 5}
    assert fairness.verify(lied, SEED) != []
    assert verify_draws.verify_order(lied, SEED, []) > 0
    assert ceiling.after(since_top, (d.rarity for d in draws)) == 9 - expected


def test_a_table_without_a_ceiling_keeps_its_v1_hash() -> None:
    assert fairness.rate_table_document(TABLE)["format"] == "oshi-rate-table/1"
    assert "ceiling" not in fairness.rate_table_document(TABLE)
    assert fairness.rate_table_hash(TABLE) != fairness.rate_table_hash(TABLE, None, engine.Ceiling(10, "UR"))
