"""A Lambda's init runs without garbage collection, which resumes on the first invocation (oshi.kernel.startup).

Collecting while ~500 modules load is wasted work (their objects live as long as the process); forgetting to
resume would leave a function that never collects, so every handler must end the init when it first runs.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest

from local.runner import ROOT


def _handler_modules() -> list[str]:
    found = []
    for service in sorted(p for p in (ROOT / "functions").iterdir() if (p / "__init__.py").exists()):
        for module in pkgutil.iter_modules([str(service)]):
            name = f"{service.name}.{module.name}"
            if callable(getattr(importlib.import_module(name), "handler", None)):
                found.append(name)
    return found


HANDLERS = _handler_modules()


def test_every_lambda_handler_ends_the_init_when_it_first_runs() -> None:
    assert len(HANDLERS) > 80  # every route, consumer, schedule and the authorizer
    missing = [name for name in HANDLERS if not getattr(sys.modules[name].handler, "ends_init", False)]
    assert missing == []


PROBE = """
import gc, json, types
import system.health as health
paused = not gc.isenabled()
context = types.SimpleNamespace(function_name="f", memory_limit_in_mb=128, invoked_function_arn="arn", aws_request_id="r")
event = {"httpMethod": "GET", "path": "/api/health", "headers": {}, "requestContext": {"requestId": "r"}}
answer = health.handler(event, context)
print(json.dumps([paused, answer["statusCode"], gc.isenabled(), gc.get_freeze_count() > 1000]))
"""


@pytest.mark.parametrize(
    ("function_name", "expected"),
    [("SystemHealth", [True, 200, True, True]), ("", [False, 200, True, False])],
)
def test_collection_is_paused_only_during_a_lambda_init(function_name: str, expected: list[object]) -> None:
    import os

    env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": function_name}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == expected
