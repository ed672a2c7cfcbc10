"""The same regex compiles at every stack depth from 0 to N frames, plainly and on ``oshi.kernel.entry``'s
roomy stack.

    .venv/bin/python -m bench.stack_chunks [--depths 120] [--repeat 3]

What it shows: CPython 3.11-3.13 keep Python frames in 16 KiB chunks and free a chunk as soon as its first
frame returns (python/cpython#142183), so a loop of calls that sits on a chunk's edge maps and unmaps memory
on every call. The work is urllib3's URL patterns (``re.compile`` recurses: ``_parse`` inside ``_parse_sub``
per group), the largest regex work in every handler's import, compiled afresh at each depth; the figure per
depth is the fastest of ``--repeat`` runs. Printed, plainly and through ``entry.on_roomy_stack``: the
median and worst depth, and the depths where the compile took over 1.5x the median. On a CPython with
the fix the two rows match.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _patterns() -> list[tuple[str, int]]:
    import urllib3.util.url as url

    return [(value.pattern, value.flags) for value in vars(url).values() if isinstance(value, re.Pattern)]


def _compile_all(patterns: list[tuple[str, int]]) -> float:
    re.purge()
    started = time.perf_counter()
    for pattern, flags in patterns:
        re.compile(pattern, flags)
    return time.perf_counter() - started


def _at_depth(depth: int, patterns: list[tuple[str, int]]) -> float:
    # A few locals make each frame about as large as an import machinery frame (~25 slots).
    a = b = c = d = e = f = g = h = i = j = k = m = n = o = p = q = 0  # noqa: F841
    if depth == 0:
        return _compile_all(patterns)
    return _at_depth(depth - 1, patterns)


def sweep(depths: int, repeat: int, call: object) -> list[float]:
    patterns = _patterns()
    run = call if callable(call) else (lambda f, *a: f(*a))
    return [min(run(_at_depth, depth, patterns) for _ in range(repeat)) for depth in range(depths)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "layers" / "common")]
    from oshi.kernel import entry

    print(f"Python {sys.version.split()[0]}: {len(_patterns())} patterns, depths 0-{args.depths - 1}")
    sweep(args.depths, 1, entry.on_roomy_stack)  # warm-up: the interpreter specialises re's code first
    rows = {
        "plain": sweep(args.depths, args.repeat, None),
        "roomy stack (oshi.kernel.entry)": sweep(args.depths, args.repeat, entry.on_roomy_stack),
    }
    for name, times in rows.items():
        median = statistics.median(times)
        worst = max(times)
        slow = [depth for depth, seconds in enumerate(times) if seconds > 1.5 * median]
        print(
            f"{name:32} median {median * 1000:6.2f} ms  worst {worst * 1000:6.2f} ms ({worst / median:.1f}x)"
            f"  depths over 1.5x the median: {slow or 'none'}"
        )


if __name__ == "__main__":
    main()
