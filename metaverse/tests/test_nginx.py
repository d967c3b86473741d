"""A real nginx with docker/nginx/site.conf in front of a real server process, as docker-compose
runs them: the client's address and scheme come from nginx alone, sockets and static files work.

nginx connects to the server from 127.0.0.2 (proxy_bind), the server's only trusted proxy, so a
client on 127.0.0.1 connecting straight to the server is not a trusted proxy."""

import asyncio
import http.client
import shutil
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from channels.db import database_sync_to_async
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.models import User
from metaverse.testing import BASE_DIR, NginxProcess, ServerProcess, need, ws_receive_until
from moderation.services import ban_create
from world.models import Presence

pytestmark = [pytest.mark.multiprocess]

FORGED = {"X-Forwarded-For": "192.0.2.1", "X-Forwarded-Proto": "https"}


class Front(NginxProcess):
    def config(self) -> str:
        # nginx's own address toward the server: 127.0.0.2, the one TRUSTED_PROXIES names.
        return super().config().replace("root ", "proxy_bind 127.0.0.2;\n root ", 1)


@pytest.fixture
def front(server_factory, demo_worlds, tmp_path: Path) -> Iterator[tuple[ServerProcess, Front]]:
    need(shutil.which("nginx") is not None, "needs nginx installed (apt-get install nginx)")
    server = server_factory(
        {"TRUSTED_PROXIES": "127.0.0.2", "BEHIND_TLS_PROXY": "1", "SECURE_SSL_REDIRECT": "1"}, name="behind-nginx"
    )
    nginx = Front(tmp_path / "nginx", upstream=server).start()
    yield server, nginx
    nginx.stop()


@pytest.fixture
def loopback_banned(cookies) -> None:
    """gus is banned with the address 127.0.0.1: every connection from it is refused."""
    cookies("gus")
    ban_create(user=User.objects.get(username="gus"), by=None, reason="raid", ip="127.0.0.1")


async def connect(url: str, origin: str, cookie: str, **headers: str) -> Any:
    context = None
    if url.startswith("wss://"):
        context = ssl.create_default_context(cafile=str(headers.pop("cafile")))
    return await websockets.connect(
        url, additional_headers={"Origin": origin, "Cookie": f"sessionid={cookie}", **headers}, ssl=context,
        open_timeout=10,
    )  # fmt: skip


def fetch(port: int, path: str, *, headers: dict[str, str] | None = None, cafile: Path | None = None):
    """One request, redirects not followed: (status, body, headers)."""
    if cafile is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    else:
        context = ssl.create_default_context(cafile=str(cafile))
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


async def refused_with(socket: Any, code: int) -> dict[str, Any]:
    closing = await ws_receive_until(socket, "closing")
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(socket.recv(), 5)
    assert (closing["code"], socket.close_code) == (code, code), closing
    return closing


async def address_of(username: str) -> str:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        presence = await database_sync_to_async(Presence.objects.filter(user__username=username).first)()
        if presence is not None:
            return str(presence.address)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no presence for {username}")


async def test_an_address_ban_holds_through_nginx_whatever_the_client_claims(front, loopback_banned, cookies):
    _, nginx = front
    cookie = await database_sync_to_async(cookies)("alice")
    socket = await connect(f"ws://127.0.0.1:{nginx.port}/ws/world/demo/", nginx.http_url, cookie, **FORGED)
    closing = await refused_with(socket, 4003)
    assert closing["message"].startswith("Connections from your address are banned")


async def test_forwarded_headers_sent_straight_to_the_server_are_not_believed(front, loopback_banned, cookies):
    server, _ = front
    cookie = await database_sync_to_async(cookies)("alice")
    socket = await connect(f"{server.ws_url}/ws/world/demo/", server.http_url, cookie, **FORGED)
    await refused_with(socket, 4003)
    # Nor is its X-Forwarded-Proto: Django still sees plain HTTP and redirects.
    status, _, _ = await asyncio.to_thread(fetch, server.port, "/", headers=FORGED)
    assert status == 301


async def test_sockets_work_through_nginx_with_the_clients_own_address(front, cookies):
    _, nginx = front
    cookie = await database_sync_to_async(cookies)("bob")
    socket = await connect(f"ws://127.0.0.1:{nginx.port}/ws/world/demo/", nginx.http_url, cookie, **FORGED)
    try:
        welcome = await ws_receive_until(socket, "welcome")
        assert welcome["you"]["name"] == "Bob"
        # nginx's X-Forwarded-For, not the client's own nor nginx's address (127.0.0.2).
        assert await address_of("bob") == "127.0.0.1"
    finally:
        await socket.close()


async def test_an_https_page_behind_nginx_opens_its_sockets_and_no_other_origin_does(front, cookies):
    _, nginx = front
    cookie = await database_sync_to_async(cookies)("carol")
    tls = f"wss://127.0.0.1:{nginx.tls_port}/ws/world/demo/"
    socket = await connect(tls, f"https://127.0.0.1:{nginx.tls_port}", cookie, cafile=nginx.certificate)
    try:
        assert (await ws_receive_until(socket, "welcome"))["you"]["name"] == "Carol"
    finally:
        await socket.close()
    for url, origin in [
        (tls, f"http://127.0.0.1:{nginx.tls_port}"),  # the scheme
        (tls, f"https://127.0.0.1:{nginx.port}"),  # the port
        (tls, f"https://localhost:{nginx.tls_port}"),  # the host
        (f"ws://127.0.0.1:{nginx.port}/ws/world/demo/", f"https://127.0.0.1:{nginx.port}"),
    ]:
        with pytest.raises(InvalidStatus) as refused:
            await connect(url, origin, cookie, cafile=nginx.certificate)
        assert refused.value.response.status_code == 403, (url, origin)


async def test_a_server_refuses_origins_of_another_port_or_scheme(front, cookies):
    server, _ = front
    cookie = await database_sync_to_async(cookies)("carol")
    for origin in ("http://127.0.0.1:1", f"https://127.0.0.1:{server.port}", "http://127.0.0.1", "https://127.0.0.1"):
        with pytest.raises(InvalidStatus) as refused:
            await connect(f"{server.ws_url}/ws/world/demo/", origin, cookie)
        assert refused.value.response.status_code == 403, origin


def test_django_sees_the_scheme_nginx_was_reached_by(front):
    _, nginx = front
    status, _, headers = fetch(nginx.port, "/")
    assert (status, headers["Location"]) == (301, f"https://127.0.0.1:{nginx.port}/")
    status, body, _ = fetch(nginx.tls_port, "/", headers=FORGED, cafile=nginx.certificate)
    assert status == 200
    assert b"Demo Campus" in body


def test_nginx_serves_the_static_files_itself(front):
    _, nginx = front
    module = BASE_DIR / "frontend" / "static" / "frontend" / "js" / "main.js"
    served = nginx.static_root / "static" / "frontend" / "js"
    served.mkdir(parents=True)
    shutil.copy(module, served / "main.js")
    shutil.copy(module, served / "main.0123456789ab.js")
    status, body, headers = fetch(nginx.port, "/static/frontend/js/main.js")
    assert (status, body) == (200, module.read_bytes())
    assert headers["Content-Type"] == "application/javascript"
    assert headers["Cache-Control"] == "public, max-age=60"
    status, body, headers = fetch(nginx.port, "/static/frontend/js/main.0123456789ab.js")
    assert (status, headers["Cache-Control"]) == (200, "public, max-age=31536000, immutable")
    # Not there: nginx's 404, not the server's (which would find it with DEBUG on).
    status, _, headers = fetch(nginx.port, "/static/frontend/js/store.js")
    assert status == 404
    assert headers["Server"].startswith("nginx")
