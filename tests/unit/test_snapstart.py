"""SnapStart resumes many execution environments from one snapshot of an imported handler: nothing random
and no reading of the time may happen at import (``oshi.kernel.snapstart``, docs/performance.md §1).

Every handler module is imported in a fresh interpreter after the third-party libraries are loaded and
the sources of randomness and time are replaced by recorders: ``random`` (its functions, ``Random.seed``,
``SystemRandom``), ``os.urandom`` (and ``secrets``, ``uuid.uuid4`` through it), ``uuid.uuid1``, and
``time.time``/``time_ns``/``monotonic``/``perf_counter`` (``oshi.kernel.clock`` reads ``time.time``). A
call counts when our code (``layers/common/oshi`` or ``functions/``) made it, directly or through the
standard library's wrappers, while the handler was being imported; a library's own bookkeeping below a
call of ours is not counted. The priming primers are checked the same way is not needed: they run before
the snapshot on purpose, and create clients and read keys, nothing unique.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from local.runner import ROOT
from oshi.kernel import snapstart

PROBE = r"""
import json, os, sys, sysconfig, traceback

# Libraries first, with the real sources: their own import-time state is theirs (and Lambda's runtime has
# loaded them too before our module runs).
import boto3, botocore.session, pynamodb.models, pydantic, jwt, bcrypt, pyotp  # noqa: E401,F401
import aws_lambda_powertools, aws_lambda_powertools.event_handler  # noqa: E401,F401
import cryptography.hazmat.primitives.serialization  # noqa: F401
import random, secrets, time, uuid  # noqa: E401,F401

OURS = tuple(os.path.realpath(p) + os.sep for p in sys.argv[1].split(os.pathsep))
LIBRARIES = tuple(
    os.path.realpath(p) + os.sep for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
)
calls = []
importing = [None]


def _record(name):
    if importing[0] is None:
        return
    # Innermost first: the first frame of ours must come before any library frame, i.e. our code called
    # this source (maybe through the standard library's wrappers), not a library doing its own thing.
    for frame in reversed(traceback.extract_stack()[:-2]):
        path = os.path.realpath(frame.filename)
        if path.startswith(OURS):
            calls.append({"handler": importing[0], "call": name, "at": f"{frame.filename}:{frame.lineno}"})
            return
        if path.startswith(LIBRARIES):
            return


def _wrap(owner, attribute, name):
    original = getattr(owner, attribute)

    def recorded(*args, **kwargs):
        _record(name)
        return original(*args, **kwargs)

    setattr(owner, attribute, recorded)


for attribute in ("random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "getrandbits",
                  "uniform", "randbytes", "seed"):
    _wrap(random, attribute, f"random.{attribute}")
_wrap(random.Random, "seed", "random.Random()")
for attribute in ("random", "getrandbits", "randbytes"):
    _wrap(random.SystemRandom, attribute, f"SystemRandom.{attribute}")
_wrap(os, "urandom", "os.urandom")
random._urandom = os.urandom
_wrap(uuid, "uuid1", "uuid.uuid1")
for attribute in ("time", "time_ns", "monotonic", "perf_counter"):
    _wrap(time, attribute, f"time.{attribute}")

import importlib

for module in sys.argv[2:]:
    importing[0] = module
    importlib.import_module(module)
importing[0] = None
print(json.dumps(calls))
"""


def _import_recording(modules: list[str], roots: list[Path]) -> list[dict[str, str]]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": ":".join(str(r) for r in roots),
        "OSHI_STAGE": "dev",
        "AWS_REGION": "ap-northeast-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ":".join(str(r) for r in roots), *modules],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    calls: list[dict[str, str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return calls


def _handlers() -> list[str]:
    from oshi.web import topology

    return sorted(set(topology.all_handlers()))


def test_no_handler_creates_random_state_or_reads_the_time_at_import() -> None:
    roots = [ROOT / "layers" / "common", ROOT / "functions"]
    assert _import_recording(_handlers(), roots) == []


def test_the_check_catches_an_id_a_seed_and_a_timestamp_made_at_import(tmp_path: Path) -> None:
    service = tmp_path / "fakesvc"
    service.mkdir()
    (service / "__init__.py").write_text("")
    (service / "unique_at_import.py").write_text(
        "import random, secrets, time, uuid\n"
        "from oshi.kernel import clock\n"
        "INSTANCE_ID = uuid.uuid4().hex\n"
        "TOKEN = secrets.token_hex(8)\n"
        "random.seed(42)\n"
        "STARTED = clock.now()\n"
        "LOADED = time.monotonic()\n"
        "def handler(event, context):\n"
        "    return uuid.uuid4().hex  # per invocation: fine\n"
    )
    calls = _import_recording(["fakesvc.unique_at_import"], [ROOT / "layers" / "common", tmp_path])
    kinds = {call["call"] for call in calls}
    assert {"os.urandom", "random.seed", "time.time", "time.monotonic"} <= kinds, calls
    assert any(call["at"].endswith("clock.py:21") or "clock.py" in call["at"] for call in calls)


def test_priming_hooks_register_without_the_runtime_library_and_run_by_hand() -> None:
    import oshi.identity.tokens
    import oshi.models.gachas  # noqa: F401 - registers the PynamoDB primer

    assert {"aws-clients", "pynamodb", "jwt-keys"} <= set(snapstart.registered())
    assert set(snapstart.prime()) >= {"aws-clients", "pynamodb", "jwt-keys"}  # nothing asked: no-ops


def test_models_share_one_botocore_session_per_thread() -> None:
    """PynamoDB made a session per model connection, each parsing DynamoDB's service model again (70-300 ms
    per model on a function's first request); oshi.models.base shares one per thread."""
    import threading

    from oshi.models.gachas import Gacha, Prize
    from oshi.models.orders import Order

    sessions = {id(m._get_connection().connection.session) for m in (Gacha, Prize, Order)}
    assert len(sessions) == 1
    other: list[int] = []
    thread = threading.Thread(target=lambda: other.append(id(Gacha._get_connection().connection.session)))
    thread.start()
    thread.join()
    assert other and other[0] not in sessions  # client creation is not thread-safe: one per thread


def test_with_the_runtime_library_the_hooks_are_registered_and_a_restore_forgets_the_keys() -> None:
    """On Lambda, ``snapshot_restore_py`` is importable: prime() runs before the snapshot and restored()
    after each restore (the JWT keys are read again: a rotation may have happened since the publish)."""
    script = (
        "import sys, types\n"
        "hooks = {}\n"
        "fake = types.ModuleType('snapshot_restore_py')\n"
        "fake.register_before_snapshot = lambda fn: hooks.setdefault('before', fn)\n"
        "fake.register_after_restore = lambda fn: hooks.setdefault('after', fn)\n"
        "sys.modules['snapshot_restore_py'] = fake\n"
        "from oshi.identity import tokens\n"
        "from oshi.kernel import snapstart\n"
        "assert hooks == {'before': snapstart.prime, 'after': snapstart.restored}, hooks\n"
        "tokens._public = tokens._CachedKeys(0.0, {'k1': object()})\n"
        "hooks['after']()\n"
        "assert tokens._public is None\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "layers" / "common"), "OSHI_STAGE": "dev"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_build_clients_builds_every_loaded_models_client_once() -> None:
    """The local stack builds them at start (its threads share them; PynamoDB does not lock the first
    build), and the SnapStart primer before the snapshot."""
    from oshi.models import base
    from oshi.models.gachas import Gacha
    from oshi.models.orders import Order

    base.build_clients()
    built = {model: model._get_connection().connection._client for model in (Gacha, Order)}
    assert all(client is not None for client in built.values())
    base.build_clients()  # again: the same clients, nothing rebuilt
    assert {model: model._get_connection().connection._client for model in built} == built
