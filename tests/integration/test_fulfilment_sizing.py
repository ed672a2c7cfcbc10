"""The worst-case lineup (10 limited prizes x 5 assets): a 10-draw stays one read and one transaction of
at most 100 actions (the same measurement as ``python -m bench.roundtrips_fulfilment``)."""

from __future__ import annotations

import pytest

from bench.roundtrips_fulfilment import measure
from oshi.fulfilment import fulfil
from oshi.kernel.txn import MAX_ACTIONS


@pytest.mark.usefixtures("aws")
def test_worst_case_10_draw_is_two_round_trips_and_fits_one_transaction() -> None:
    fulfil.forget_configs()
    figures = measure()
    for name in ("1-draw", "10-draw"):
        assert figures[name]["calls"] == ["BatchGetItem", "TransactWriteItems"], figures
    assert figures["1-draw"]["actions"] == 12  # order, gacha check, 2 medals, 5 rewards, stock, nonce, stats
    assert 55 <= figures["10-draw"]["actions"] <= 66 <= MAX_ACTIONS


@pytest.mark.usefixtures("aws")
def test_box_and_ceiling_fulfilments_are_two_round_trips_and_fit_one_transaction() -> None:
    fulfil.forget_configs()
    ceiling = measure("ceiling")
    assert ceiling["1-draw"]["actions"] == 11  # the counter rides on the nonce update: no extra action
    assert ceiling["10-draw"]["actions"] == 56
    fulfil.forget_configs()
    box = measure("box")
    for figures in (*ceiling.values(), *box.values()):
        assert figures["calls"] == ["BatchGetItem", "TransactWriteItems"], figures
    assert box["1-draw"]["actions"] == 12  # order, gacha, 2 medals, 5 rewards, box state, box log, nonce
    assert box["10-draw"]["actions"] == 57
    assert box["10-draw, last ticket"]["actions"] == 62 <= MAX_ACTIONS  # + the last-one prize's 5 rewards
