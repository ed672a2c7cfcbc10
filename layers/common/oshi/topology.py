"""Event topology: which bus events reach which SQS queue and which consumer handler reads it.

Read by the CDK stack (rules, queues, DLQs, alarms, event source mappings) and by the local event pump,
so both wire the same events to the same handlers with the same retry limits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Consumer:
    queue: str  # short queue name; the DLQ is "<queue>-dlq"
    handler: str  # module under functions/, "<module>.handler" on Lambda
    detail_types: tuple[str, ...]
    batch_size: int = 10
    max_receive_count: int = 5  # deliveries before the message moves to the DLQ
    visibility_timeout_seconds: int = 60
    timeout_seconds: int = 30
    memory_mb: int = 512


# Filled in as the services arrive (PaymentCompleted -> fulfilment, GachaCompleted -> notify, ...).
CONSUMERS: tuple[Consumer, ...] = ()
