"""The reported ghosts: a full world of guests who each sent a move with a 400-digit coordinate
stayed full after they had all gone, and turned the next player away with 4005."""

from typing import Any

import pytest

from conftest import make_user, open_socket, receive_until, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

CROWD = 100  # the annex's capacity
HUGE = "9" * 400


@pytest.fixture
def crowd(demo_worlds: dict[str, Any]) -> list[str]:
    assert demo_worlds["annex"].capacity == CROWD
    return [session_cookie(make_user(f"guest{n}", guest=True)) for n in range(CROWD + 1)]


async def test_a_full_world_of_absurd_moves_leaves_no_ghosts(crowd):
    *cookies, newcomer_cookie = crowd
    sockets = []
    for cookie in cookies:
        socket = await open_socket("/ws/world/annex/", cookie=cookie)
        await receive_until(socket, "welcome", timeout=10)
        sockets.append(socket)

    for socket in sockets:
        await socket.send_to(text_data=f'{{"type": "move", "x": {HUGE}, "y": 5}}')
    for socket in sockets:
        error = await receive_until(socket, "error")
        assert error["code"] in ("invalid", "invalid_json")  # beyond 2^53, and beyond any double
        await socket.send_json_to({"type": "ping", "t": 1})  # still open: it answers
        assert (await receive_until(socket, "pong"))["t"] == 1
    for socket in sockets:
        await socket.disconnect()

    newcomer = await open_socket("/ws/world/annex/", cookie=newcomer_cookie)
    first = await newcomer.receive_json_from(timeout=5)
    assert first["type"] == "welcome", first
    assert first["players"] == []
    await newcomer.disconnect()
