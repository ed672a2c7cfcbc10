"""A Lambda's init: every function enters through ``oshi.kernel.entry``, which imports its handler module on a
roomy interpreter stack, and the init runs without garbage collection, which resumes on the first invocation
(oshi.kernel.startup).

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


def test_the_entry_hands_lambda_each_handler_modules_own_handler() -> None:
    from oshi.kernel import entry

    assert entry.handler is None  # OSHI_HANDLER unset: importable by tools and tests
    assert {name: entry.import_handler(name) for name in HANDLERS} == {
        name: sys.modules[name].handler for name in HANDLERS
    }
    assert entry.on_roomy_stack(entry.import_handler, "system.health") is sys.modules["system.health"].handler
    # The calling frame is larger than a 16 KiB chunk of frames: CPython gives it a fresh chunk of its own.
    assert entry.on_roomy_stack.__code__.co_stacksize * 8 > 4 * 16 * 1024


def test_every_lambda_handler_ends_the_init_when_it_first_runs() -> None:
    assert len(HANDLERS) > 80  # every route, consumer, schedule and the authorizer
    missing = [name for name in HANDLERS if not getattr(sys.modules[name].handler, "ends_init", False)]
    assert missing == []


PROBE = """
import gc, json, types
import oshi.kernel.entry as entry  # as Lambda imports every function (OSHI_HANDLER=system.health)
import system.health as health
assert entry.handler is health.handler
paused = not gc.isenabled()
context = types.SimpleNamespace(function_name="f", memory_limit_in_mb=128, invoked_function_arn="arn", aws_request_id="r")
event = {"httpMethod": "GET", "path": "/api/health", "headers": {}, "requestContext": {"requestId": "r"}}
answer = entry.handler(event, context)
print(json.dumps([paused, answer["statusCode"], gc.isenabled(), gc.get_freeze_count() > 1000]))
"""


@pytest.mark.parametrize(
    ("function_name", "expected"),
    [("SystemHealth", [True, 200, True, True]), ("", [False, 200, True, False])],
)
def test_collection_is_paused_only_during_a_lambda_init(function_name: str, expected: list[object]) -> None:
    import os

    env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": function_name, "OSHI_HANDLER": "system.health"}
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
