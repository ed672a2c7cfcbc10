"""Every event on the bus is declared, published by its declared producer through its declaration, consumed
with its model, and documented (docs/events.md is what `make events` generates); event ids and the wire
format are what they were before the declarations existed (consumers dedupe on the ids)."""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from local.events_doc import render
from oshi.events import definitions
from oshi.events.definitions import (
    EVENTS,
    GACHA_COMPLETED,
    GACHA_CREATED,
    GACHA_PUBLISHED,
    GACHA_SUSPENDED,
    ORDER_REFUNDED,
    PAYMENT_COMPLETED,
    PAYMENT_MISMATCH,
    RATE_ANOMALY,
    AnomalousPrize,
    DrawnPrize,
    EventDefinition,
    EventShapeMismatch,
    GachaChangedData,
    GachaCompletedData,
    GachaSuspendedData,
    OrderRefundedData,
    PaymentCompletedData,
    PaymentMismatchData,
    PaymentTerms,
    RateAnomalyData,
)
from oshi.web import topology

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "events.md"
OSHI = ROOT / "layers" / "common" / "oshi"
FUNCTIONS = ROOT / "functions"
CONSTANTS = {id(v): k for k, v in vars(definitions).items() if isinstance(v, EventDefinition)}


def test_committed_events_doc_matches_the_declarations() -> None:
    assert DOC.read_text() == render(), "docs/events.md is stale: run `make events`"


def test_every_declared_event_is_documented_with_its_fields_producer_and_consumers() -> None:
    document = render()
    for detail_type, definition in EVENTS.items():
        assert f"## {detail_type}\n" in document
        assert f"- producer: `{definition.producer}`" in document
        for name in definition.data.model_fields:
            assert f"| `{name}` |" in document
    for consumer in topology.CONSUMERS:
        assert f"-> `{consumer.handler}`" in document


def test_every_detail_type_in_the_topology_is_declared() -> None:
    used = {
        t for consumer in (*topology.CONSUMERS, topology.UPLOAD_VALIDATION) for t in consumer.detail_types
    }
    assert used, "the topology routes events"
    assert used <= set(EVENTS), f"undeclared: {sorted(used - set(EVENTS))}"


def test_every_declaration_has_a_constant_and_a_detail_type_of_its_own() -> None:
    assert {id(d) for d in EVENTS.values()} == set(CONSTANTS)
    assert all(key == d.detail_type for key, d in EVENTS.items())
    with pytest.raises(ValueError, match="declared twice"):
        definitions.declare(
            "PaymentCompleted", "PaymentCompletedData", producer="x", description="x", event_id="x"
        )


def _module_path(module: str) -> Path:
    return OSHI.joinpath(*module.split(".")[1:]).with_suffix(".py")


def _names(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


def _calls(tree: ast.AST) -> set[str]:
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return called


@pytest.mark.parametrize("detail_type", sorted(EVENTS))
def test_each_declared_event_is_published_by_its_producer(detail_type: str) -> None:
    definition = EVENTS[detail_type]
    path = _module_path(definition.producer)
    assert path.exists(), f"{detail_type}: producer {definition.producer} is not a module"
    importlib.import_module(definition.producer)
    tree = ast.parse(path.read_text())
    assert CONSTANTS[id(definition)] in _names(tree), f"{definition.producer} never names {detail_type}"
    called = _calls(tree)
    built = {"event", "event_from_json"} & called
    assert built and "publish" in called, f"{definition.producer} does not build and publish events"


def _sources() -> list[Path]:
    return sorted([*OSHI.rglob("*.py"), *FUNCTIONS.rglob("*.py")])


def test_events_are_only_built_from_declarations_and_read_with_their_models() -> None:
    """No ``Event(...)`` by hand (an undeclared, undocumented event) and no raw ``parse_detail`` outside
    the events package: producers call ``DEFINITION.event``, consumers ``DEFINITION.parse``."""
    allowed = {OSHI / "events" / "bus.py", OSHI / "events" / "definitions.py"}
    offenders = []
    for path in _sources():
        if path in allowed:
            continue
        called = _calls(ast.parse(path.read_text()))
        offenders += [f"{path.relative_to(ROOT)}: {name}" for name in {"Event", "parse_detail"} & called]
    assert offenders == []


def test_consumers_read_what_the_topology_sends_them() -> None:
    import gacha.notify

    by_handler = {c.handler: c for c in topology.CONSUMERS}
    assert by_handler["gacha.fulfil"].detail_types == (PAYMENT_COMPLETED.detail_type,)
    assert set(by_handler["gacha.notify"].detail_types) == set(gacha.notify.NOTIFIED)
    for consumer in topology.CONSUMERS:
        source = (FUNCTIONS / Path(*consumer.handler.split("."))).with_suffix(".py").read_text()
        tree = ast.parse(source)
        assert "parse" in _calls(tree), f"{consumer.handler} does not parse events with their models"
        for detail_type in consumer.detail_types:
            assert CONSTANTS[id(EVENTS[detail_type])] in _names(tree), (consumer.handler, detail_type)


# --- the wire: same ids, same bytes ---------------------------------------------------------------------------

STARTS = datetime(2026, 1, 1, tzinfo=UTC)
ENDS = datetime(2026, 2, 1, 12, 30, tzinfo=UTC)


def _gacha() -> GachaChangedData:
    return GachaChangedData(
        gacha_id="g1",
        vtuber_id="v1",
        status="published",
        starts_at=STARTS,
        ends_at=ENDS,
        prize_count=5,
        rate_table_version=2,
        rate_table_hash="ab" * 32,
    )


def test_event_ids_are_derived_as_before() -> None:
    paid = PaymentCompletedData(
        order_id="o1", fan_id="f1", gacha_id="g1", vtuber_id="v1", count=10, amount=3000, provider="stripe"
    )
    assert PAYMENT_COMPLETED.event(paid).event_id == "payment-completed-o1"
    completed = GachaCompletedData(
        order_id="o1", fan_id="f1", gacha_id="g1", vtuber_id="v1", count=1, results=[]
    )
    assert GACHA_COMPLETED.event(completed).event_id == "gacha-completed-o1"
    refunded = OrderRefundedData(
        order_id="o1",
        fan_id="f1",
        gacha_id="g1",
        vtuber_id="v1",
        amount=300,
        provider="komoju",
        reason="r",
        medals_clawed_back=1,
        medals_unrecovered=0,
    )
    assert ORDER_REFUNDED.event(refunded).event_id == "order-refunded-o1"
    mismatch = PaymentMismatchData(
        order_id="o1", provider="stripe", event="stripe:evt_1", reason="unknown_order"
    )
    assert (
        PAYMENT_MISMATCH.event(mismatch).event_id == "paymentmismatch-stripe:evt_1"
    )  # was detail_type.lower()
    assert GACHA_CREATED.event(_gacha(), version=3).event_id == "GachaCreated:g1:3"
    assert GACHA_PUBLISHED.event(_gacha(), version=4).event_id == "GachaPublished:g1:4"
    suspended = GachaSuspendedData(gacha_id="g1", vtuber_id="v1", reason="r")
    assert GACHA_SUSPENDED.event(suspended, version=5).event_id == "GachaSuspended:g1:5"
    anomaly = RateAnomalyData(gacha_id="g1", draws=10_999, prizes=[])
    assert RATE_ANOMALY.event(anomaly, thousands=10_999 // 1000).event_id == "rate-anomaly-g1-10"


def test_data_keeps_its_wire_shape() -> None:
    event = GACHA_CREATED.event(_gacha(), correlation_id="req-1", version=1)
    assert json.dumps(event.data, separators=(",", ":")) == (
        '{"gacha_id":"g1","vtuber_id":"v1","status":"published","starts_at":"2026-01-01T00:00:00+00:00",'
        '"ends_at":"2026-02-01T12:30:00+00:00","prize_count":5,"rate_table_version":2,'
        f'"rate_table_hash":"{"ab" * 32}"}}'
    )  # datetimes as isoformat() (+00:00), as the hand-written dict had them
    assert event.correlation_id == "req-1"
    completed = GachaCompletedData(
        order_id="o1",
        fan_id="f1",
        gacha_id="g1",
        vtuber_id="v1",
        count=1,
        results=[DrawnPrize(prize_id="p01", name="A", rarity="N")],
    )
    assert list(GACHA_COMPLETED.event(completed).data) == [
        "order_id",
        "fan_id",
        "gacha_id",
        "vtuber_id",
        "count",
        "results",
    ]
    # optional fields are on the wire only when the producer sets them (as the **kwargs dict had it)
    late = PaymentMismatchData(
        order_id="o1", provider="stripe", event="stripe:e", reason="late_payment", refund="refunded"
    )
    assert PAYMENT_MISMATCH.event(late).data == {
        "order_id": "o1",
        "provider": "stripe",
        "event": "stripe:e",
        "reason": "late_payment",
        "refund": "refunded",
    }


def test_publishing_refuses_undeclared_fields_other_models_and_missing_id_parts() -> None:
    with pytest.raises(TypeError, match="undeclared fields"):
        GACHA_SUSPENDED.event(GachaSuspendedData(gacha_id="g", vtuber_id="v", reason="r", extra=1), version=1)
    with pytest.raises(TypeError, match="carries GachaSuspendedData"):
        GACHA_SUSPENDED.event(_gacha(), version=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="event id parts"):
        GACHA_SUSPENDED.event(GachaSuspendedData(gacha_id="g", vtuber_id="v", reason="r"))
    with pytest.raises(ValidationError):
        RateAnomalyData(gacha_id="g", draws="many", prizes=[])  # type: ignore[arg-type]


def test_consumers_parse_what_producers_publish_and_tolerate_new_fields() -> None:
    data = RateAnomalyData(
        gacha_id="g1", draws=2000, prizes=[AnomalousPrize(prize_id="p05", stated_ppm=100, drawn=50)]
    )
    event = RATE_ANOMALY.event(data, correlation_id="c", thousands=2)
    received = RATE_ANOMALY.parse(json.loads(json.dumps(event.detail())))
    assert received.data == data
    assert received.metadata.event_id == "rate-anomaly-g1-2" and received.metadata.correlation_id == "c"
    newer = {**event.detail(), "data": {**event.data, "added_later": True}}
    assert RATE_ANOMALY.parse(newer).data.model_extra == {"added_later": True}
    with pytest.raises(ValidationError):
        RATE_ANOMALY.parse({"metadata": {"event_id": "e"}, "data": {"gacha_id": "g1"}})
    with pytest.raises(KeyError):
        RATE_ANOMALY.parse({"data": {}})  # not an envelope


# --- data built in JSON form (no pydantic at run time) ------------------------------------------------------


def test_each_constant_is_typed_with_the_model_it_declares() -> None:
    """The declarations name their model as a string (no pydantic here); the constant's annotation says it
    for the type checker: they must agree."""
    annotations = definitions.__annotations__
    for constant, definition in ((CONSTANTS[id(d)], d) for d in EVENTS.values()):
        assert annotations[constant] == f"EventDefinition[{definition.data_model}]", constant
        assert definition.data.__name__ == definition.data_model


def test_the_models_are_still_importable_from_the_definitions() -> None:
    from oshi.events import payloads

    assert definitions.PaymentCompletedData is payloads.PaymentCompletedData
    assert definitions.Metadata is payloads.Metadata
    with pytest.raises(AttributeError):
        definitions.NoSuchModel  # noqa: B018


MISMATCH = PaymentMismatchData(
    order_id="o1",
    provider="komoju",
    event="komoju:k1",
    reason="amount_mismatch",
    expected=PaymentTerms(amount=300, currency="JPY", provider="komoju"),
    received=PaymentTerms(amount=None, currency=None, provider="komoju"),
    refund="due",
)
MISMATCH_JSON: dict[str, Any] = {
    "order_id": "o1",
    "provider": "komoju",
    "event": "komoju:k1",
    "reason": "amount_mismatch",
    "expected": {"amount": 300, "currency": "JPY", "provider": "komoju"},
    "received": {"amount": None, "currency": None, "provider": "komoju"},
    "refund": "due",
}
PAID_JSON: dict[str, Any] = {
    "order_id": "o1",
    "fan_id": "f1",
    "gacha_id": "g1",
    "vtuber_id": "v1",
    "count": 10,
    "amount": 3000,
    "provider": "stripe",
}


@pytest.mark.parametrize(
    ("definition", "model", "data", "id_parts"),
    [
        (PAYMENT_COMPLETED, PaymentCompletedData(**PAID_JSON), PAID_JSON, {}),
        (PAYMENT_MISMATCH, MISMATCH, MISMATCH_JSON, {}),
        (
            PAYMENT_MISMATCH,
            PaymentMismatchData(order_id="o1", provider="s", event="s:e", reason="unknown_order"),
            {"order_id": "o1", "provider": "s", "event": "s:e", "reason": "unknown_order"},
            {},
        ),
        (
            GACHA_CREATED,
            _gacha(),
            {**_gacha().model_dump(), "starts_at": STARTS.isoformat(), "ends_at": ENDS.isoformat()},
            {"version": 3},
        ),
    ],
    ids=["paid", "mismatch", "unknown order", "datetimes and id parts"],
)
def test_data_built_in_json_form_goes_on_the_wire_as_the_model_puts_it(
    definition: EventDefinition[Any], model: Any, data: dict[str, Any], id_parts: dict[str, Any]
) -> None:
    built = definition.event_from_json(dict(data), correlation_id="c1", **id_parts)
    modelled = definition.event(model, correlation_id="c1", **id_parts)
    assert json.dumps(built.data, separators=(",", ":")) == json.dumps(modelled.data, separators=(",", ":"))
    assert (built.detail_type, built.event_id, built.correlation_id) == (
        modelled.detail_type,
        modelled.event_id,
        modelled.correlation_id,
    )
    now = datetime.now(UTC)
    assert built.detail(now) == modelled.detail(now)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({**PAID_JSON, "count": "10"}, EventShapeMismatch),  # the model would send 10
        ({"fan_id": "f1", **PAID_JSON}, EventShapeMismatch),  # same fields, not the model's order
        ({**PAID_JSON, "note": "x"}, EventShapeMismatch),  # undeclared
        ({k: v for k, v in PAID_JSON.items() if k != "fan_id"}, ValidationError),  # required
        ({**PAID_JSON, "amount": None}, ValidationError),
    ],
    ids=["a string for an int", "field order", "undeclared field", "missing field", "null"],
)
def test_data_built_in_json_form_that_the_model_would_send_otherwise_is_refused(
    data: dict[str, Any], problem: type[Exception]
) -> None:
    assert definitions.checking(), "tests/conftest.py sets OSHI_CHECK_RESPONSES=1"
    with pytest.raises(problem):
        PAYMENT_COMPLETED.event_from_json(data)


def test_datetimes_built_in_json_form_are_checked_to_the_byte() -> None:
    data = {**_gacha().model_dump(), "starts_at": "2026-01-01T00:00:00Z", "ends_at": ENDS.isoformat()}
    with pytest.raises(EventShapeMismatch, match="starts_at"):
        GACHA_CREATED.event_from_json(data, version=1)  # pydantic's "Z", not isoformat()'s "+00:00"
    with pytest.raises(TypeError, match="event id parts"):
        GACHA_CREATED.event_from_json({**data, "starts_at": STARTS.isoformat()})


def test_data_built_in_json_form_is_not_checked_outside_the_tests_and_loads_no_pydantic() -> None:
    probe = (
        "import json, sys\n"
        "from oshi.events.definitions import PAYMENT_COMPLETED\n"
        "import oshi.web.topology\n"
        f"event = PAYMENT_COMPLETED.event_from_json({{**{PAID_JSON!r}, 'count': '10'}})\n"
        "print(json.dumps([event.event_id, event.data['count'], 'pydantic' in sys.modules]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "OSHI_CHECK_RESPONSES"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "layers" / "common"), str(FUNCTIONS)])
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == ["payment-completed-o1", "10", False]  # as given: not validated


@pytest.mark.parametrize("handler", ["payment.sweep", "gacha.ws_connect", "gacha.ws_disconnect"])
def test_handlers_that_neither_publish_nor_read_events_do_not_import_pydantic(handler: str) -> None:
    """The payload models are pydantic: only what builds (with a model) or reads events pays for them."""
    probe = f"import sys, {handler}; print(json.dumps('pydantic' in sys.modules))"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "common"), str(FUNCTIONS)]),
        "OSHI_STAGE": "dev",
        "AWS_REGION": "ap-northeast-1",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import json; {probe}"], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) is False
