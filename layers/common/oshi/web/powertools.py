"""An ``Endpoint`` as a Powertools REST resolver, for the OpenAPI document only (``oshi.web.openapi``).

Handlers use our light markers and ``Response`` (``oshi.web.params``, ``oshi.web.response``); Powertools'
schema generator knows its own. Here the handler's signature is rewritten with Powertools' markers (same
keyword arguments, same defaults) and ``Response[Model]`` with Powertools' ``Response``, so the document
is the one Powertools always generated. Importing this module loads Powertools' ``event_handler``: it is
never imported by a handler at run time.
"""

from __future__ import annotations

import functools
import inspect
import typing
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler import Response as PowertoolsResponse
from aws_lambda_powertools.event_handler.openapi import params as powertools_params

from oshi.web import params, shapes
from oshi.web.response import Response

if TYPE_CHECKING:
    from oshi.web.api import Endpoint

MARKERS: dict[type[params.Param], Any] = {
    params.Query: powertools_params.Query,
    params.Path: powertools_params.Path,
    params.Header: powertools_params.Header,
    params.Body: powertools_params.Body,
}


def translate(annotation: Any) -> Any:
    """Our markers and Response in an annotation, as Powertools' (anything else unchanged)."""
    if get_origin(annotation) is Annotated:
        inner, *extras = get_args(annotation)
        marked = [MARKERS[type(x)](**x.kwargs) if isinstance(x, params.Param) else x for x in extras]
        return Annotated[(translate(inner), *marked)]
    if annotation is Response:
        return PowertoolsResponse
    if get_origin(annotation) is Response:
        return PowertoolsResponse[get_args(annotation)]  # type: ignore[misc]
    return annotation


def powertools_signature(fn: Any, names: dict[str, Any] | None = None) -> inspect.Signature:
    """``names``: the models a handler imports for the type checker only (``Endpoint.body_model``)."""
    hints = typing.get_type_hints(fn, localns=names, include_extras=True)
    signature = inspect.signature(fn)
    parameters = [
        parameter.replace(annotation=translate(hints[name])) if name in hints else parameter
        for name, parameter in signature.parameters.items()
    ]
    if "return" in hints:
        return signature.replace(parameters=parameters, return_annotation=translate(hints["return"]))
    return signature.replace(parameters=parameters)


def resolver(endpoint: Endpoint) -> APIGatewayRestResolver:
    fn = endpoint.fn
    assert fn is not None, f"{endpoint.route.handler}: no @endpoint handler"

    @functools.wraps(fn)
    def documented(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    names = {}
    if endpoint.body_model is not None:
        model = shapes.resolve(endpoint.body_model)
        names[model.__name__] = model
    documented.__signature__ = powertools_signature(fn, names)  # type: ignore[attr-defined]
    route = endpoint.route
    app = APIGatewayRestResolver(enable_validation=True)
    app.route(
        route.powertools_path,
        route.method,
        summary=route.summary,
        tags=list(route.tags) or None,
        responses=(
            {
                200: {
                    "description": "Success",
                    "content": {"application/json": {"model": shapes.resolve(endpoint.response_model)}},
                }
            }
            if endpoint.response_model is not None
            else None
        ),
    )(documented)
    return app
