"""Powertools Logger and Metrics, created once for every handler; the X-Ray SDK only when asked for.

The Powertools Tracer imports the X-Ray SDK, which costs ~250 ms of every cold start (bench/cold_start.py).
Lambda's active tracing already records each invocation (init, duration, errors) without the SDK, so the
SDK's per-call subsegments are opt-in: set ``OSHI_TRACE_SDK=true`` on a function to get them (see
docs/decisions.md). ``tracer`` keeps the Tracer's decorator API either way.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from aws_lambda_powertools import Metrics

from oshi.kernel import startup

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "oshi")
METRICS_NAMESPACE = "OshiGacha"

logger = startup.Logger(service=SERVICE)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE)

# Most invocations publish only the cold-start metric; Powertools would warn on each of them.
warnings.filterwarnings("ignore", message="No application metrics to publish")

F = TypeVar("F", bound=Callable[..., Any])


def sdk_tracing_enabled() -> bool:
    return os.environ.get("OSHI_TRACE_SDK", "false").lower() == "true"


@cache
def _powertools_tracer() -> Any:
    from aws_lambda_powertools import Tracer  # imports aws_xray_sdk: only when tracing is on

    return Tracer(service=SERVICE)


class LazyTracer:
    """The subset of the Powertools Tracer the handlers use; a no-op unless SDK tracing is enabled."""

    def capture_lambda_handler(self, **kwargs: Any) -> Callable[[F], F]:
        def decorate(fn: F) -> F:
            if not sdk_tracing_enabled():
                return fn
            wrapped: F = _powertools_tracer().capture_lambda_handler(**kwargs)(fn)
            return wrapped

        return decorate

    def capture_method(self, **kwargs: Any) -> Callable[[F], F]:
        def decorate(fn: F) -> F:
            if not sdk_tracing_enabled():
                return fn
            wrapped: F = _powertools_tracer().capture_method(**kwargs)(fn)
            return wrapped

        return decorate


tracer = LazyTracer()
