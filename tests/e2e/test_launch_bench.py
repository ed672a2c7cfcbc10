"""``python -m bench.launch`` must not rot: a tiny launch (a few fans, a stock that sells out) on its own
local stack. What is asserted is the outcome, never a timing: the run exits 0 only when every paid order
was drawn, sold_draws equals the draws paid within the stock, and the money invariants hold."""

from __future__ import annotations

import subprocess
import sys

import pytest

from local.runner import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("launch-bench")]


@pytest.mark.parametrize("mode", [[], ["--signed-in"]], ids=["sign-in-at-the-start", "signed-in-before"])
def test_a_tiny_launch_sells_out_and_keeps_the_money_invariants(mode: list[str]) -> None:
    # 4 fans x (1 + 10 draws) = 44 wanted, 30 on sale: some 10-draws must be refused with SOLD_OUT.
    done = subprocess.run(
        [sys.executable, "-m", "bench.launch", "--fans", "4", "--stock", "30", "--clients", "4", *mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "sign-ins        {'200': 4}" in out, out
    assert "409 SOLD_OUT" in out, out
    assert "invariants      ok" in out and "paid and not drawn: 0" in out, out
    assert "stock           sold_draws" in out and ": ok" in out.split("stock           sold_draws")[1], out
