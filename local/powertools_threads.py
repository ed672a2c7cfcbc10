"""One ``current_event`` per thread for Powertools' REST resolver, on the local stack and in tests.

Powertools keeps the request being resolved in a class attribute (``BaseRouter.current_event = ...``):
one per process. On Lambda a process serves one request at a time, so that is safe; the local gateway
and the threaded tests run requests side by side in one process, where a handler could read another
request's event (its caller, headers or body). ``install()`` makes that attribute thread-local: a data
descriptor on the class (for ``self.current_event``) and on its metaclass (for the class-level
assignment), so Powertools' own code is unchanged. Local only: nothing under ``layers/`` imports it.
"""

from __future__ import annotations

import threading
from abc import ABCMeta
from typing import Any

from aws_lambda_powertools.event_handler import api_gateway

_events = threading.local()


class _PerThread:
    def __get__(self, obj: object, owner: type | None = None) -> Any:
        try:
            return _events.current
        except AttributeError:
            raise AttributeError("current_event: no request resolved on this thread") from None

    def __set__(self, obj: object, value: Any) -> None:
        _events.current = value


class _RouterMeta(ABCMeta):
    current_event = _PerThread()  # catches ``BaseRouter.current_event = ...``


def install() -> None:
    router = api_gateway.BaseRouter
    if isinstance(router, _RouterMeta):
        return
    type.__setattr__(router, "current_event", _PerThread())  # read by instances (``self.current_event``)
    router.__class__ = _RouterMeta  # type: ignore[method-assign,assignment]  # a metaclass swap, same layout
