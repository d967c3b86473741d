"""X-Forwarded-For and X-Forwarded-Proto count only from TRUSTED_PROXIES (metaverse/proxies.py).
Through a real nginx: test_nginx.py."""

import io
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIRequest

from metaverse.proxies import TrustedProxyMiddleware, client_from_forwarded_for, parse_networks

TRUSTED = parse_networks(["10.0.0.0/8", "fd00::/8", "127.0.0.1"])


@pytest.mark.parametrize(
    ("header", "client"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("192.0.2.1, 10.0.0.2", "192.0.2.1"),  # a second trusted proxy appended its peer
        ("198.51.100.7, 192.0.2.1", "192.0.2.1"),  # what the client claimed, left of its real address
        ("198.51.100.7,192.0.2.1, 10.0.0.9,10.0.0.2", "192.0.2.1"),
        ("10.0.0.3, 10.0.0.2", "10.0.0.3"),  # only proxies: the furthest is the client
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:db8::1, fd00::2", "2001:db8::1"),
        ("192.0.2.1, nonsense", None),  # a proxy that writes nonsense is not believed
        ("", None),
    ],
)
def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy(header, client):
    found = client_from_forwarded_for(header, TRUSTED)
    assert (str(found) if found else None) == client


def resolve(scope: dict[str, Any], trusted: list[str]) -> dict[str, Any]:
    return TrustedProxyMiddleware(None, trusted).resolve(scope)


def http_scope(peer: str, *headers: tuple[bytes, bytes], kind: str = "http") -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": kind, "path": "/", "method": "GET", "query_string": b"", "client": [peer, 41234],
        "headers": [(b"host", b"meet.example.org"), *headers],
    }  # fmt: skip
    if kind == "http":
        scope["scheme"] = "http"
    return scope


def django_request(scope: dict[str, Any]) -> ASGIRequest:
    return ASGIRequest(scope, io.BytesIO())


FORGED = ((b"x-forwarded-for", b"192.0.2.1"), (b"x-forwarded-proto", b"https"))


def test_a_trusted_proxy_sets_the_client_address_and_scheme_django_sees(settings):
    settings.ALLOWED_HOSTS = ["meet.example.org"]
    scope = resolve(http_scope("10.0.0.2", *FORGED), ["10.0.0.0/8"])
    assert scope["client"] == ["192.0.2.1", 0]
    assert scope["scheme"] == "https"
    request = django_request(scope)
    assert request.META["REMOTE_ADDR"] == "192.0.2.1"
    assert request.is_secure()


def test_a_trusted_proxy_sets_the_scheme_of_a_websocket():
    scope = resolve(http_scope("10.0.0.2", *FORGED, kind="websocket"), ["10.0.0.0/8"])
    assert (scope["client"], scope["scheme"]) == (["192.0.2.1", 0], "wss")
    plain = resolve(http_scope("10.0.0.2", (b"x-forwarded-proto", b"http"), kind="websocket"), ["10.0.0.0/8"])
    assert (plain["client"], plain["scheme"]) == (["10.0.0.2", 41234], "ws")


@pytest.mark.parametrize("trusted", [[], ["10.0.0.0/8"]])
def test_forwarded_headers_from_anyone_else_are_ignored_and_removed(settings, trusted):
    """No TRUSTED_PROXIES (the default), or a peer that is not one of them: the headers are
    dropped, so not even Django's SECURE_PROXY_SSL_HEADER can believe them."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["meet.example.org"]
    scope = resolve(http_scope("203.0.113.5", *FORGED), trusted)
    assert scope["client"] == ["203.0.113.5", 41234]
    assert scope["scheme"] == "http"
    request = django_request(scope)
    assert request.META["REMOTE_ADDR"] == "203.0.113.5"
    assert "HTTP_X_FORWARDED_FOR" not in request.META
    assert "HTTP_X_FORWARDED_PROTO" not in request.META
    assert not request.is_secure()


def test_the_nearest_proxys_scheme_counts_and_nonsense_is_ignored(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["meet.example.org"]
    # A client's own "https" in front of what the proxy appended: Django would read the left-most.
    scope = resolve(http_scope("10.0.0.2", (b"x-forwarded-proto", b"https, http")), ["10.0.0.0/8"])
    assert scope["scheme"] == "http"
    assert not django_request(scope).is_secure()
    scope = resolve(http_scope("10.0.0.2", (b"x-forwarded-proto", b"gopher")), ["10.0.0.0/8"])
    assert scope["scheme"] == "http"
    assert "HTTP_X_FORWARDED_PROTO" not in django_request(scope).META


def test_several_forwarded_for_lines_are_one_list():
    headers = ((b"x-forwarded-for", b"198.51.100.7"), (b"x-forwarded-for", b"192.0.2.1"))
    assert resolve(http_scope("10.0.0.2", *headers), ["10.0.0.0/8"])["client"] == ["192.0.2.1", 0]


def test_a_scope_without_forwarded_headers_is_left_alone():
    scope = http_scope("10.0.0.2")
    assert resolve(scope, ["10.0.0.0/8"]) is scope


@pytest.mark.parametrize("args", [["--proxy-headers"], ["--", "--proxy-headers"], ["--", "--proxy-headers-host=X"]])
def test_serve_refuses_daphnes_proxy_headers(args):
    """daphne's --proxy-headers believed the left-most X-Forwarded-For from any peer."""
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="TRUSTED_PROXIES"):
        call_command("serve", "--port", "1", *args)
