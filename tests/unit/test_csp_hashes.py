"""tools/csp_hashes.py: each exported page gets a CSP meta allowing exactly its own inline scripts."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "csp"

spec = importlib.util.spec_from_file_location("csp_hashes", ROOT / "tools" / "csp_hashes.py")
assert spec is not None and spec.loader is not None
csp_hashes = importlib.util.module_from_spec(spec)
sys.modules["csp_hashes"] = csp_hashes
spec.loader.exec_module(csp_hashes)


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def test_the_policy_lists_each_inline_script_once_and_no_external_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(FIXTURE, out)
    (out / "gacha").mkdir()
    (out / "gacha" / "index.html").write_text("<html><head></head><body><script>a()</script></body></html>")
    assert csp_hashes.main([str(out)]) == 0

    page = (out / "index.html").read_text(encoding="utf-8")
    expected = [
        _sha("self.__next_f=self.__next_f||[]"),
        _sha('self.__next_f.push([1,"ページ \\u003c/p\\u003e"])'),
    ]
    meta = (
        '<head><meta http-equiv="Content-Security-Policy" content="script-src \'self\' '
        + " ".join(expected)
        + "; object-src 'none'; base-uri 'self'\" data-csp-hashes=\"1\">"
    )
    assert meta in page, page[:400]  # first in <head>, before any script it governs
    assert "unsafe-inline" not in page
    assert page.count("Content-Security-Policy") == 1
    # Nested pages get their own hashes.
    nested = (out / "gacha" / "index.html").read_text()
    assert _sha("a()") in nested and expected[0] not in nested


def test_running_twice_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(FIXTURE, out)
    csp_hashes.main([str(out)])
    once = (out / "index.html").read_text(encoding="utf-8")
    csp_hashes.main([str(out)])
    assert (out / "index.html").read_text(encoding="utf-8") == once


def test_a_missing_directory_or_no_pages_is_an_error(tmp_path: Path) -> None:
    assert csp_hashes.main([str(tmp_path / "missing")]) == 2
    assert csp_hashes.main([str(tmp_path)]) == 2
    with pytest.raises(ValueError, match="head"):
        csp_hashes.with_policy("<html><body><script>x</script></body></html>")
