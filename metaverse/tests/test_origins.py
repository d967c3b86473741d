"""The WebSocket Origin check compares scheme, host and port (metaverse/origins.py). Through a
real nginx and a real server: test_nginx.py."""

from typing import Any

import pytest
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

from metaverse.origins import OriginValidator


class Accepting(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()


async def handshake(origins: list[bytes], *, host: bytes = b"localhost", scheme: str | None = None) -> bool:
    headers = [(b"host", host), *((b"origin", origin) for origin in origins)]
    communicator = WebsocketCommunicator(OriginValidator(Accepting.as_asgi()), "/ws/world/demo/", headers=headers)
    if scheme:
        communicator.scope["scheme"] = scheme
    connected, _ = await communicator.connect(timeout=3)
    await communicator.disconnect()
    return bool(connected)


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (b"http://localhost", True),
        (b"http://LocalHost:80", True),  # the same origin, spelled out
        (b"http://localhost:8000", False),  # another port
        (b"http://localhost:1", False),
        (b"https://localhost", False),  # another scheme
        (b"http://evil.example", False),  # another host
        (b"http://localhost.evil.example", False),
        (b"null", False),  # a sandboxed frame, a file:// page
        (b"http://localhost/page", False),  # not an origin
        (b"ws://localhost", False),
    ],
)
async def test_only_the_pages_own_origin_may_open_a_socket(settings, origin, accepted):
    settings.CSRF_TRUSTED_ORIGINS = []
    assert await handshake([origin]) is accepted


async def test_no_origin_or_two_are_refused(settings):
    settings.CSRF_TRUSTED_ORIGINS = []
    assert await handshake([]) is False
    assert await handshake([b"http://localhost", b"http://evil.example"]) is False


async def test_the_port_in_the_host_header_counts(settings):
    settings.CSRF_TRUSTED_ORIGINS = []
    assert await handshake([b"http://127.0.0.1:8000"], host=b"127.0.0.1:8000") is True
    assert await handshake([b"http://127.0.0.1"], host=b"127.0.0.1:8000") is False
    assert await handshake([b"http://[::1]:8000"], host=b"[::1]:8000") is True


async def test_a_host_outside_allowed_hosts_has_no_origin_of_its_own(settings):
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.ALLOWED_HOSTS = ["meet.example.org"]
    assert await handshake([b"http://evil.example"], host=b"evil.example") is False
    assert await handshake([b"http://meet.example.org"], host=b"meet.example.org") is True


async def test_a_socket_over_tls_wants_an_https_page(settings):
    settings.CSRF_TRUSTED_ORIGINS = []
    assert await handshake([b"https://localhost"], scheme="wss") is True
    assert await handshake([b"http://localhost"], scheme="wss") is False


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (b"https://meet.example.org", True),
        (b"https://meet.example.org:443", True),
        (b"http://meet.example.org", False),
        (b"https://meet.example.org:8443", False),
        (b"https://a.rooms.example.net", True),
        (b"https://rooms.example.net", True),
        (b"https://evilrooms.example.net", False),
        (b"http://a.rooms.example.net", False),
    ],
)
async def test_csrf_trusted_origins_are_allowed_too(settings, origin, accepted):
    """Pages there may post our forms (Django's CSRF check): they may open sockets too."""
    settings.CSRF_TRUSTED_ORIGINS = ["https://meet.example.org", "https://*.rooms.example.net"]
    assert await handshake([origin]) is accepted


async def test_the_application_refuses_a_foreign_origin_before_anything_else(settings: Any):
    from metaverse.asgi import application

    settings.CSRF_TRUSTED_ORIGINS = []
    for origin in (b"http://localhost:1", b"https://localhost", b"http://evil.example"):
        headers = [(b"host", b"localhost"), (b"origin", origin)]
        communicator = WebsocketCommunicator(application, "/ws/world/demo/", headers=headers)
        connected, _ = await communicator.connect(timeout=3)
        assert not connected, origin
        await communicator.disconnect()
