"""The route table: every HTTP endpoint, declared once.

The CDK stack (one Lambda per route, authorizer on non-public routes, throttling), the local gateway
(matching, 404/405, authorizer) and the OpenAPI document are all generated from ``ROUTES``. A handler
module finds its own route here by its module name, so its path and method are never written twice.

This module must stay import-light: the authorizer and the CDK app both read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class Role(StrEnum):
    FAN = "fan"
    VTUBER = "vtuber"
    ADMIN = "admin"


class Access(StrEnum):
    PUBLIC = "public"  # no token; the authorizer is not attached
    SIGNED_IN = "signed_in"  # any valid access token, further limited by ``roles``


@dataclass(frozen=True)
class Throttle:
    rate_per_second: float
    burst: int


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway style: /api/gachas/{gacha_id}
    handler: str  # module under functions/, e.g. "auth.me"; the Lambda handler is "<module>.handler"
    summary: str
    access: Access = Access.SIGNED_IN
    roles: frozenset[Role] = frozenset({Role.FAN, Role.VTUBER, Role.ADMIN})
    mfa: bool = False  # the token must show MFA (amr contains "mfa")
    throttle: Throttle | None = None  # tighter than the stage default
    timeout_seconds: int = 10
    memory_mb: int = 512
    tags: tuple[str, ...] = field(default=())

    @property
    def is_public(self) -> bool:
        return self.access is Access.PUBLIC

    @property
    def function_id(self) -> str:
        """A stable identifier for the route's Lambda function (CDK construct id, log names)."""
        return "".join(part.capitalize() for part in re.split(r"[._]", self.handler))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(
            r"\{(\w+)\+?\}", r"(?P<\1>[^/]+)", re.escape(self.path).replace(r"\{", "{").replace(r"\}", "}")
        )
        return re.compile(f"^{regex}$")

    @property
    def powertools_path(self) -> str:
        """Powertools resolvers write path parameters as <name>."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


ANYONE = frozenset({Role.FAN, Role.VTUBER, Role.ADMIN})

ROUTES: tuple[Route, ...] = (
    Route(
        "GET", "/api/health", "system.health", "Liveness of the API", access=Access.PUBLIC, tags=("system",)
    ),
    Route(
        "GET",
        "/api/openapi.json",
        "system.openapi",
        "This API's OpenAPI document",
        access=Access.PUBLIC,
        tags=("system",),
    ),
    Route("GET", "/api/me", "auth.me", "The caller's profile and roles", tags=("auth",)),
)

# Consumers and the authorizer are functions too, but not routes.
AUTHORIZER_HANDLER = "auth.authorizer"


def route_for_handler(module_name: str) -> Route:
    for route in ROUTES:
        if route.handler == module_name:
            return route
    raise LookupError(f"no route is served by handler module {module_name!r}; add it to oshi.routes.ROUTES")


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """Find the route for a request: (route, path parameters, path exists with another method)."""
    path_exists = False
    for route in _BY_SPECIFICITY:
        found = route.pattern.match(path)
        if not found:
            continue
        if route.method == method.upper():
            return route, found.groupdict(), True
        path_exists = True
    return None, {}, path_exists


# Literal segments win over parameters, as in API Gateway: /api/gachas/new before /api/gachas/{gacha_id}.
_BY_SPECIFICITY = sorted(ROUTES, key=lambda route: route.path.count("{"))


def resource_paths() -> list[str]:
    """Every distinct resource path, in table order."""
    return list(dict.fromkeys(route.path for route in ROUTES))
