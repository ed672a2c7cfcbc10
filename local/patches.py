"""A module's patches of a library, installed for the duration of a block (tests), the one way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def installed(install: Callable[[], None], uninstall: Callable[[], None], active: bool) -> Iterator[None]:
    """Patched for the duration; an ``install()`` made before (``active``) stays in place after."""
    install()
    try:
        yield
    finally:
        if not active:
            uninstall()
