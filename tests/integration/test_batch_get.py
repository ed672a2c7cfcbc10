"""oshi.kernel.batch: the one BatchGetItem helper (several tables, bounded retries with backoff)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from oshi.kernel import batch
from oshi.kernel.aws import client
from oshi.models.payments import PurchaseClaim, Spending

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def items(aws: None) -> None:
    for period in ("2026-11", "2026-12"):
        Spending("fan-1", period, spent=100, updated_at=NOW).save()
    PurchaseClaim("idem#fan-1#k1", order_id="o1", created_at=NOW, expires_at=NOW + timedelta(days=8)).save()


class Injected:
    """The real client, except that the first ``unprocessed_answers`` calls answer "all unprocessed"."""

    def __init__(self, unprocessed_answers: int) -> None:
        self.left = unprocessed_answers
        self.requests: list[dict[str, Any]] = []

    def batch_get_item(self, *, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(RequestItems)
        if self.left > 0:
            self.left -= 1
            return {"Responses": {}, "UnprocessedKeys": RequestItems}
        return dict(client("dynamodb").batch_get_item(RequestItems=RequestItems))


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(batch.time, "sleep", slept.append)
    return slept


def _inject(monkeypatch: pytest.MonkeyPatch, unprocessed_answers: int) -> Injected:
    fake = Injected(unprocessed_answers)
    monkeypatch.setattr(batch, "client", lambda service: fake)
    return fake


def test_several_tables_in_one_request_missing_keys_absent_duplicates_sent_once(
    items: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _inject(monkeypatch, 0)
    found = batch.get(
        {
            Spending: [
                ("fan-1", "2026-11"),
                ("fan-1", "2026-12"),
                ("fan-1", "2026-12"),
                ("fan-1", "2027-01"),
            ],
            PurchaseClaim: ["idem#fan-1#k1", "idem#fan-1#nope"],
        },
        consistent_read=True,
    )
    assert sorted(s.period for s in found[Spending]) == ["2026-11", "2026-12"]
    assert [c.order_id for c in found[PurchaseClaim]] == ["o1"]
    [request] = fake.requests
    assert len(request[Spending.Meta.table_name]["Keys"]) == 3  # the duplicate once
    assert request[Spending.Meta.table_name]["ConsistentRead"] is True


def test_an_unprocessed_keys_answer_is_retried_after_a_backoff(
    items: None, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    fake = _inject(monkeypatch, 2)
    found = batch.get_many(Spending, [("fan-1", "2026-11"), ("fan-1", "2026-12")])
    assert sorted(s.period for s in found) == ["2026-11", "2026-12"]
    assert len(fake.requests) == 3 and fake.requests[1] == fake.requests[0]  # only what was unprocessed
    assert len(sleeps) == 2 and all(0 <= s <= batch.MAX_DELAY_SECONDS for s in sleeps)


def test_exhausting_the_retries_raises_a_clear_error(
    items: None, monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    fake = _inject(monkeypatch, 1000)
    with pytest.raises(batch.BatchGetIncomplete, match="unprocessed after 5 attempts") as raised:
        batch.get_many(Spending, [("fan-1", "2026-11")])
    assert len(fake.requests) == batch.ATTEMPTS
    assert Spending.Meta.table_name in str(raised.value)
    assert raised.value.unprocessed == fake.requests[-1]
    assert len(sleeps) == batch.ATTEMPTS - 1


def test_more_than_100_keys_are_split_into_requests_of_100(
    items: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _inject(monkeypatch, 0)
    keys = [f"idem#fan-1#k{i}" for i in range(1, 151)]
    found = batch.get_many(PurchaseClaim, keys)
    assert [c.claim_key for c in found] == ["idem#fan-1#k1"]
    assert [len(r[PurchaseClaim.Meta.table_name]["Keys"]) for r in fake.requests] == [100, 50]


def test_nothing_to_read_costs_no_request(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _inject(monkeypatch, 0)
    assert batch.get({Spending: [], PurchaseClaim: []}) == {Spending: [], PurchaseClaim: []}
    assert fake.requests == []


def test_a_model_with_a_range_key_needs_both_keys(aws: None) -> None:
    with pytest.raises(ValueError, match="range key"):
        batch.get_many(Spending, ["fan-1"])
