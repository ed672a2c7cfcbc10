"""One clock: the domain and the handlers ask ``oshi.kernel.clock`` what time it is, never the system.

Read from the source with ``ast``: no ``datetime.now()``, ``datetime.utcnow()``, ``date.today()`` or
``time.time()`` outside ``oshi/kernel/clock.py``, and no private ``now``/``_now`` helper anywhere else.
Durations use ``time.monotonic``/``time.perf_counter`` (not "now", so not checked). Known exceptions are
listed with their reason; tests/integration/test_one_clock.py shows the rules moving with the clock.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "layers" / "common" / "oshi", ROOT / "functions"]
CLOCK = ROOT / "layers" / "common" / "oshi" / "kernel" / "clock.py"
EXCEPTIONS = {
    # The ULID's 48-bit time prefix only orders ids; it is not a rule (and a frozen test clock would
    # make every id of a test share one millisecond, so their order would be random).
    ("layers/common/oshi/kernel/ids.py", "time.time"),
    # The event envelope's metadata timestamp (owned by the events package; not a business rule).
    ("layers/common/oshi/events/bus.py", "datetime.now"),
    # Stripe's signature tolerance bounds the provider's timestamp against real time, as the stripe
    # library checked it when it did this (the stand-in signs with real time while tests move the clock).
    ("layers/common/oshi/commerce/payments/stripe_adapter.py", "time.time"),
}
FORBIDDEN = {"datetime.now", "datetime.utcnow", "date.today", "time.time", "datetime.today"}


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _python_files() -> list[Path]:
    return sorted(p for source in SOURCES for p in source.rglob("*.py"))


def test_nothing_but_the_clock_reads_the_system_time() -> None:
    found = []
    for path in _python_files():
        if path == CLOCK:
            continue
        relative = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                name = _dotted(node.func)
                if name is None:
                    continue
                short = ".".join(name.split(".")[-2:])  # datetime.datetime.now -> datetime.now
                if short in FORBIDDEN and (relative, short) not in EXCEPTIONS:
                    found.append(f"{relative}:{node.lineno}: {name}()")
    assert found == [], "ask oshi.kernel.clock (now() / utc_now()) instead:\n" + "\n".join(found)


def test_there_is_no_private_copy_of_the_clock() -> None:
    copies = [
        f"{path.relative_to(ROOT)}:{node.lineno}: def {node.name}()"
        for path in _python_files()
        if path != CLOCK
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.FunctionDef) and node.name in {"now", "_now", "utc_now", "_utc_now", "_today"}
    ]
    assert copies == [], "use oshi.kernel.clock.utc_now() instead:\n" + "\n".join(copies)


def test_the_guard_sees_a_bypass() -> None:
    tree = ast.parse("import datetime\nx = datetime.datetime.now(datetime.UTC)\ny = time.time()")
    names = {_dotted(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert {"datetime.datetime.now", "time.time"} <= names
