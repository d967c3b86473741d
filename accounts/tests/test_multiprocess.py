"""Logging out across real server processes sharing the database and Redis: the logout, a plain
HTTP request to one process, closes the sockets that session opened on both within a second."""

import asyncio
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from typing import Any

import pytest
from channels.db import database_sync_to_async
from websockets.exceptions import ConnectionClosed

from metaverse.testing import ServerProcess, need_redis, ws_connect, ws_receive_until

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LIVE_SECONDS = 1.0


@pytest.fixture
def servers(server_factory, demo_worlds):
    need_redis()
    return server_factory(name="accounts-a"), server_factory(name="accounts-b")


def log_out(server: ServerProcess, session: str) -> int:
    """What the page's "Log out" button does: a POST with the CSRF token the pages hand out."""
    page = urllib.request.Request(server.http_url + "/profile/", headers={"Cookie": f"sessionid={session}"})
    with urllib.request.urlopen(page, timeout=10) as response:
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    token = cookies["csrftoken"].value
    logout = urllib.request.Request(
        server.http_url + "/accounts/logout/",
        data=b"",
        method="POST",
        headers={"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token},
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(logout, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


async def test_logging_out_on_one_process_closes_that_sessions_sockets_on_both_within_a_second(
    servers, cookies, opened
):
    a, b = servers
    cookie = await database_sync_to_async(cookies)("alice")
    world = await ws_connect(a, "/ws/world/demo/", cookie)
    opened.append(world)
    await ws_receive_until(world, "welcome")
    chat = await ws_connect(b, "/ws/chat/demo/", cookie)
    opened.append(chat)
    await ws_receive_until(chat, "history")
    signal = await ws_connect(b, "/ws/signal/demo/", cookie)
    opened.append(signal)
    await ws_receive_until(signal, "ready")  # B's replica has alice, whose world socket is on A

    started = time.monotonic()
    assert await asyncio.to_thread(log_out, a, cookie) == 302
    for connection in (world, chat, signal):
        closing = await ws_receive_until(connection, "closing", within=5)
        assert (closing["code"], closing["reason"]) == (4001, "not_authenticated")
        assert closing["message"] == "You logged out."
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(connection.recv(), 5)
        assert connection.close_code == 4001
    elapsed = time.monotonic() - started
    assert elapsed < LIVE_SECONDS, f"closed after {elapsed:.3f}s"
