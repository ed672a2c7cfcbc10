"""The Lambda entry point of every function: ``oshi.kernel.entry.handler`` imports the function's own module
(``OSHI_HANDLER``, e.g. ``gacha.catalogue``, set per function by infra/constructs/functions.py) and hands
Lambda that module's ``handler``. Its one job is to run that import on a roomy interpreter stack.

Why: CPython 3.11-3.13 keep a thread's Python frames in 16 KiB chunks and free a chunk as soon as the first
frame in it returns (python/cpython#142183; fixed in 2026, for 3.14 onwards; Lambda runs ours on 3.12). A
handler's import runs ~140 frames deep; when a loop of calls sits on a chunk's edge (``re`` compiling
urllib3's and botocore's patterns is the big one), every call maps and unmaps a chunk. Measured here: the
same regex compiles 1x-6x slower depending only on the depth they run at, 20-60 ms of a ~200 ms cold start
on whichever handlers' import order put the edge there (docs/performance.md §1, bench/stack_chunks.py).
A frame larger than a chunk makes CPython start a fresh chunk sized for it, and every frame the import
pushes then lands in the room left above it: no edge is crossed until the import returns.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

# Slots of the calling frame: 16,384 x 8 bytes = 128 KiB, so CPython allocates a 256 KiB chunk for it and
# the import gets the other ~128 KiB (it needs a few tens). The unused slots are never written, so their
# pages are never touched, and the chunk is freed when the call returns.
ROOM_SLOTS = 16_384


def on_roomy_stack(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``, called from a frame larger than a chunk."""
    return function(*args)


# A frame's size is its code's co_stacksize plus its locals: a stack larger than the code needs is reserved,
# never read.
on_roomy_stack.__code__ = on_roomy_stack.__code__.replace(co_stacksize=ROOM_SLOTS)


def import_handler(module: str) -> Callable[..., Any]:
    handler: Callable[..., Any] = importlib.import_module(module).handler
    return handler


handler = on_roomy_stack(import_handler, os.environ["OSHI_HANDLER"]) if "OSHI_HANDLER" in os.environ else None
