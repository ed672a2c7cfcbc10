"""``python -m bench`` (``make bench``): run every benchmark and print its figures."""

from __future__ import annotations

import runpy
import sys

for module in ("bench.cold_start", "bench.draw_engine", "bench.auth_cold_start"):
    print(f"\n== {module} ==", flush=True)
    sys.argv = [module]
    runpy.run_module(module, run_name="__main__")
