"""Small messages read where the server reads them (metaverse/inbound.py): the frame reader on its
own, then a real server process fed frames the way a network delivers them (several in one
read, one cut across two, in fragments, not UTF-8), whose answers come in the order sent."""

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from websockets.frames import Frame, Opcode

from conftest import open_socket, receive_until
from metaverse import inbound
from metaverse.inbound import AutobahnChanged, InlineSlot, small_text_frames
from metaverse.testing import ws_connect, ws_receive_until
from world.engine.mapdata import MapData
from world.walking import neighbours, tile_of, tiles_within, walk_to


def frame(text: str | bytes, *, opcode: Opcode = Opcode.TEXT, fin: bool = True, mask: bool = True) -> bytes:
    """A frame as a client writes it: masked (RFC 6455 5.3), with a random key."""
    payload = text.encode() if isinstance(text, str) else text
    return Frame(opcode, payload, fin=fin).serialize(mask=mask, extensions=[])


def test_small_text_frames_are_read_with_their_text_and_what_they_took():
    first, second = '{"type": "move", "x": 1.5}', '{"type": "ping", "t": 1, "note": "café ☕"}'
    data = frame(first) + frame(second)
    assert small_text_frames(data) == ([first, second], len(data))


@pytest.mark.parametrize("size", [1, 3, 4, 5, 124, 125])
def test_every_small_length_unmasks_exactly(size):
    text = ("abcdé" * 40).encode()[:size].decode(errors="ignore")  # a cut "é" is dropped
    text += "z" * (size - len(text.encode()))  # `size` bytes of UTF-8
    assert small_text_frames(frame(text)) == ([text], 6 + size)


@pytest.mark.parametrize(
    "left",
    [
        frame("x" * 126),  # a longer length field: autobahn's
        frame(""),  # empty
        frame("half", fin=False) + frame(" of it", opcode=Opcode.CONT),  # fragments
        frame(b"\x00\x01", opcode=Opcode.BINARY),
        frame(b"", opcode=Opcode.PING),
        frame("unmasked", mask=False),  # forbidden from a client: autobahn fails the connection
        frame(b"\xed\xa0\x80"),  # a surrogate: not UTF-8 (autobahn closes with 1007)
    ],
    ids=["126 bytes", "empty", "fragments", "binary", "ping", "unmasked", "not UTF-8"],
)
def test_whatever_is_not_a_small_text_frame_is_left_with_everything_after_it(left):
    before, after = frame('{"n": 1}'), frame('{"n": 2}')
    assert small_text_frames(before + left + after) == (['{"n": 1}'], len(before))


def test_a_frame_cut_off_at_the_end_of_a_read_waits_for_the_rest():
    whole, cut = frame('{"n": 1}'), frame('{"n": 2}')
    for end in range(len(cut)):
        assert small_text_frames(whole + cut[:end]) == (['{"n": 1}'], len(whole))


# --- a real server -----------------------------------------------------------------------------


async def messages_until(socket: Any, done: Any, *, within: float = 5.0) -> list[dict[str, Any]]:
    """Every message up to and including the first for which `done` is true."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(within):
        while not seen or not done(seen[-1]):
            seen.append(json.loads(await socket.recv()))
    return seen


def move(point: tuple[float, float], seq: int) -> str:
    return json.dumps({"type": "move", "x": point[0], "y": point[1], "dir": "up", "moving": True, "seq": seq})


@pytest.mark.django_db(transaction=True)
@pytest.mark.multiprocess
async def test_messages_read_together_cut_or_in_fragments_are_handled_in_the_order_sent(
    server_factory, demo_worlds, cookies, opened
):
    server = server_factory(name="inbound")
    alice = await ws_connect(server, "/ws/world/demo/", await database_sync_to_async(cookies)("alice"))
    opened.append(alice)
    you = (await ws_receive_until(alice, "welcome"))["you"]
    bob = await ws_connect(server, "/ws/world/demo/", await database_sync_to_async(cookies)("bob"))
    opened.append(bob)
    await ws_receive_until(bob, "welcome")
    mapdata = MapData(demo_worlds["demo"].map_json)
    start = tile_of((you["x"], you["y"]))
    # Quarter-tile steps: four at once are within the speed check's allowance for a burst.
    goal = tiles_within(mapdata, start, minimum=4, maximum=5)[0]
    path = walk_to(mapdata, (you["x"], you["y"]), goal, step=0.25)
    assert len(path) >= 6
    write = alice.transport.write

    # Several messages in one read: moves go straight to the world, the ping and the bad move
    # wait in the queue, and a move behind them waits too: each answer in the order sent.
    write(
        frame(move(path[0], 1))
        + frame(move(path[1], 2))
        + frame('{"type": "ping", "t": 7}')
        + frame(move(path[2], 3))
        + frame('{"type": "move", "x": "north"}')
        + frame(move(path[3], 4))
        + frame(move(path[3], 4))  # the same seq again: refused, in words
    )
    answers = await messages_until(alice, lambda m: m["type"] == "error" and m["code"] == "stale_seq")
    said = [(m["type"], m.get("code")) for m in answers if m["type"] in {"pong", "error", "correction"}]
    assert said == [("pong", None), ("error", "invalid"), ("error", "stale_seq")]

    # A frame cut across two reads, a message in fragments, and a move the map refuses.
    await asyncio.sleep(0.2)
    cut = frame(move(path[4], 5))
    write(cut[:5])
    await asyncio.sleep(0.05)
    write(cut[5:] + frame(move(path[5], 6)[:20], fin=False) + frame(move(path[5], 6)[20:], opcode=Opcode.CONT))
    write(frame(move((-3.0, -3.0), 7)) + frame('{"type": "ping", "t": 8}'))
    answers = await messages_until(alice, lambda m: m["type"] == "pong")
    corrections = [m for m in answers if m["type"] == "correction"]
    assert [(m["reason"], m["seq"]) for m in corrections] == [("out_of_bounds", 7)]
    assert (corrections[0]["x"], corrections[0]["y"]) == path[5]  # back where the sixth move put her
    assert not [m for m in answers if m["type"] == "error"]

    # Bob saw every accepted move, the last where it was sent.
    last = await ws_receive_until(bob, "tick", where=lambda m: any(e[0] == you["id"] and e[5] == 6 for e in m["moved"]))
    entry = next(e for e in last["moved"] if e[0] == you["id"])
    assert (entry[1], entry[2]) == path[5]


@pytest.mark.django_db(transaction=True)
@pytest.mark.multiprocess
async def test_a_small_frame_that_is_not_utf8_closes_with_1007_and_the_server_goes_on(
    server_factory, demo_worlds, cookies, opened
):
    server = server_factory(name="inbound-utf8")
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await ws_connect(server, "/ws/world/demo/", cookie)
    opened.append(alice)
    you = (await ws_receive_until(alice, "welcome"))["you"]
    alice.transport.write(frame(b'{"type": "move", "x": "\xed\xa0\x80"}'))
    async with asyncio.timeout(5):
        await alice.wait_closed()
    assert alice.close_code == 1007

    again = await ws_connect(server, "/ws/world/demo/", cookie)
    opened.append(again)
    assert (await ws_receive_until(again, "welcome"))["you"]["id"] == you["id"]
    mapdata = MapData(demo_worlds["demo"].map_json)
    step = next(neighbours(mapdata, tile_of((you["x"], you["y"]))))
    await again.send(move((step[0] + 0.5, step[1] + 0.5), 1_000))
    await again.send('{"type": "ping", "t": 2}')
    answers = await messages_until(again, lambda m: m["type"] == "pong")
    assert not [m for m in answers if m["type"] in {"error", "correction"}]


@pytest.mark.django_db(transaction=True)
async def test_the_world_socket_applies_moves_offered_as_read_and_leaves_the_rest_to_its_queue(
    demo_worlds, cookies, sockets
):
    slot = InlineSlot()
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"), inline=slot)
    sockets.opened.append(alice)
    you = (await receive_until(alice, "welcome"))["you"]
    bob, _ = await sockets.world(await database_sync_to_async(cookies)("bob"))
    offer = slot.handler
    assert offer is not None  # offered once the welcome is out
    mapdata = MapData(demo_worlds["demo"].map_json)
    step = next(neighbours(mapdata, tile_of((you["x"], you["y"]))))
    there = (step[0] + 0.5, step[1] + 0.5)

    assert offer(move(there, 1)) is True  # applied, nothing to say
    seen = await receive_until(bob, "tick", where=lambda m: any(e[0] == you["id"] for e in m.get("moved", [])))
    assert [(e[1], e[2], e[5]) for e in seen["moved"] if e[0] == you["id"]] == [(*there, 1)]

    assert offer('{"type": "ping", "t": 5}') is False  # not a move: the queue answers it
    assert offer('{"type": "move", "x": 1}') is False  # refused in words, by the queue
    assert offer(move((-4.0, -4.0), 2)) is True  # applied (refused by the map): its correction follows
    correction = await receive_until(alice, "correction")
    assert (correction["reason"], correction["seq"], correction["x"], correction["y"]) == ("out_of_bounds", 2, *there)

    alice.input_queue.put_nowait({"type": "websocket.receive", "text": '{"type": "ping", "t": 6}'})
    assert offer(move(there, 3)) is False  # something is queued before it: it waits its turn
    assert (await receive_until(alice, "pong"))["t"] == 6

    await alice.disconnect()
    assert slot.handler is None


def test_the_server_offers_each_small_text_to_the_socket_and_hands_the_rest_to_autobahn(monkeypatch):
    from autobahn.websocket.protocol import WebSocketProtocol

    from metaverse.serving import ReasonedWebSocketProtocol

    to_autobahn: list[bytes] = []
    monkeypatch.setattr(WebSocketProtocol, "_dataReceived", lambda self, data: to_autobahn.append(data))
    protocol = ReasonedWebSocketProtocol.__new__(ReasonedWebSocketProtocol)  # no connection: just its state
    protocol.__dict__.update(
        state=protocol.STATE_OPEN, data=b"", current_frame=None, inside_message=False, _perMessageCompress=None,
        logOctets=False, logFrames=False, trackedTimings=None, autoPingTimeoutCall=None, muted=False,
        last_ping=0.0, application_queue=asyncio.Queue(), inline=InlineSlot(), reads_inline=True,
    )  # fmt: skip
    offered: list[str] = []

    def take_moves(text: str) -> bool:
        offered.append(text)
        return "move" in text

    protocol.inline.handler = take_moves
    big = frame('{"type": "move", "pad": "' + "x" * 200 + '"}')
    protocol._dataReceived(frame('{"type": "move"}') + frame('{"type": "ping"}') + big + frame('{"type": "move"}'))

    assert offered == ['{"type": "move"}', '{"type": "ping"}']  # the ping was refused: queued
    assert protocol.application_queue.get_nowait() == {"type": "websocket.receive", "text": '{"type": "ping"}'}
    assert len(to_autobahn) == 1  # the big frame and all after it (masks are random: read it back)
    assert to_autobahn[0].startswith(big)
    assert small_text_frames(to_autobahn[0][len(big) :])[0] == ['{"type": "move"}']
    assert protocol.last_ping > 0

    protocol.data = b"\x81"  # autobahn holds part of a frame: everything goes to it, in order
    protocol._dataReceived(frame('{"type": "move"}'))
    assert len(to_autobahn) == 2
    assert offered == ['{"type": "move"}', '{"type": "ping"}']


def test_this_autobahn_and_daphne_have_everything_the_reader_relies_on():
    assert inbound.missing_attributes() == []
    inbound.check()


def test_start_up_stops_when_an_upgrade_took_away_what_the_reader_relies_on(monkeypatch):
    monkeypatch.setattr(inbound, "RELIED_ON", (*inbound.RELIED_ON, "_frameBuffer"))  # as if renamed to it
    assert inbound.missing_attributes() == ["_frameBuffer"]
    with pytest.raises(AutobahnChanged, match=r"_frameBuffer.*FAST_SOCKET_READS=0"):
        inbound.check()


@pytest.mark.django_db(transaction=True)
async def test_a_move_that_fails_inline_is_logged_once_and_answered_with_a_typed_error(
    demo_worlds, cookies, sockets, monkeypatch, caplog
):
    from world.engine.engine import WorldEngine

    slot = InlineSlot()
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"), inline=slot)
    sockets.opened.append(alice)
    you = (await receive_until(alice, "welcome"))["you"]
    await alice.send_to(text_data='{"type": "ping", "t": 2}')  # answered once its arrival is over
    await receive_until(alice, "pong")
    assert slot.handler is not None

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the engine")

    monkeypatch.setattr(WorldEngine, "move", broken)
    assert slot.handler(move((you["x"], you["y"]), 1)) is True  # handled: not run a second time
    error = await receive_until(alice, "error")
    assert error["code"] == "internal_error"
    assert [r.message for r in caplog.records if "read inline failed" in r.message] == [
        "WorldConsumer: a message read inline failed"
    ]
    await alice.send_to(text_data='{"type": "ping", "t": 3}')  # the socket goes on
    assert (await receive_until(alice, "pong"))["t"] == 3
