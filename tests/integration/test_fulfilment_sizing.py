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
