"""Where a handler's parameter comes from: ``Annotated[int, Query(ge=1)]``, ``Path``, ``Header``, ``Body``.

Light markers that only keep their keyword arguments (the ones pydantic's ``Field`` takes, plus ``embed``
for ``Body`` and ``convert_underscores`` for ``Header``). ``oshi.web.binding`` reads them at run time to
validate with pydantic; ``oshi.web.powertools`` turns them into Powertools' own markers when the OpenAPI
document is generated. Importing Powertools' markers instead would load its whole ``event_handler`` package
(every resolver) at each cold start.
"""

from __future__ import annotations

from typing import Any


class Param:
    location = ""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.kwargs.items())})"


class Query(Param):
    location = "query"


class Path(Param):
    location = "path"


class Header(Param):
    location = "header"


class Body(Param):
    location = "body"
