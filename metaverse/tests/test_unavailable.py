"""A server whose database cannot be reached answers "try again", never 500: HTTP 503 with
Retry-After, and sockets a `closing` 1013 (the handshake used to fail with HTTP 500:
"'SessionStore' object has no attribute '_session_cache'")."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from websockets.exceptions import ConnectionClosed

from metaverse.testing import free_port, ws_connect, ws_receive_until

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cut_off(server_factory):
    """A real server whose DATABASE_URL points at a port nothing listens on."""
    dead = free_port()
    return server_factory({"DATABASE_URL": f"postgres://postgres@127.0.0.1:{dead}/nothing"}, wait_healthy=False)


async def test_sockets_are_told_to_come_back_later_with_1013(cut_off, cookies):
    cookie = await database_sync_to_async(cookies)("alice")
    for path in ("/ws/world/demo/", "/ws/chat/demo/", "/ws/signal/demo/"):
        connection = await ws_connect(cut_off, path, cookie)
        closing = await ws_receive_until(connection, "closing")
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(connection.recv(), 5)
        assert (closing["code"], closing["reason"]) == (1013, "unavailable")
        assert (connection.close_code, connection.close_reason) == (1013, "unavailable")


def test_pages_and_the_api_answer_503_with_retry_after(cut_off, cookies):
    cookie = {"Cookie": f"sessionid={cookies('alice')}"}
    status, body = cut_off.get("/api/worlds/", cookie)
    assert status == 503
    assert "try again" in json.loads(body)["detail"]
    status, body = cut_off.get("/", cookie)
    assert status == 503
    assert b"try again" in body
    assert "Traceback" not in cut_off.log_tail(200)
