#!/usr/bin/env python3
"""Give every exported HTML page a Content-Security-Policy that allows exactly its own inline scripts.

    python tools/csp_hashes.py web/fan/out

A static export (Next.js ``output: "export"``) carries a few inline bootstrap scripts per page, each
different, so ``script-src 'self'`` alone blocks hydration and ``'unsafe-inline'`` gives up the point of
a CSP. This post-build step computes the SHA-256 of every inline ``<script>`` of each page (the exact
characters between the tags, as the browser hashes them) and inserts, first in ``<head>``,

    <meta http-equiv="Content-Security-Policy" content="script-src 'self' 'sha256-...' ...; object-src 'none'; base-uri 'self'">

Re-running replaces the tag it inserted before. ``frame-ancestors`` cannot be set by a meta tag: it comes
from the CDN's response-headers policy. Standard library only; prints one line per page.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
from pathlib import Path

# An inline script: no src attribute. Its content ends at the first "</script" (HTML parsing rule).
SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
HAS_SRC = re.compile(r"\ssrc\s*=", re.IGNORECASE)
OUR_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*" data-csp-hashes="1">')
HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)


def inline_script_hashes(page: str) -> list[str]:
    """``'sha256-<base64>'`` of each inline script, in page order, without duplicates."""
    hashes: list[str] = []
    for match in SCRIPT.finditer(page):
        if HAS_SRC.search(match.group("attrs") or ""):
            continue
        digest = base64.b64encode(hashlib.sha256(match.group("body").encode("utf-8")).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def policy(hashes: list[str]) -> str:
    return "; ".join([" ".join(["script-src", "'self'", *hashes]), "object-src 'none'", "base-uri 'self'"])


def with_policy(page: str) -> str:
    """The page with its CSP meta tag (any tag this tool inserted before is replaced)."""
    page = OUR_META.sub("", page)
    head = HEAD.search(page)
    if head is None:
        raise ValueError("no <head> element to put the policy in")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(inline_script_hashes(page))}" data-csp-hashes="1">'
    return page[: head.end()] + meta + page[head.end() :]


def process(directory: Path) -> int:
    pages = sorted(directory.rglob("*.html"))
    for path in pages:
        page = path.read_text(encoding="utf-8")
        updated = with_policy(page)
        path.write_text(updated, encoding="utf-8")
        print(f"{path.relative_to(directory)}: {len(inline_script_hashes(updated))} inline script(s)")
    return len(pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="the static export, e.g. web/fan/out")
    args = parser.parse_args(argv)
    if not args.directory.is_dir():
        print(f"not a directory: {args.directory}", file=sys.stderr)
        return 2
    if process(args.directory) == 0:
        print(f"no HTML files under {args.directory}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
