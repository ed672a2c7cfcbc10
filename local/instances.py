"""Lambda instances of one function on the local stack: the gateway's routes and the pump's consumers.

An instance serves one invocation at a time (a handler module holds per-invocation state, as it may on
Lambda). The first instance is the module everything else imports; each further one is a fresh copy of the
handler module (its own resolver and module globals: a cold start) that shares the domain modules.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType


class FunctionInstances:
    """One route's function: at most ``limit`` instances, each serving one request at a time."""

    def __init__(self, handler: str, limit: int) -> None:
        if limit < 1:
            raise ValueError("a function needs at least one instance")
        self.handler = handler
        self.limit = limit
        self.created = 0
        self._idle: list[ModuleType] = []
        self._changed = threading.Condition()

    def _new_instance(self) -> ModuleType:
        if self.created == 1:  # the first: the module every other caller imports too
            return importlib.import_module(self.handler)
        spec = importlib.util.find_spec(self.handler)
        assert spec is not None and spec.loader is not None, self.handler
        module = importlib.util.module_from_spec(spec)  # not in sys.modules: a copy of its own
        spec.loader.exec_module(module)
        return module

    @contextmanager
    def instance(self) -> Iterator[ModuleType]:
        with self._changed:
            while not self._idle and self.created >= self.limit:
                self._changed.wait()
            module = self._idle.pop() if self._idle else None
            if module is None:
                self.created += 1
        if module is None:
            try:
                module = self._new_instance()
            except BaseException:
                with self._changed:
                    self.created -= 1
                    self._changed.notify()
                raise
        try:
            yield module
        finally:
            with self._changed:
                self._idle.append(module)
                self._changed.notify()
