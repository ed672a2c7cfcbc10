"""One release path: only ``oshi.commerce.reservations`` gives an order's reservation back.

Read from the source: a negative ADD to ``Gacha.sold_draws``, a ``StockShard.sold`` or ``Spending.spent``, or setting
``Order.reservation_released``, anywhere else in the domain or the handlers would be a second way to
release (and a way to release twice). tests/integration/test_reservations.py exercises the paths.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "layers" / "common" / "oshi", ROOT / "functions"]
HOME = ROOT / "layers" / "common" / "oshi" / "commerce" / "reservations.py"
RELEASE = re.compile(r"(sold_draws|sold|spent)\.add\(\s*-|reservation_released\.set\(")


def test_only_reservations_release() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for source in SOURCES
        for path in sorted(source.rglob("*.py"))
        if path != HOME
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RELEASE.search(line)
    ]
    assert found == [], "release through oshi.commerce.reservations.release:\n" + "\n".join(found)


def test_the_guard_sees_a_release() -> None:
    assert RELEASE.search("[Gacha.sold_draws.add(-int(order.count))]")
    assert RELEASE.search("Spending.spent.add( -amount)")
    assert RELEASE.search("Order.reservation_released.set(True)")
    assert not RELEASE.search("Gacha.sold_draws.add(count)")
    assert RELEASE.search("[StockShard.sold.add(-draws)]")  # a shard of a sharded gacha (issue 21)
    assert not RELEASE.search("[StockShard.sold.add(draws)]")
    assert RELEASE.search(HOME.read_text())
