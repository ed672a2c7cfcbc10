"""DynamoDB round trips of one purchase and one paying webhook, counted by a botocore event hook
(the same measurement as ``python -m bench.roundtrips_payment``)."""

from __future__ import annotations

from payment_support import standins_fixture  # noqa: F401

from bench.roundtrips_payment import measure
from local.standins import Standins


def test_purchase_is_a_rate_limit_one_read_one_transaction_one_update_and_a_webhook_six_calls(
    standins: Standins,
) -> None:
    calls = measure(standins.stripe)
    # The per-caller rate limit (one conditional ADD, before the body is read), then the reservation and
    # the order in ONE transaction with one batch read before it, and the update that stores the
    # provider's session after it (the provider call needs the order id first).
    assert calls["purchase"] == ["UpdateItem", "BatchGetItem", "TransactWriteItems", "UpdateItem"]
    # Claim the event, PENDING->PAID (returns the order), free the pending claim, audit (tail read +
    # conditional append), record the outcome once the publish succeeded.
    assert calls["webhook"] == ["PutItem", "UpdateItem", "DeleteItem", "Query", "PutItem", "UpdateItem"]
