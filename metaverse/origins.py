"""Which pages may open our WebSockets: the Origin check of the handshake.

A browser sends the Origin of the page that opens a socket, and sends the user's cookies with it
whatever that page is: without this check any site could act as the user over a socket
(cross-site WebSocket hijacking). An Origin is accepted when its scheme, host and port are those
of the request itself (the scheme as the client used it, after metaverse/proxies.py, and the
Host header, which must be one of ALLOWED_HOSTS) or of an entry of CSRF_TRUSTED_ORIGINS: the
same rule Django's CSRF check applies to forms. Anything else, or no Origin, is refused before
the handshake completes (HTTP 403).
"""

from typing import Any, NamedTuple
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}
# The page's scheme that goes with the socket's: a page on https opens wss sockets.
PAGE_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


class Origin(NamedTuple):
    scheme: str
    host: str  # lower case, without brackets for IPv6; ".example.org" in a wildcard pattern
    port: int

    def matches(self, pattern: "Origin") -> bool:
        if not pattern.host.startswith("."):
            return self == pattern
        same_port = (self.scheme, self.port) == (pattern.scheme, pattern.port)
        return same_port and is_same_domain(self.host, pattern.host)


def parse_origin(value: str) -> Origin | None:
    """`scheme://host[:port]` with nothing after it, as browsers send it; None for anything else
    (including "null", which sandboxed frames and file:// pages send)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username is not None:
        return None
    return Origin(parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme])


def trusted_origins(values: list[str]) -> list[Origin]:
    """CSRF_TRUSTED_ORIGINS, where `https://*.example.org` stands for the domain's subdomains."""
    patterns = []
    for value in values:
        wildcard = "://*." in value
        origin = parse_origin(value.replace("://*.", "://", 1) if wildcard else value)
        if origin is not None:
            patterns.append(origin._replace(host=f".{origin.host}") if wildcard else origin)
    return patterns


def own_origin(scope: dict[str, Any]) -> Origin | None:
    """The origin of the page this request is for: the scheme the client used and the Host
    header, when that host is one of ALLOWED_HOSTS."""
    hosts = [value for name, value in scope.get("headers") or [] if name == b"host"]
    scheme = PAGE_SCHEMES.get(str(scope.get("scheme") or "ws"))
    if len(hosts) != 1 or scheme is None:
        return None
    origin = parse_origin(f"{scheme}://{hosts[0].decode('latin-1')}")
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:  # as Django's HttpRequest.get_host()
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if origin is None or not validate_host(origin.host if ":" not in origin.host else f"[{origin.host}]", allowed):
        return None
    return origin


def origin_allowed(scope: dict[str, Any]) -> bool:
    values = [value for name, value in scope.get("headers") or [] if name == b"origin"]
    if len(values) != 1:
        return False
    origin = parse_origin(values[0].decode("latin-1"))
    if origin is None:
        return False
    if origin == own_origin(scope):
        return True
    return any(origin.matches(pattern) for pattern in trusted_origins(settings.CSRF_TRUSTED_ORIGINS))


class OriginValidator:
    """ASGI middleware for WebSocket scopes: the handshake of a socket from a page whose origin
    is not allowed is refused (HTTP 403) before anything else runs."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
