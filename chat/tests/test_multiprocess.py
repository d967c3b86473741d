"""Chat across two real server processes sharing PostgreSQL/SQLite and Redis: who hears a message
depends on where the players stand, never on which process their sockets landed on."""

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import ClientConnection, connect

from chat.models import Message
from chat.services import message_hide
from metaverse.testing import need_redis

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def servers(server_factory, people):
    need_redis()
    env = {"CHAT_RATE_BURST": "50"}
    return server_factory(env, name="chat-a"), server_factory(env, name="chat-b")


async def open_ws(server, path: str, cookie: str) -> ClientConnection:
    return await connect(
        server.ws_url + path, additional_headers={"Cookie": f"sessionid={cookie}"}, origin=server.http_url
    )


async def next_of(socket: ClientConnection, kind: str, timeout: float = 5.0, where=lambda message: True) -> dict:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == kind and where(message):
                return message


async def hears_nothing(socket: ClientConnection, seconds: float = 0.5) -> bool:
    try:
        async with asyncio.timeout(seconds):
            message = await socket.recv()
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected: {message!r}")


async def sees_everyone(world_socket: ClientConnection, welcome: dict[str, Any], ids: set[int]) -> None:
    """Wait until this process's replica has the players connected to the other process."""
    seen = {player["id"] for player in welcome["players"]}
    async with asyncio.timeout(10):
        while not ids <= seen:
            message = json.loads(await world_socket.recv())
            seen |= {player["id"] for player in message.get("entered", [])}


async def test_every_scope_reaches_the_right_players_across_two_processes(servers, people):
    a, b = servers
    ids = {name: user.pk for name, user in people.items()}
    opened: list[ClientConnection] = []
    try:
        worlds, chats, welcomes = {}, {}, {}
        for name in ("alice", "bob", "carol", "dave"):
            server = a if name == "alice" else b
            worlds[name] = await open_ws(server, "/ws/world/room/", people.cookie[name])
            opened.append(worlds[name])
            welcomes[name] = await next_of(worlds[name], "welcome")
            chats[name] = await open_ws(server, "/ws/chat/room/", people.cookie[name])
            opened.append(chats[name])
            await next_of(chats[name], "history")
        await sees_everyone(worlds["alice"], welcomes["alice"], {ids["bob"], ids["carol"], ids["dave"]})
        await sees_everyone(worlds["carol"], welcomes["carol"], {ids["alice"]})

        async def alice_says(scope: str, **fields: Any) -> dict:
            await chats["alice"].send(json.dumps({"type": "send", "scope": scope, "text": f"{scope}!", **fields}))
            return (await next_of(chats["alice"], "message"))["message"]

        async def only_these_hear(message: dict, hearers: set[str]) -> None:
            for name in sorted(hearers):
                heard = (await next_of(chats[name], "message"))["message"]
                assert (heard["id"], heard["text"], heard["client_id"]) == (message["id"], message["text"], None)
            for name in sorted({"bob", "carol", "dave"} - hearers):
                assert await hears_nothing(chats[name], 0.3)

        # A's replica puts carol (on B) within chat radius of alice, bob and dave beyond it.
        await only_these_hear(await alice_says("nearby", client_id="n-1"), {"carol"})
        await only_these_hear(await alice_says("zone"), {"bob"})
        await only_these_hear(await alice_says("direct", to=ids["dave"]), {"dave"})
        world_message = await alice_says("world")
        await only_these_hear(world_message, {"bob", "carol", "dave"})

        # And the other way: B's replica has alice (on A) near carol, as well as bob (on B).
        await chats["carol"].send(json.dumps({"type": "send", "scope": "nearby", "text": "hi both"}))
        from_carol = (await next_of(chats["carol"], "message"))["message"]
        for name in ("alice", "bob"):
            assert (await next_of(chats[name], "message"))["message"]["id"] == from_carol["id"]
        assert await hears_nothing(chats["dave"], 0.3)

        # A moderator in a third process (this one) hides a message: both processes' clients drop it.
        message = await database_sync_to_async(Message.objects.get)(pk=world_message["id"])
        await database_sync_to_async(message_hide)(message=message, moderator=None)
        for name in ("alice", "bob", "carol", "dave"):
            assert (await next_of(chats[name], "message_hidden"))["id"] == world_message["id"]
    finally:
        for socket in opened:
            await socket.close()
