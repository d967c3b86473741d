"""The address a client connects from, read the same way for sockets and HTTP requests, so that
an address ban matches both: IPv4-mapped IPv6 addresses as plain IPv4, anything else (a Unix
socket path) as no address at all.

Behind a proxy listed in TRUSTED_PROXIES, metaverse/proxies.py has already put the client's
address (from X-Forwarded-For) in the ASGI scope, where sockets read it and Django takes
REMOTE_ADDR from."""

import ipaddress
from typing import Any

from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(value: str) -> IPAddress | None:
    """An IP address, IPv4-mapped IPv6 addresses as IPv4; None for anything else."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_normalized(raw: object) -> str | None:
    address = parse_address(str(raw))
    return str(address) if address is not None else None


def scope_address(scope: dict[str, Any]) -> str | None:
    client = scope.get("client")
    return address_normalized(client[0]) if client else None


def request_address(request: HttpRequest) -> str | None:
    raw = request.META.get("REMOTE_ADDR")
    return address_normalized(raw) if raw else None
