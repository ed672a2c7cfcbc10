"""The browser flow: the refresh token travels in an HttpOnly cookie instead of the JSON body.

A request opts in with ``X-Oshi-Client: web`` (the fan app sends it on every call). Then the sign-in
routes set ``oshi_refresh`` (HttpOnly, Secure, SameSite=Strict, Path=/api/auth) and answer
``refresh_token: null``; refresh and logout read the cookie when the body has no token; logout clears it.

CSRF: a cross-site form cannot send a custom header, and a cross-site ``fetch`` with one needs a CORS
preflight we never grant; on top of that, a request in this mode that carries ``Origin`` must come from
the configured site (``settings.frontend_url``) or from the origin it was sent to (its ``Host``), else
403 ``CSRF_REJECTED``. Without the header the cookie is ignored, so API clients keep the body flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from pydantic import BaseModel

from oshi.identity import sessions
from oshi.identity.refresh_tokens import REFRESH_TOKEN_SECONDS
from oshi.kernel.errors import CsrfRejected
from oshi.kernel.settings import get_settings
from oshi.web.api import Endpoint

COOKIE_NAME = "oshi_refresh"
COOKIE_PATH = "/api/auth"  # sent to refresh and logout only, never to the rest of the API
CLIENT_HEADER = "X-Oshi-Client"
WEB_CLIENT = "web"
M = TypeVar("M", bound=BaseModel)
MAX_TOKEN_CHARS = 256  # the body field's limit; a longer cookie is not one of ours
# An API client that sends no token in the body gets the same 422 as before the cookie flow existed.
MISSING_TOKEN = {"field": "refresh_token", "message": "Field required", "type": "missing"}


@dataclass(frozen=True)
class WebClient:
    """A request from the fan app (``X-Oshi-Client: web``) that passed the Origin check."""

    cookie_token: str | None  # the refresh token from the ``oshi_refresh`` cookie, if any


def _cookie_value(cookie_header: str | None, name: str) -> str | None:
    for part in (cookie_header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name and value:
            return value
    return None


def _origin_allowed(origin: str, host: str | None) -> bool:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    site = urlsplit(get_settings().frontend_url)
    if (parts.scheme, parts.netloc.lower()) == (site.scheme, site.netloc.lower()):
        return True
    # Same origin as the request itself: the browser sets Host, a cross-site page cannot choose it.
    return bool(host) and parts.netloc.lower() == (host or "").lower()


def web_client(endpoint: Endpoint) -> WebClient | None:
    """The browser flow's state for this request, or None for an API client (the cookie is ignored)."""
    if (endpoint.header(CLIENT_HEADER) or "").strip().lower() != WEB_CLIENT:
        return None
    origin = endpoint.header("Origin")
    if origin is not None and not _origin_allowed(origin, endpoint.header("Host")):
        raise CsrfRejected(details={"origin": origin[:200]})
    token = _cookie_value(endpoint.header("Cookie"), COOKIE_NAME)
    return WebClient(cookie_token=token if token and len(token) <= MAX_TOKEN_CHARS else None)


def refresh_cookie(token: str) -> Cookie:
    return Cookie(
        COOKIE_NAME,
        token,
        path=COOKIE_PATH,
        secure=True,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=REFRESH_TOKEN_SECONDS,
    )


def cleared_cookie() -> Cookie:
    return Cookie(
        COOKIE_NAME,
        "",
        path=COOKIE_PATH,
        secure=True,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=0,
    )


def json_response(body: M, cookie: Cookie | None = None) -> Response[M]:
    return Response(
        status_code=200, content_type="application/json", body=body, cookies=[cookie] if cookie else None
    )


def seen(endpoint: Endpoint) -> sessions.Seen:
    """The client and source IP of this sign-in, for the sessions list (informational: both can lie)."""
    identity = (endpoint.app.current_event.raw_event.get("requestContext") or {}).get("identity") or {}
    return sessions.Seen(client=endpoint.header("User-Agent"), ip=identity.get("sourceIp"))
