"""The browser flow: the refresh token travels in an HttpOnly cookie instead of the JSON body.

A request opts in with ``X-Oshi-Client: web`` (the fan app sends it on every call). Then the sign-in
routes set ``oshi_refresh`` (HttpOnly, Secure, SameSite=Strict, Path=/api/auth) and answer
``refresh_token: null``; refresh and logout read the cookie when the body has no token; logout clears it.

CSRF: a cross-site form cannot send a custom header, and a cross-site ``fetch`` with one needs a CORS
preflight we never grant; on top of that, a request in this mode that carries ``Origin`` must come from
the configured site (``settings.frontend_url``) or from the origin it was sent to (its ``Host``), else
403 ``CSRF_REJECTED``. Without the header the cookie is ignored, so API clients keep the body flow.

The console (VTuber studio, admin) sends ``X-Oshi-Client: console`` from its own origin
(``settings.console_url``) and gets its own cookie, ``oshi_console_refresh``: the console's origin is
refused for the fan cookie, and only the console's origin may use the console cookie. Browsers do not
isolate cookies by port, so locally the console is served on 127.0.0.1 and the fan app on localhost.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from oshi.identity import sessions
from oshi.identity.refresh_tokens import REFRESH_TOKEN_SECONDS
from oshi.kernel.errors import CsrfRejected
from oshi.kernel.settings import get_settings
from oshi.web.api import Endpoint
from oshi.web.response import JsonObject, Response

COOKIE_NAME = "oshi_refresh"
CONSOLE_COOKIE_NAME = "oshi_console_refresh"
COOKIE_PATH = "/api/auth"  # sent to refresh and logout only, never to the rest of the API
CLIENT_HEADER = "X-Oshi-Client"
WEB_CLIENT = "web"
CONSOLE_CLIENT = "console"
MAX_TOKEN_CHARS = 256  # the body field's limit; a longer cookie is not one of ours
# An API client that sends no token in the body gets the same 422 as before the cookie flow existed.
MISSING_TOKEN = {"field": "refresh_token", "message": "Field required", "type": "missing"}


@dataclass(frozen=True)
class WebClient:
    """A request from the fan app (``X-Oshi-Client: web``) that passed the Origin check."""

    cookie_token: str | None  # the refresh token from the client's cookie, if any
    cookie_name: str = COOKIE_NAME  # ``oshi_refresh`` (fan app) or ``oshi_console_refresh`` (console)


def _cookie_value(cookie_header: str | None, name: str) -> str | None:
    for part in (cookie_header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name and value:
            return value
    return None


def _same_origin(parts: SplitResult, url: str) -> bool:
    site = urlsplit(url)
    return (parts.scheme, parts.netloc.lower()) == (site.scheme, site.netloc.lower())


def _origin_allowed(origin: str, host: str | None, *, console: bool = False) -> bool:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    if console:  # the console cookie: the console's own origin, nothing else
        return _same_origin(parts, get_settings().console_url)
    if _same_origin(parts, get_settings().console_url):
        return False  # the console never gets the fan cookie
    site = urlsplit(get_settings().frontend_url)
    if (parts.scheme, parts.netloc.lower()) == (site.scheme, site.netloc.lower()):
        return True
    # Same origin as the request itself: the browser sets Host, a cross-site page cannot choose it.
    return bool(host) and parts.netloc.lower() == (host or "").lower()


def web_client(endpoint: Endpoint) -> WebClient | None:
    """The browser flow's state for this request, or None for an API client (the cookie is ignored)."""
    client = (endpoint.header(CLIENT_HEADER) or "").strip().lower()
    if client not in (WEB_CLIENT, CONSOLE_CLIENT):
        return None
    console = client == CONSOLE_CLIENT
    origin = endpoint.header("Origin")
    if origin is not None and not _origin_allowed(origin, endpoint.header("Host"), console=console):
        raise CsrfRejected(details={"origin": origin[:200]})
    if console and origin is None:
        raise CsrfRejected(details={"origin": None})  # browsers send Origin on every POST
    name = CONSOLE_COOKIE_NAME if console else COOKIE_NAME
    token = _cookie_value(endpoint.header("Cookie"), name)
    return WebClient(
        cookie_token=token if token and len(token) <= MAX_TOKEN_CHARS else None, cookie_name=name
    )


def refresh_cookie(token: str, web: WebClient | None = None) -> Cookie:
    return Cookie(
        web.cookie_name if web else COOKIE_NAME,
        token,
        path=COOKIE_PATH,
        secure=True,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=REFRESH_TOKEN_SECONDS,
    )


def cleared_cookie(web: WebClient | None = None) -> Cookie:
    return Cookie(
        web.cookie_name if web else COOKIE_NAME,
        "",
        path=COOKIE_PATH,
        secure=True,
        http_only=True,
        same_site=SameSite.STRICT_MODE,
        max_age=0,
    )


def json_response(body: JsonObject, cookie: Cookie | None = None) -> Response[JsonObject]:
    """A 200 with a body in JSON form (``auth.bodies``), and the cookie to set if any."""
    return Response(
        status_code=200, content_type="application/json", body=body, cookies=[cookie] if cookie else None
    )


def seen(endpoint: Endpoint) -> sessions.Seen:
    """The client and source IP of this sign-in, for the sessions list (informational: both can lie)."""
    identity = (endpoint.request.raw_event.get("requestContext") or {}).get("identity") or {}
    return sessions.Seen(client=endpoint.header("User-Agent"), ip=identity.get("sourceIp"))
