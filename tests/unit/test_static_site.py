"""The local gateway serves the fan app's static export as CloudFront + S3 would (local/static_site.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from local.static_site import IMMUTABLE, REVALIDATE, is_site_path, serve_static


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "gacha").mkdir()
    (tmp_path / "_next" / "static" / "chunks").mkdir(parents=True)
    (tmp_path / "index.html").write_text("<h1>home</h1>")
    (tmp_path / "gacha" / "index.html").write_text("<h1>gacha</h1>")
    (tmp_path / "404.html").write_text("<h1>missing</h1>")
    (tmp_path / "_next" / "static" / "chunks" / "app-1a2b.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("outside the site")
    return tmp_path


def test_api_paths_stay_with_the_api() -> None:
    assert not is_site_path("/api/health")
    assert not is_site_path("/api")
    assert is_site_path("/")
    assert is_site_path("/gacha/?id=abc")
    assert is_site_path("/apiary/")


def test_a_directory_serves_its_index_html_and_html_is_revalidated(site: Path) -> None:
    response = serve_static("GET", "/gacha/?id=01abc", site)
    assert response.status == 200
    assert response.body == b"<h1>gacha</h1>"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == REVALIDATE
    assert serve_static("GET", "/", site).body == b"<h1>home</h1>"


def test_hashed_assets_are_immutable_with_their_content_type(site: Path) -> None:
    response = serve_static("GET", "/_next/static/chunks/app-1a2b.js", site)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Cache-Control"] == IMMUTABLE


def test_unknown_paths_get_the_404_page_with_status_404(site: Path) -> None:
    response = serve_static("GET", "/nowhere/", site)
    assert (response.status, response.body) == (404, b"<h1>missing</h1>")
    assert response.headers["Cache-Control"] == REVALIDATE
    missing_asset = serve_static("GET", "/_next/static/chunks/gone.js", site)
    assert missing_asset.status == 404
    assert missing_asset.headers["Cache-Control"] == REVALIDATE  # never cache a miss for a year


def test_paths_cannot_escape_the_site_directory(site: Path) -> None:
    for target in ("/../secret.txt", "/%2e%2e/secret.txt", "/gacha/../../secret.txt"):
        response = serve_static("GET", target, site)
        assert response.status == 404, target
        assert b"outside" not in response.body


def test_only_reads_are_served_and_head_has_no_body(site: Path) -> None:
    assert serve_static("POST", "/", site).status == 405
    head = serve_static("HEAD", "/", site)
    assert (head.status, head.body) == (200, b"")


def test_an_unbuilt_app_says_how_to_build_it(tmp_path: Path) -> None:
    response = serve_static("GET", "/", tmp_path / "missing")
    assert response.status == 503
    assert b"make web" in response.body
