"""DynamoDB round trips of one purchase and one paying webhook, counted by a botocore event hook
(the same measurement as ``python -m bench.roundtrips_payment``)."""

from __future__ import annotations

from payment_support import standins_fixture  # noqa: F401
from support import audit_day

from bench.roundtrips_payment import measure
from local.standins import Standins
from oshi import audit
from oshi.models.orders import Order


def test_purchase_is_one_read_one_transaction_one_update_and_a_webhook_one_read_one_transaction(
    standins: Standins,
) -> None:
    calls = measure(standins.stripe)
    # One batch read, then the reservation, the order AND the caller's rate-limit counter in ONE
    # transaction, and the update that stores the provider's session after it (the provider call needs
    # the order id first and stays outside any transaction). Was 4: the limit was its own UpdateItem.
    assert calls["purchase"] == ["BatchGetItem", "TransactWriteItems", "UpdateItem"]
    # Read the order, then ONE transaction: the event claimed with its outcome, PENDING->PAID, the
    # pending claim freed, the audit entry into the outbox. Was 6 (claim, PAID, claim delete, audit tail
    # query + conditional append, outcome).
    assert calls["webhook"] == ["GetItem", "TransactWriteItems"]
    # The audit entry of the payment is pending until the chainer runs, then chained and verifiable.
    paid = [o for o in Order.scan() if o.status == "PAID"]  # the warm-up's and the measured one
    [day] = audit.pending_days()
    entries = audit_day(day)
    for order in paid:
        assert [e.action for e in entries if e.target == f"order:{order.order_id}"] == ["order.paid"]
    assert len(paid) == 2 and audit.verify_chain(entries) == [] and audit.pending_days() == []
