"""Cold import of the authorizer against `import boto3`, and its warm verify time.

    .venv/bin/python -m bench.auth_cold_start [--runs 5] [--verifications 1000]

1. Cold import: median wall time of `import auth.authorizer` over N fresh interpreters, and of
   `import boto3` measured in the same run (the authorizer needs boto3 for Secrets Manager anyway, so the
   ratio shows what the authorizer adds on top). Also lists heavy modules that came along.
2. Warm verify: in-process against moto, one token verified by the full authorizer handler (header
   parse, ES256 verify, claims, policy built from the route table) N times after a warm-up; the median
   per call, plus `verify_access_token` alone.
Prints figures only; these machines are noisy, compare ratios rather than absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("bcrypt", "pyotp", "stripe", "pydantic", "pynamodb", "aws_xray_sdk", "cryptography", "jwt")
PROBE = """
import sys, time, json
t = time.perf_counter()
import {module}
elapsed = time.perf_counter() - t
print(json.dumps({{"seconds": elapsed, "heavy": sorted(m for m in {heavy!r} if m in sys.modules)}}))
"""


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "common"), str(ROOT / "functions"), str(ROOT)]),
        "OSHI_STAGE": "dev",
        "AWS_REGION": "ap-northeast-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def cold_import(module: str, runs: int) -> tuple[float, list[str]]:
    samples, heavy = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module, heavy=HEAVY)],
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        samples.append(float(result["seconds"]))
        heavy = result["heavy"]
    return statistics.median(samples), heavy


def warm_verify(verifications: int) -> tuple[float, float]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_REGION": "ap-northeast-1",
        "OSHI_STAGE": "test",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }.items():
        os.environ[key] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
    sys.path[:0] = [str(ROOT / "layers" / "common"), str(ROOT / "functions"), str(ROOT)]
    from moto import mock_aws

    with mock_aws():
        import auth.authorizer
        from local.apigw import FakeLambdaContext, token_authorizer_event
        from local.provision import provision
        from oshi.identity import tokens
        from oshi.identity.principal import Caller, Role
        from oshi.kernel.settings import get_settings
        from oshi.web.routes import route_for_handler

        provision(get_settings())
        token = tokens.issue_access_token(
            Caller("bench-user", frozenset({Role.FAN, Role.VTUBER}), mfa=True), amr=["pwd", "mfa"]
        )
        event = token_authorizer_event(f"Bearer {token}", route_for_handler("auth.me"), "/api/me")
        context = FakeLambdaContext(function_name="authorizer")
        for _ in range(50):  # warm: keys loaded and cached, code paths hot
            auth.authorizer.handler(event, context)

        def timed(fn: object, n: int) -> float:
            samples = []
            for _ in range(n):
                start = time.perf_counter()
                fn()  # type: ignore[operator]
                samples.append(time.perf_counter() - start)
            return statistics.median(samples)

        handler_s = timed(lambda: auth.authorizer.handler(event, context), verifications)
        verify_s = timed(lambda: tokens.verify_access_token(token), verifications)
    return handler_s, verify_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--verifications", type=int, default=1000)
    args = parser.parse_args()
    cold_import("boto3", 1)  # warm the OS file cache so the baseline is not penalised
    boto3_s, _ = cold_import("boto3", args.runs)
    authorizer_s, heavy = cold_import("auth.authorizer", args.runs)
    print(f"cold import, median of {args.runs} fresh interpreters:")
    print(f"  import boto3            {boto3_s * 1000:7.1f} ms")
    print(f"  import auth.authorizer  {authorizer_s * 1000:7.1f} ms  ({authorizer_s / boto3_s:.2f}x boto3)")
    print(f"  heavy modules loaded:   {', '.join(heavy) or '-'}")
    handler_s, verify_s = warm_verify(args.verifications)
    print(f"warm, median of {args.verifications}:")
    print(f"  authorizer handler (verify + policy)  {handler_s * 1e6:7.0f} us")
    print(f"  verify_access_token alone             {verify_s * 1e6:7.0f} us")


if __name__ == "__main__":
    main()
