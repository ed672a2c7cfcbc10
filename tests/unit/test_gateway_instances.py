"""The local gateway runs up to N instances of a route's function (local.gateway.FunctionInstances)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.gateway import FunctionInstances

MODULE = "oshi_fake_handler_for_instances"


@pytest.fixture
def fake_handler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / f"{MODULE}.py").write_text("STATE = {'calls': 0}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield MODULE
    sys.modules.pop(MODULE, None)


def test_instances_are_separate_copies_and_the_first_is_the_imported_module(fake_handler: str) -> None:
    pool = FunctionInstances(fake_handler, limit=2)
    with pool.instance() as first, pool.instance() as second:
        assert first is sys.modules[fake_handler]
        assert second is not first and second.__name__ == first.__name__
        second.STATE["calls"] += 1
        assert first.STATE == {"calls": 0}  # module globals are per instance, as per Lambda instance
    with pool.instance() as again:  # an idle instance is reused (warm), not created
        assert again in (first, second)
    assert pool.created == 2


def test_requests_wait_for_a_free_instance_at_the_limit(fake_handler: str) -> None:
    pool = FunctionInstances(fake_handler, limit=1)
    release = threading.Event()
    second_in = threading.Event()

    def hold() -> None:
        with pool.instance():
            release.wait(10)

    def second() -> None:
        with pool.instance():
            second_in.set()

    holder = threading.Thread(target=hold)
    holder.start()
    while pool.created == 0:
        threading.Event().wait(0.01)
    waiter = threading.Thread(target=second)
    waiter.start()
    assert not second_in.wait(0.3)  # the only instance is busy
    release.set()
    assert second_in.wait(10)
    holder.join()
    waiter.join()
    assert pool.created == 1


def test_concurrent_requests_run_at_once_below_the_limit(fake_handler: str) -> None:
    pool = FunctionInstances(fake_handler, limit=3)
    together = threading.Barrier(3, timeout=10)  # breaks (and fails the test) unless all 3 are inside

    def enter() -> None:
        with pool.instance():
            together.wait()

    threads = [threading.Thread(target=enter) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not together.broken and pool.created == 3


def test_a_function_needs_an_instance() -> None:
    with pytest.raises(ValueError):
        FunctionInstances("x", limit=0)
