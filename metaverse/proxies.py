"""X-Forwarded-For and X-Forwarded-Proto, believed only from a trusted proxy.

Behind nginx every connection comes from nginx's address; nginx says who the client is in
X-Forwarded-For and how it connected in X-Forwarded-Proto. Anyone can send those headers, so
they count only when the TCP peer is in TRUSTED_PROXIES: then `scope["client"]` becomes the
client's address (which Django's REMOTE_ADDR, the address bans and the presence list all read)
and `scope["scheme"]` the scheme the client used. From anyone else the headers are removed
before the application sees them, so nothing downstream (Django's SECURE_PROXY_SSL_HEADER, a
log line) can believe a forged one.
"""

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from metaverse.addresses import IPAddress, parse_address

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

FORWARDED_FOR = b"x-forwarded-for"
FORWARDED_PROTO = b"x-forwarded-proto"
SCHEMES = {"http": {"http": "http", "https": "https"}, "websocket": {"http": "ws", "https": "wss"}}


def parse_networks(values: Iterable[str]) -> list[IPNetwork]:
    """TRUSTED_PROXIES entries: addresses (a network of one) and networks in CIDR notation."""
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values]


def client_from_forwarded_for(header: str, trusted: list[IPNetwork]) -> IPAddress | None:
    """The right-most address that is not itself a trusted proxy: each proxy appends the address
    it was connected from, so what is left of the first untrusted one may be made up. None when
    that entry is not an address (a proxy that writes nonsense is not believed either)."""
    entries = [entry.strip() for entry in header.split(",") if entry.strip()]
    client: IPAddress | None = None
    for entry in reversed(entries):
        client = parse_address(entry)
        if client is None or not is_trusted(client, trusted):
            return client
    return client  # every hop is a trusted proxy: the furthest one is the client


def is_trusted(address: IPAddress, trusted: list[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


class TrustedProxyMiddleware:
    """ASGI middleware for HTTP and WebSocket scopes; see the module's docstring."""

    def __init__(self, application: Any, trusted: Iterable[str] | None = None) -> None:
        self.application = application
        self.trusted = parse_networks(settings.TRUSTED_PROXIES if trusted is None else trusted)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] in SCHEMES:
            scope = self.resolve(scope)
        return await self.application(scope, receive, send)

    def resolve(self, scope: dict[str, Any]) -> dict[str, Any]:
        headers = list(scope.get("headers") or [])
        forwarded = {name: value for name, value in headers if name in (FORWARDED_FOR, FORWARDED_PROTO)}
        if not forwarded:
            return scope
        others = [(name, value) for name, value in headers if name not in (FORWARDED_FOR, FORWARDED_PROTO)]
        peer = scope.get("client")
        peer_address = parse_address(str(peer[0])) if peer else None
        if peer_address is None or not is_trusted(peer_address, self.trusted):
            return {**scope, "headers": others}
        resolved = dict(scope)
        # Several header lines are one list, in order (RFC 9110 §5.3).
        addresses = ",".join(value.decode("latin-1") for name, value in headers if name == FORWARDED_FOR)
        if addresses and (client := client_from_forwarded_for(addresses, self.trusted)) is not None:
            resolved["client"] = [str(client), 0]
        # The right-most value is the one the nearest proxy, a trusted one, set.
        protos = b",".join(value for name, value in headers if name == FORWARDED_PROTO).decode("latin-1")
        proto = protos.rsplit(",", 1)[-1].strip().lower()
        scheme = SCHEMES[scope["type"]].get(proto)
        if scheme is not None:
            resolved["scheme"] = scheme
            # Django's SECURE_PROXY_SSL_HEADER reads the left-most value: leave it only this one.
            others.append((FORWARDED_PROTO, proto.encode("latin-1")))
        if addresses:
            others.append((FORWARDED_FOR, addresses.encode("latin-1")))
        resolved["headers"] = others
        return resolved
