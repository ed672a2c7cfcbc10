"""The web apps' static exports (web/fan/out; web/console/out on the console's own port), served by the
local gateway for every path not under /api.

What CloudFront + S3 do on AWS, locally: ``/path/`` -> ``/path/index.html`` (the viewer-request function),
an unknown path -> ``404.html`` with status 404, content types by extension, and long immutable caching
for ``/_next/static/`` (content-hashed file names) while HTML is always revalidated.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITE_DIR = Path(__file__).resolve().parents[1] / "web" / "fan" / "out"
CONSOLE_DIR = Path(__file__).resolve().parents[1] / "web" / "console" / "out"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".png": "image/png",
    ".webp": "image/webp",
    ".map": "application/json",
}


@dataclass(frozen=True)
class StaticResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def site_built(root: Path = SITE_DIR) -> bool:
    return (root / "index.html").is_file()


def is_site_path(target: str) -> bool:
    """Everything except the API goes to the static site (same origin, as behind CloudFront)."""
    path = urlsplit(target).path
    return not (path == "/api" or path.startswith("/api/"))


def _resolve(root: Path, path: str) -> Path | None:
    relative = unquote(path).lstrip("/")
    candidate = (root / relative).resolve()
    if candidate != root and root not in candidate.parents:
        return None  # ../ escapes the site directory
    if candidate.is_dir():
        candidate = candidate / "index.html"
    elif not candidate.exists() and not candidate.suffix:
        candidate = candidate.with_name(candidate.name + ".html")  # /about -> about.html (no trailing slash)
    return candidate if candidate.is_file() else None


def _content_type(file: Path) -> str:
    return _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def serve_static(method: str, target: str, root: Path = SITE_DIR) -> StaticResponse:
    if method not in ("GET", "HEAD"):
        return StaticResponse(
            405, {"Allow": "GET, HEAD", "Content-Type": "text/plain"}, b"Method Not Allowed"
        )
    root = root.resolve()
    if not root.is_dir():
        message = b"The app is not built: run `make web` (or `make run`, which builds it first)."
        return StaticResponse(503, {"Content-Type": "text/plain; charset=utf-8"}, message)
    path = urlsplit(target).path
    file = _resolve(root, path)
    status = 200
    if file is None:
        status, file = 404, root / "404.html"
        if not file.is_file():
            return StaticResponse(404, {"Content-Type": "text/plain"}, b"Not Found")
    cache = IMMUTABLE if status == 200 and path.startswith("/_next/static/") else REVALIDATE
    headers = {
        "Content-Type": _content_type(file),
        "Cache-Control": cache,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    body = b"" if method == "HEAD" else file.read_bytes()
    return StaticResponse(status, headers, body)
