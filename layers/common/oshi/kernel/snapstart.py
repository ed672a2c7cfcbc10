"""Lambda SnapStart: do the slow first-use work before the snapshot, never anything unique.

With SnapStart on (per stage, ``infra/constructs/functions.py``), Lambda runs a function's init once when a
version is published: it imports the handler module, runs the *before-snapshot* hooks, and snapshots the
memory. Every new execution environment then resumes from that snapshot instead of importing again. What
an import leaves for the first request (botocore loading a service's JSON model for each client, PynamoDB's
per-model client, the JWT keys from Secrets Manager) is done here, in ``prime()``, so it is in the snapshot.

Modules register what they can prime with ``register(name, primer)`` when they are imported; a primer
builds clients and reads configuration, and never creates anything that must be unique: one snapshot is
resumed by many environments, so ids, nonces and random seeds are created per invocation (the draw engine
reads the OS CSPRNG at each draw). ``tests/unit/test_snapstart.py`` imports every handler and fails if one
creates random state or reads the time at import.

Hooks go through ``snapshot_restore_py``, which Lambda's Python managed runtimes ship; where it is absent
(here, the tests, the local stack) nothing is registered with a runtime and ``prime()`` can be called
directly. A primer that fails is logged and skipped: priming only saves time, a snapshot without it is
still correct.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from oshi.kernel import startup

_primers: dict[str, Callable[[], None]] = {}
_restorers: dict[str, Callable[[], None]] = {}
_hooked = False
log = logging.getLogger(__name__)


def register(
    name: str, primer: Callable[[], None], *, after_restore: Callable[[], None] | None = None
) -> None:
    """Run ``primer`` before the snapshot, and ``after_restore`` (if any) in each environment resumed from
    it, before its first request: for what may have changed since (rotated keys). Once per name."""
    global _hooked
    _primers[name] = primer
    if after_restore is not None:
        _restorers[name] = after_restore
    if not _hooked:
        _hooked = True
        try:
            from snapshot_restore_py import register_after_restore, register_before_snapshot
        except ImportError:  # not on Lambda (or an old runtime): prime() stays callable by hand
            return
        register_before_snapshot(prime)
        register_after_restore(restored)


def prime() -> list[str]:
    """Run every registered primer; returns the names that succeeded."""
    done = []
    for name, primer in list(_primers.items()):
        try:
            primer()
        except Exception:
            log.warning("snapstart: priming %s failed", name, exc_info=True)
        else:
            done.append(name)
    startup.resume()  # the snapshot holds a finished init: collection on, init's objects frozen
    return done


def restored() -> None:
    for name, restorer in list(_restorers.items()):
        try:
            restorer()
        except Exception:
            log.warning("snapstart: after-restore %s failed", name, exc_info=True)


def registered() -> list[str]:
    return list(_primers)
