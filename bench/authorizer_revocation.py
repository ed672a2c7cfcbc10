"""The authorizer's cost with and without the revocation check, per call: time and DynamoDB calls.

    .venv/bin/python -m bench.authorizer_revocation [--calls 500] [--users 50]

In-process moto. ``--calls`` authorizer invocations (each one is an API Gateway policy-cache miss: the
gateway only calls the authorizer when it has no cached policy for the token) spread over ``--users``
users, three ways in the same run:

- baseline: the check switched off (what the authorizer did before revocation existed);
- cold cache: a new container for every call (the worst case: one GetItem per call);
- warm: one container, so its per-user cache (``oshi.identity.revocation.CACHE_SECONDS``) answers
  repeated users without a read.

moto answers in-process, so the milliseconds are the Python cost plus moto's, not DynamoDB's network
round trip (single-digit ms on AWS); the call counts are what carry over.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.dynamodb_calls import count_dynamodb_calls, use_in_process_moto


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args()
    use_in_process_moto()
    from moto import mock_aws

    with mock_aws():
        from local.apigw import FakeLambdaContext, token_authorizer_event
        from local.provision import provision
        from oshi.identity import revocation, tokens
        from oshi.identity.principal import Caller, Role
        from oshi.kernel.aws import reset_clients
        from oshi.kernel.settings import get_settings
        from oshi.web.routes import route_for_handler

        reset_clients()
        tokens.forget_keys()
        provision(get_settings())
        import auth.authorizer as authorizer

        route = route_for_handler("auth.me")
        events = [
            token_authorizer_event(
                "Bearer "
                + tokens.issue_access_token(
                    Caller(f"user-{i % args.users}", frozenset({Role.FAN})), amr=["pwd"]
                ),
                route,
                route.path,
            )
            for i in range(args.calls)
        ]
        context = FakeLambdaContext(function_name="authorizer")
        revocation.revoke_all("user-0", reason=revocation.SIGN_OUT_EVERYWHERE, now=0)  # one marker exists
        authorizer.handler(events[0], context)  # warm imports and keys

        def run(mode: str) -> tuple[float, int]:
            original = revocation.is_revoked
            if mode == "baseline":
                revocation.is_revoked = lambda caller: False  # type: ignore[assignment]
            revocation.forget()
            timings = []
            try:
                with count_dynamodb_calls() as counter:
                    for event in events:
                        if mode == "cold cache":
                            revocation.forget()
                        started = time.perf_counter()
                        authorizer.handler(event, context)
                        timings.append(time.perf_counter() - started)
            finally:
                revocation.is_revoked = original  # type: ignore[assignment]
            return statistics.median(timings) * 1000, counter.total

        results = {mode: run(mode) for mode in ("baseline", "cold cache", "warm")}
        base_ms, _ = results["baseline"]
        print(f"authorizer, {args.calls} calls over {args.users} users (in-process moto)")
        print(f"{'mode':12} {'median ms/call':>15} {'ratio':>6} {'DynamoDB calls':>15} {'per call':>9}")
        for mode, (ms, calls) in results.items():
            print(f"{mode:12} {ms:15.3f} {ms / base_ms:6.2f} {calls:15d} {calls / args.calls:9.3f}")


if __name__ == "__main__":
    main()
