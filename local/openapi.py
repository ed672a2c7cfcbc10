"""``python -m local.openapi``: print the OpenAPI document (``make openapi`` writes docs/openapi.json)."""

from __future__ import annotations

import json
import os
import sys


def render() -> str:
    from oshi.web.openapi import build_document

    return json.dumps(build_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("OSHI_STAGE", "local")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    sys.stdout.write(render())
