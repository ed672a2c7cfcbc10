"""Schedule: erase the accounts whose deletion grace period (30 days) has passed (``oshi.identity.erasure``
says what goes and what stays). Idempotent: an erased account leaves the sparse index."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oshi.identity import accounts, erasure
from oshi.kernel.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    erased = skipped = 0
    for user in erasure.due(accounts.DELETION_GRACE_SECONDS):
        if erasure.erase(user) is None:
            skipped += 1
        else:
            erased += 1
    logger.info("account eraser", extra={"erased": erased, "skipped": skipped})
    return {"erased": erased, "skipped": skipped}
