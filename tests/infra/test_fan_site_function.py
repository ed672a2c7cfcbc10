"""The fan app's viewer-request CloudFront Function, run with node on the code the stack deploys.

A local static server serves /gacha/ by itself; S3 behind origin access control does not, so the logic
is tested here: index.html appended, files untouched, unknown pages sent to 404.html."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from infra.constructs.hosting import exported_pages, request_function_code

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")


def _run(pages: list[str] | None, uris: list[str]) -> list[str]:
    script = request_function_code(pages) + (
        "\nconst uris = " + json.dumps(uris) + ";\n"
        "console.log(JSON.stringify(uris.map((uri) => handler({request: {uri: uri, method: 'GET'}}).uri)));\n"
    )
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return list(json.loads(result.stdout))


def test_page_paths_get_index_html_and_files_pass_through() -> None:
    uris = ["/", "/gacha/", "/gacha", "/orders/", "/_next/static/chunks/a-1.js", "/favicon.ico", "/404.html"]
    assert _run(None, uris) == [
        "/index.html",
        "/gacha/index.html",
        "/gacha/index.html",
        "/orders/index.html",
        "/_next/static/chunks/a-1.js",
        "/favicon.ico",
        "/404.html",
    ]


def test_unknown_pages_get_the_404_page_when_the_export_is_known() -> None:
    pages = ["/", "/gacha/", "/orders/"]
    assert _run(pages, ["/gacha", "/nope/", "/nope", "/gacha/extra/", "/", "/x.png"]) == [
        "/gacha/index.html",
        "/404.html",
        "/404.html",
        "/404.html",
        "/index.html",
        "/x.png",
    ]


def test_exported_pages_lists_the_directories_with_an_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert exported_pages(tmp_path / "missing") is None
    for page in ("index.html", "gacha/index.html", "vtuber/index.html", "404.html", "_next/static/x.js"):
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text("x")
    assert exported_pages(tmp_path) == ["/", "/gacha/", "/vtuber/"]
