"""AWS clients, created on first use (so tests can start moto first) and reused across invocations.

Endpoints come from botocore's own configuration: on the local stack ``AWS_ENDPOINT_URL`` points every
client (PynamoDB's too) at the moto server; on AWS it is unset.

boto3 itself is imported with the first client, not with this module: many modules import ``client`` for a
path a handler may never take (the public catalogue never calls it), and ``import boto3`` (with
s3transfer) is ~0.3x of a handler's import (docs/performance.md §1). A handler that needs a client on its
first request pays it there, or before the snapshot with SnapStart (``_prime`` below).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from oshi.kernel import snapstart
from oshi.kernel.settings import get_settings

if TYPE_CHECKING:
    import boto3

_RETRIES = {"mode": "standard", "max_attempts": 3}


@cache
def _session() -> boto3.session.Session:
    """One session for the process: its loader parses each service's JSON model once (~0.2 s each), so
    clients rebuilt after ``reset_clients`` (every test) do not pay that again."""
    import boto3

    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    config = Config(retries=_RETRIES, connect_timeout=3, read_timeout=10)
    return _session().client(service, region_name=get_settings().region, config=config)


def reset_clients() -> None:
    """Drop cached clients (tests that start a fresh moto, the local stack after changing endpoints)."""
    client.cache_clear()


def _prime() -> None:
    """SnapStart: build the function's clients before the snapshot (botocore parses each service's model
    on first use, ~0.1-0.2 s). Which services: ``snapstart_prime``, set per function from its IAM needs."""
    from botocore.session import get_session

    known = set(get_session().get_available_services())
    for service in sorted(get_settings().snapstart_primes & known):
        client(service)


snapstart.register("aws-clients", _prime)
