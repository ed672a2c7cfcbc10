"""The authorizer runs before most requests: its import must stay free of what it does not need.

Timings are measured (not asserted) by ``bench/auth_cold_start.py``; this test asserts the imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = (
    "pyotp",
    "stripe",
    "pydantic",
    "pynamodb",
    "aws_xray_sdk",
    "oshi.identity.users",
    "oshi.identity.passwords",
    "oshi.identity.mfa",
)


def test_authorizer_import_pulls_in_no_heavy_or_secret_handling_module() -> None:
    probe = f"import sys, json; import auth.authorizer; print(json.dumps([m for m in {FORBIDDEN!r} if m in sys.modules]))"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "common"), str(ROOT / "functions")]),
        "OSHI_STAGE": "dev",
        "AWS_REGION": "ap-northeast-1",
    }
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
