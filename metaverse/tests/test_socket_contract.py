"""What docs/protocol.md promises every client about frames and closes, checked on a real server
(`manage.py serve`) and on the in-process application: byte-counted limits, close frames that
carry the reason, 1009 for a frame over 256 KiB, and control traffic that a flood of bulk
traffic cannot push out."""

import asyncio
import json
import sys

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.exceptions import ConnectionClosed

from chat.services import chat_world_group
from conftest import open_socket, receive_until
from metaverse.layers import DROPPED, RedisChannelLayer
from metaverse.testing import need_redis, ws_connect, ws_receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_limits_count_utf8_bytes_not_characters(demo_worlds, cookies):
    world = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    await receive_until(world, "welcome")
    fits = {"type": "ping", "t": 1, "pad": "é" * 450}  # 450 characters, 900 bytes
    await world.send_to(text_data=json.dumps(fits, ensure_ascii=False))
    assert (await receive_until(world, "pong"))["t"] == 1
    over = {"type": "ping", "t": 2, "pad": "é" * 600}  # 600 characters (under 1024), 1200 bytes
    await world.send_to(text_data=json.dumps(over, ensure_ascii=False))
    error = await receive_until(world, "error")
    assert error["code"] == "too_large"
    await world.disconnect()


@pytest.mark.multiprocess
async def test_a_refusal_says_why_in_the_closing_message_and_in_the_close_frame(server_factory, demo_worlds):
    server = server_factory()
    connection = await ws_connect(server, "/ws/world/demo/")  # no session
    closing = await ws_receive_until(connection, "closing")
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(connection.recv(), 5)
    assert closing["code"] == 4001
    assert (connection.close_code, connection.close_reason) == (4001, "not_authenticated")


@pytest.mark.multiprocess
async def test_a_frame_over_256_kib_is_closed_with_1009(server_factory, demo_worlds, cookies):
    server = server_factory()
    connection = await ws_connect(server, "/ws/chat/demo/", await database_sync_to_async(cookies)("alice"))
    await ws_receive_until(connection, "history")
    await connection.send("x" * (256 * 1024 + 1))
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(connection.recv(), 5)  # nothing is sent back before the close
    assert connection.close_code == 1009


@pytest.mark.multiprocess
@pytest.mark.slow
async def test_a_kick_gets_through_while_a_flood_overflows_the_bulk_layer(server_factory, demo_worlds, cookies):
    """A flood of group messages for alice's chat socket keeps her process's bulk key (capacity 100)
    overflowing: the drops are counted, and a kick from `manage.py kick` (same capacity), which
    travels on the control layer, still closes her sockets."""
    need_redis()
    server = server_factory({"CHANNEL_LAYER_CAPACITY": "100"})
    world = demo_worlds["demo"]
    alice = await ws_connect(server, "/ws/chat/demo/", await database_sync_to_async(cookies)("alice"))
    await ws_receive_until(alice, "history")
    flooder = RedisChannelLayer(**{**settings.CHANNEL_LAYERS["default"]["CONFIG"], "capacity": 100})
    before = DROPPED["chat"]
    kicked = asyncio.Event()

    async def flood() -> None:
        noise = {"type": "flood.noise"}  # a type sockets ignore
        async with asyncio.timeout(20):
            while not kicked.is_set():
                await asyncio.gather(*(flooder.group_send(chat_world_group(world.pk), noise) for _ in range(150)))

    flooding = asyncio.gather(*(flood() for _ in range(2)))
    try:
        await asyncio.sleep(0.3)
        kick = await asyncio.create_subprocess_exec(
            sys.executable, "manage.py", "kick", "alice", "--reason", "testing",
            cwd=settings.BASE_DIR, env=server.env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, errors = await asyncio.wait_for(kick.communicate(), 20)
        assert kick.returncode == 0, errors.decode()
        closing = await ws_receive_until(alice, "closing", within=3)
    finally:
        kicked.set()
        await flooding
        await flooder.close_pools()
    assert closing["code"] == 4010
    assert DROPPED["chat"] > before  # the bulk layer did overflow all along, and said so


@pytest.mark.parametrize(
    ("path", "depth"),
    [("/ws/chat/demo/", 3_000), ("/ws/signal/demo/", 20_000)],  # each under its socket's size limit
)
async def test_deep_nesting_is_refused_and_the_socket_stays_open(demo_worlds, cookies, path, depth):
    """Python's parser recursed into these and raised RecursionError: the socket closed with 1011."""
    cookie = await database_sync_to_async(cookies)("alice")
    world = await open_socket("/ws/world/demo/", cookie=cookie)
    await receive_until(world, "welcome")
    socket = await open_socket(path, cookie=cookie)
    await receive_until(socket, "history" if "chat" in path else "ready")
    await socket.send_to(text_data='{"type": "send", "text": ' + "[" * depth + "]" * depth + "}")
    error = await receive_until(socket, "error")
    assert error["code"] == "invalid_json"
    await socket.send_to(text_data='{"type": "nonsense"}')
    assert (await receive_until(socket, "error"))["code"] == "unknown_type"  # still open, still answering
    await socket.disconnect()
    await world.disconnect()
