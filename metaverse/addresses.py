"""The address a client connects from, read the same way for sockets and HTTP requests, so that
an address ban matches both: IPv4-mapped IPv6 addresses as plain IPv4, anything else (a Unix
socket path) as no address at all.

Behind a proxy, daphne's --proxy-headers puts the client's address (from X-Forwarded-For) in the
ASGI scope, where sockets read it and Django takes REMOTE_ADDR from; without a proxy, never
enable it: anyone could claim any address."""

import ipaddress
from typing import Any

from django.http import HttpRequest


def address_normalized(raw: object) -> str | None:
    try:
        ip = ipaddress.ip_address(str(raw).strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


def scope_address(scope: dict[str, Any]) -> str | None:
    client = scope.get("client")
    return address_normalized(client[0]) if client else None


def request_address(request: HttpRequest) -> str | None:
    raw = request.META.get("REMOTE_ADDR")
    return address_normalized(raw) if raw else None
