"""First-load JavaScript per route of the fan app, gzip-compressed, from the static export (web/fan/out).

    .venv/bin/python -m bench.web_bundle [--out web/fan/out] [--budget-kb 200]

For every exported page, the sum of the gzip sizes of the scripts its HTML loads (``<script src>``),
plus the HTML itself. A figure to watch, printed, never a pass/fail test (``--budget-kb`` only marks the
routes over it). Build first: ``make web``.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

from local.static_site import SITE_DIR

_SCRIPT_SRC = re.compile(r'<script[^>]+src="(/_next/[^"]+\.js)"')


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def route_of(html: Path, root: Path) -> str:
    relative = html.relative_to(root).as_posix()
    if relative == "index.html":
        return "/"
    if relative.endswith("/index.html"):
        return "/" + relative.removesuffix("index.html")
    return "/" + relative


def measure(root: Path) -> list[tuple[str, int, int, int]]:
    """(route, scripts, first-load JS gzip bytes, HTML gzip bytes) for each exported page."""
    rows = []
    for html in sorted(root.rglob("*.html")):
        if html.name.startswith("_"):
            continue
        text = html.read_text(encoding="utf-8")
        scripts = sorted(set(_SCRIPT_SRC.findall(text)))
        js = sum(
            gzip_size((root / src.lstrip("/")).read_bytes())
            for src in scripts
            if (root / src.lstrip("/")).is_file()
        )
        rows.append((route_of(html, root), len(scripts), js, gzip_size(text.encode())))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SITE_DIR)
    parser.add_argument("--budget-kb", type=float, default=200.0)
    args = parser.parse_args()
    if not (args.out / "index.html").is_file():
        print(f"fan app not built ({args.out}): run `make web` first; nothing measured")
        return 0
    rows = measure(args.out)
    print(f"{'route':28} {'scripts':>7} {'first-load JS (gzip)':>21} {'HTML (gzip)':>12}")
    for route, count, js, page in rows:
        mark = "  over budget" if js / 1024 > args.budget_kb else ""
        print(f"{route:28} {count:7d} {js / 1024:18.1f} kB {page / 1024:9.1f} kB{mark}")
    largest = max(rows, key=lambda r: r[2])
    print(
        f"largest first load: {largest[0]} {largest[2] / 1024:.1f} kB gzip (budget {args.budget_kb:.0f} kB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
