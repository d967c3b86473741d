"""The load generator's WebSocket client against a real WebSocket server (the `websockets` library)."""

import asyncio
import struct

import pytest
from websockets.asyncio.server import serve

from tools.loadtest.wsclient import OP_TEXT, WebSocketClient, WebSocketError, mask_frame, now_us


async def echo(connection):
    async for message in connection:
        if message == "fragments":
            await connection.send(["one ", "two ", "three"])  # a fragmented message
        elif message == "big":
            await connection.send("x" * 70_000)  # a 64-bit length
        elif message == "medium":
            await connection.send("y" * 300)  # a 16-bit length
        elif message == "close":
            await connection.close(4010, "kicked")
        else:
            await connection.send(f"echo {message}")


@pytest.fixture
async def server():
    async with serve(echo, "127.0.0.1", 0, ping_interval=None) as running:
        port = running.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ws/world/demo/?entry=hall"


async def test_handshake_text_and_frame_lengths(server):
    client = await WebSocketClient.connect(server, headers={"Origin": "http://127.0.0.1"})
    for text, expected in [("héllo", "echo héllo"), ("fragments", "one two three"), ("medium", "y" * 300),
                           ("big", "x" * 70_000)]:  # fmt: skip
        assert client.send_text(text)
        assert await asyncio.wait_for(client.recv(), 5) == expected
    await client.close()
    assert client.closed.result() == 1000
    assert not client.send_text("too late")


async def test_messages_reach_the_handler_with_the_time_they_were_read(server):
    client = await WebSocketClient.connect(server, headers={})
    client.send_text("first")
    await asyncio.sleep(0.2)
    got: list[tuple[str, int]] = []
    client.listen(lambda text, read_at: got.append((text, read_at)))  # the waiting one is handed over
    before = now_us()
    client.send_text("second")
    for _ in range(50):
        if len(got) == 2:
            break
        await asyncio.sleep(0.02)
    assert [text for text, _ in got] == ["echo first", "echo second"]
    assert before <= got[1][1] <= now_us()
    await client.close()


async def test_a_server_close_gives_its_code_and_recv_fails(server):
    client = await WebSocketClient.connect(server, headers={})
    client.send_text("close")
    assert await asyncio.wait_for(asyncio.shield(client.closed), 5) == 4010
    with pytest.raises(WebSocketError, match="4010"):
        await client.recv()


async def test_a_refused_upgrade_is_a_clear_error():
    async def refuse(connection, request):
        return connection.respond(403, "no\n")

    async with serve(echo, "127.0.0.1", 0, process_request=refuse) as running:
        port = running.sockets[0].getsockname()[1]
        with pytest.raises(WebSocketError, match=r"refused the WebSocket: HTTP/1\.1 403"):
            await WebSocketClient.connect(f"ws://127.0.0.1:{port}/", headers={})


def test_client_frames_are_masked_and_unmask_to_the_payload():
    payload = "move ✓".encode()
    frame = mask_frame(OP_TEXT, payload)
    assert frame[0] == 0x81
    assert frame[1] == 0x80 | len(payload)
    mask = frame[2:6]
    assert bytes(b ^ mask[i % 4] for i, b in enumerate(frame[6:])) == payload
    long_frame = mask_frame(OP_TEXT, b"z" * 1000)
    assert long_frame[1] == 0x80 | 126
    assert struct.unpack("!H", long_frame[2:4])[0] == 1000


async def test_it_answers_a_servers_pings():
    # The `websockets` server pings; an unanswered ping would close the connection.
    async def pinging(connection):
        pong = await connection.ping()
        await asyncio.wait_for(pong, 5)
        await connection.send("ponged")

    async with serve(pinging, "127.0.0.1", 0) as running:
        port = running.sockets[0].getsockname()[1]
        client = await WebSocketClient.connect(f"ws://127.0.0.1:{port}/", headers={})
        assert await asyncio.wait_for(client.recv(), 5) == "ponged"
        await client.close()
