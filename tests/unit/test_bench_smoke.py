"""The benchmarks must not rot: a tiny run of the in-process ones (figures are printed, never asserted)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from local.runner import ROOT


@pytest.mark.parametrize(
    "args",
    [
        ["bench.cost_model"],
        ["bench.draw_engine", "--draws", "2000", "--orders", "20"],
        ["bench.cold_start", "--runs", "1", "--only", "auth.authorizer", "gacha.detail"],
        ["bench.cold_start", "--runs", "1", "--direct", "--only", "gacha.detail"],
        ["bench.stack_chunks", "--depths", "5", "--repeat", "1"],
        ["bench.authorizer_revocation", "--calls", "20", "--users", "5"],
        ["bench.moto_memory", "--orders", "10", "--workers", "2"],
        ["bench.stock_shards", "--fans", "24", "--stock", "20", "--shards", "4", "--clients", "4"],
        ["bench.web_bundle"],  # measures web/fan/out: `make pytest` builds it first
    ],
    ids=lambda a: a[0],
)
def test_bench_runs_and_prints_figures(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert any(ch.isdigit() for ch in done.stdout) and len(done.stdout.splitlines()) >= 2, done.stdout
