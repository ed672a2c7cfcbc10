"""Cold start of every Lambda handler module: import time in a fresh interpreter, against `import boto3`.

    .venv/bin/python -m bench.cold_start [--runs 5] [--only auth.authorizer ...] [--against DIR]

Prints, per handler, the median wall time of `python -c "import <module>"` over N fresh interpreters, its
ratio to `python -c "import boto3"` measured in the same run, the peak RSS, how many modules it loaded
(exact, unlike the time), and which heavy modules it pulled in. `--against DIR` measures the same
handlers in another checkout (e.g. `git worktree add /tmp/before HEAD~1`) in the same run, interleaved,
and prints both: the way to show a refactor did not make handlers import more. Goals (issue 9): no handler above 1.5x the baseline; read-only endpoints and the authorizer at
or under 1.2x. These machines are noisy: compare ratios, not seconds. Each handler's ratio is against the
``import boto3`` runs interleaved with its own (one boto3, one handler, N times), so a load change on the
machine during the run moves both sides of a ratio, not one. Handlers are imported as Lambda imports them:
through the entry point every function has (``import oshi.kernel.entry`` with ``OSHI_HANDLER`` naming the
module: the import runs on a roomy interpreter stack) and with ``AWS_LAMBDA_FUNCTION_NAME`` set (no
garbage collection during the init, oshi.kernel.startup); ``--direct`` imports the module itself instead,
at whatever stack depth the import chain reaches. The ``import boto3`` baseline is the plain import always.
A checkout without the entry point (``--against`` an older tree) is measured directly.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("stripe", "bcrypt", "pyotp", "cryptography", "pydantic", "pynamodb", "aws_xray_sdk", "jwt")

PROBE = """
import resource, sys, time
t = time.perf_counter()
import {imported}
{first_use}
elapsed = time.perf_counter() - t
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
modules = len(sys.modules)
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print({{"seconds": elapsed, "rss_mb": rss_kb / 1024, "heavy": heavy, "modules": modules}})
"""


# ``--clients``: also what the first request pays before its first DynamoDB call, without the network: the
# boto3 DynamoDB client (the authorizer and every signed-in route read the revocation marker with it; public
# routes do not) and the client of each
# PynamoDB model the handler loaded (PynamoDB builds one per model). A lazy import that only moves work to
# the first request shows here; SnapStart does this work before the snapshot (oshi.kernel.snapstart).
FIRST_USE = """
if {signed_in}:
    from oshi.kernel.aws import client
    client("dynamodb")
if "pynamodb.models" in sys.modules:
    def _models(root):
        for sub in root.__subclasses__():
            yield sub
            yield from _models(sub)
    for _model in _models(sys.modules["pynamodb.models"].Model):
        if getattr(getattr(_model, "Meta", None), "table_name", None):
            _model._get_connection().connection.client
"""
FIRST_USE_ON = False
DIRECT = False  # --direct: import the handler module itself, not through oshi.kernel.entry
ENTRY = "oshi.kernel.entry"


def _public_handlers() -> set[str]:
    sys.path[:0] = [str(ROOT / "layers" / "common")]
    from oshi.web.routes import ROUTES

    return {"boto3", *(route.handler for route in ROUTES if route.is_public)}


def goals() -> dict[str, float]:
    """Each API handler's goal, x ``import boto3`` (issue 21): read routes (GET) and the authorizer 1.2x,
    every other route 1.5x. Consumers and schedules have none (nobody waits on their init)."""
    sys.path[:0] = [str(ROOT / "layers" / "common")]
    from oshi.web.routes import AUTHORIZER_HANDLER, ROUTES

    return {AUTHORIZER_HANDLER: 1.2, **{r.handler: 1.2 if r.method == "GET" else 1.5 for r in ROUTES}}


def handler_modules() -> list[str]:
    sys.path[:0] = [str(ROOT / "layers" / "common"), str(ROOT / "functions")]
    from oshi.web.routes import AUTHORIZER_HANDLER, ROUTES
    from oshi.web.topology import CONSUMERS, SCHEDULES

    return [
        AUTHORIZER_HANDLER,
        *(r.handler for r in ROUTES),
        *(c.handler for c in CONSUMERS),
        *(s.handler for s in SCHEDULES),
    ]


def measure(module: str, runs: int, root: Path = ROOT) -> dict[str, object]:
    samples = [_sample(module, root) for _ in range(runs)]
    return _summary(samples)


def _summary(samples: list[dict[str, object]]) -> dict[str, object]:
    return {
        "seconds": statistics.median(float(s["seconds"]) for s in samples),  # type: ignore[arg-type]
        "rss_mb": max(float(s["rss_mb"]) for s in samples),  # type: ignore[arg-type]
        "heavy": samples[-1]["heavy"],
        "modules": samples[-1]["modules"],
    }


def interleaved(modules: list[tuple[str, Path]], runs: int) -> list[dict[str, object]]:
    """Each of ``modules`` (name, tree) measured ``runs`` times, taking turns: one run of each, N times."""
    samples: list[list[dict[str, object]]] = [[] for _ in modules]
    for _ in range(runs):
        for index, (module, root) in enumerate(modules):
            samples[index].append(_sample(module, root))
    return [_summary(s) for s in samples]


def _sample(module: str, root: Path = ROOT) -> dict[str, object]:
    through_entry = (
        module != "boto3" and not DIRECT and (root / "layers/common/oshi/kernel/entry.py").exists()
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root / "layers" / "common"), str(root / "functions")]),
        "OSHI_STAGE": "dev",
        # As on Lambda, where the init runs without garbage collection (oshi/__init__.py)
        "AWS_LAMBDA_FUNCTION_NAME": "bench-cold-start",
        "AWS_REGION": "ap-northeast-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONDONTWRITEBYTECODE": "0",
        **({"OSHI_HANDLER": module} if through_entry else {}),
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.format(
                imported=ENTRY if through_entry else module,
                heavy=HEAVY,
                first_use=FIRST_USE.format(signed_in=module not in _public_handlers())
                if FIRST_USE_ON
                else "",
            ),
        ],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    sample: dict[str, object] = json.loads(out.strip().replace("'", '"'))
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--against", type=Path, help="another checkout to measure in the same run")
    parser.add_argument(
        "--clients", action="store_true", help="also build the clients the first request uses (FIRST_USE)"
    )
    parser.add_argument(
        "--direct", action="store_true", help="import each handler module itself, not through the entry"
    )
    args = parser.parse_args()
    global FIRST_USE_ON, DIRECT
    FIRST_USE_ON = args.clients
    DIRECT = args.direct
    measure("boto3", 1)  # warm the OS file cache so the baseline is not penalised
    baseline = measure("boto3", args.runs)
    base_s = float(baseline["seconds"])
    print(
        f"baseline: import boto3  {base_s * 1000:7.1f} ms  rss {baseline['rss_mb']:.0f} MB  modules {baseline['modules']}"
    )
    goal_of = goals()
    over: dict[float, list[str]] = {1.2: [], 1.5: []}
    measured: dict[float, int] = {1.2: 0, 1.5: 0}
    if args.against:
        print(f"{'handler':32} {'x boto3':>8} {'before':>8} {'modules':>8} {'before':>8}  heavy modules")
    else:
        print(f"{'handler':32} {'ms':>8} {'x boto3':>8} {'rss MB':>7} {'modules':>8}  heavy modules")
    for module in args.only or handler_modules():
        if args.against:
            try:
                _sample(module, args.against.resolve())
            except subprocess.CalledProcessError:
                base, result = interleaved([("boto3", ROOT), (module, ROOT)], args.runs)
                ratio = float(result["seconds"]) / float(base["seconds"])
                heavy = ", ".join(result["heavy"]) or "-"  # type: ignore[arg-type]
                print(f"{module:32} {ratio:8.2f} {'(new)':>8} {result['modules']:>8} {'-':>8}  {heavy}")
                continue
            base, result, before = interleaved(
                [("boto3", ROOT), (module, ROOT), (module, args.against.resolve())], args.runs
            )
            ratio = float(result["seconds"]) / float(base["seconds"])
            _tally(module, ratio, goal_of, over, measured)
            before_ratio = float(before["seconds"]) / float(base["seconds"])
            heavy = ", ".join(result["heavy"]) or "-"  # type: ignore[arg-type]
            print(
                f"{module:32} {ratio:8.2f} {before_ratio:8.2f} {result['modules']:>8} {before['modules']:>8}  {heavy}"
            )
        else:
            base, result = interleaved([("boto3", ROOT), (module, ROOT)], args.runs)
            ratio = float(result["seconds"]) / float(base["seconds"])
            _tally(module, ratio, goal_of, over, measured)
            heavy = ", ".join(result["heavy"]) or "-"  # type: ignore[arg-type]
            print(
                f"{module:32} {float(result['seconds']) * 1000:8.1f} {ratio:8.2f} {float(result['rss_mb']):7.0f} "
                f"{result['modules']:>8}  {heavy}"
            )

    for goal, names in over.items():
        kind = "read routes and the authorizer" if goal == 1.2 else "other API routes"
        print(
            f"goal {goal}x ({kind}): {measured[goal] - len(names)} of {measured[goal]} met"
            + (f"; over: {', '.join(names)}" if names else "")
        )


def _tally(
    module: str,
    ratio: float,
    goal_of: dict[str, float],
    over: dict[float, list[str]],
    measured: dict[float, int],
) -> None:
    goal = goal_of.get(module)
    if goal is None:
        return
    measured[goal] += 1
    if ratio > goal:
        over[goal].append(f"{module} {ratio:.2f}x")


if __name__ == "__main__":
    main()
