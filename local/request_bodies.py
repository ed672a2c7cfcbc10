"""``python -m local.request_bodies``: write the light specs of the handlers' body models
(``oshi/web/request_bodies.json``, read by ``oshi.web.light_bodies``); ``make openapi`` runs it."""

from __future__ import annotations

import importlib
import json
import os


def render() -> str:
    from oshi.web import light_bodies
    from oshi.web.routes import ROUTES

    references = [importlib.import_module(route.handler).endpoint.body_model for route in ROUTES]
    specs = light_bodies.generate([r for r in references if r is not None])
    return json.dumps(specs, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("OSHI_STAGE", "local")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    from oshi.web.light_bodies import SPECS_FILE

    SPECS_FILE.write_text(render())
