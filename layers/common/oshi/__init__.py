"""The oshi gacha platform's common layer: the domain, one package per bounded context.

Packages, lowest first; each imports only itself and those before it (tests/unit/test_package_graph.py):
kernel, models, audit, events, identity, draw, catalogue, rewards, commerce, fulfilment, web.
Imported the same way in tests, in the local stack and on Lambda (where it lives in the shared layer).
Package ``__init__`` modules stay empty so that each handler pays at cold start only for the modules it
uses; heavy libraries are imported lazily where only some callers need them.
"""

import gc as _gc
import os as _os

# A Lambda's init loads ~300-600 modules whose objects live as long as the process: collecting garbage
# while they load is wasted work (~5% of a cold start, bench/cold_start.py). Collection resumes, with all of
# it frozen out of later collections, when the function first runs or before SnapStart's snapshot
# (oshi.kernel.startup). Only on Lambda: tests, the local stack and tools collect as usual.
COLLECTION_PAUSED = bool(_os.environ.get("AWS_LAMBDA_FUNCTION_NAME")) and _gc.isenabled()
if COLLECTION_PAUSED:
    _gc.disable()
