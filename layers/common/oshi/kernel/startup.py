"""The end of a Lambda's init: garbage collection resumes (``oshi/__init__.py`` paused it while modules load).

``resume`` freezes what init allocated (modules, classes, clients: they live as long as the process) so no
later collection walks it again, then collects as usual. ``Logger.inject_lambda_context``, the outermost
decorator of every handler of ours, calls it on the first invocation; SnapStart's priming calls it before
the snapshot.
"""

from __future__ import annotations

import functools
import gc
from typing import Any

from aws_lambda_powertools.logging import Logger as PowertoolsLogger

import oshi


def resume() -> None:
    if oshi.COLLECTION_PAUSED:
        oshi.COLLECTION_PAUSED = False
        gc.freeze()
        gc.enable()


class Logger(PowertoolsLogger):
    """Powertools' Logger whose ``inject_lambda_context`` also ends the init when the handler first runs."""

    def inject_lambda_context(self, lambda_handler: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if lambda_handler is None:  # used as @logger.inject_lambda_context(clear_state=True)
            return functools.partial(self.inject_lambda_context, **kwargs)
        handler = super().inject_lambda_context(lambda_handler, **kwargs)

        @functools.wraps(handler)
        def run(event: Any, context: Any) -> Any:
            resume()
            return handler(event, context)

        run.ends_init = True  # type: ignore[attr-defined]
        return run
