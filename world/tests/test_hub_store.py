"""The hub and the store it is built with (here the in-memory one: no database needed)."""

import asyncio
import dataclasses
import json

from channels.layers import InMemoryChannelLayer

from metaverse.bus import Bus
from metaverse.events import world_group
from world.engine.hub import Hub
from world.engine.records import WorldRecord
from world.engine.state import PlayerState
from world.engine.store import MemoryStore
from world.tests.maps import WALL, room_map

WORLD = 31_337


def record(**fields: object) -> WorldRecord:
    stored = WorldRecord(
        id=WORLD, slug="stored", name="Stored", capacity=10, guests_allowed=True, map_json=room_map(),
        map_version="1", map_url="/maps/1",
    )  # fmt: skip
    return dataclasses.replace(stored, **fields)


def bob(x: float = 4.5, y: float = 4.5) -> PlayerState:
    return PlayerState(id=7, name="Bob", avatar="", avatar_url="", status="available", x=x, y=y)


async def _ignore(*args: object) -> None:
    return None


async def test_a_hub_renews_presence_and_saves_who_moved_into_its_store():
    store = MemoryStore()
    bus = Bus(InMemoryChannelLayer(), None)
    hub = Hub(bus, store, tick_hz=20, save_seconds=3600)
    try:
        engine = await hub.attach(record())
        session = engine.join(bob(), sink=_ignore, close=_ignore)
        await hub.save_now()
        assert store.positions == {(WORLD, 7): (4.5, 4.5, "down")}
        assert store.presence == {(WORLD, 7): hub.server_name}
        store.positions.clear()
        await hub.save_now()  # nobody moved since: presence renewed, no position written
        assert store.positions == {}
        engine.leave(session)
        await hub.save_now()
        assert store.presence == {}
    finally:
        await hub.shutdown()
        await bus.stop()


async def test_a_reimported_map_is_read_from_the_store_and_whoever_stands_in_a_wall_is_moved():
    store = MemoryStore([record()])
    bus = Bus(InMemoryChannelLayer(), None)
    hub = Hub(bus, store, tick_hz=20, save_seconds=3600)
    received: list[dict] = []

    async def sink(text: str) -> None:
        received.append(json.loads(text))

    try:
        engine = await hub.attach(record())
        engine.join(bob(), sink=sink, close=_ignore)
        walled = room_map()
        walled["layers"][3]["data"][4 * 20 + 4] = WALL  # where bob stands
        store.records[WORLD] = record(map_json=walled, map_url="/maps/2")
        await bus.publish(world_group(WORLD), {"type": "sync.map_changed", "world": WORLD})
        async with asyncio.timeout(3):
            while not any(message["type"] == "correction" for message in received):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        notice, correction = [message for message in received if message["type"] != "tick"]
        assert notice == {"type": "map_changed", "map_url": "/maps/2"}
        assert correction["reason"] == "map_changed"
        assert (int(correction["x"]), int(correction["y"])) in {(2, 2), (3, 2)}  # the start tiles
        assert engine.map_url == "/maps/2"
    finally:
        await hub.shutdown()
        await bus.stop()


async def test_a_tick_frame_shared_by_a_window_is_encoded_once_and_written_to_every_connection():
    store = MemoryStore()
    bus = Bus(InMemoryChannelLayer(), None)
    hub = Hub(bus, store, tick_hz=20, save_seconds=3600)
    written: dict[int, list[bytes]] = {7: [], 8: []}
    texts: list[str] = []

    async def sink(text: str) -> None:
        texts.append(text)

    try:
        engine = await hub.attach(record())
        for player_id, write in ((7, written[7].append), (8, written[8].append)):
            player = dataclasses.replace(bob(), id=player_id)
            engine.join(player, sink=sink, close=_ignore, write=write)
        third = dataclasses.replace(bob(), id=9)
        engine.join(third, sink=sink, close=_ignore)  # a connection without a frame writer
        await hub.deliver(engine, engine.tick(1000))
        # 7 and 8: their own messages (who entered their view, their contacts), then the
        # window's moves, as one and the same bytes object.
        assert written[7][-1] is written[8][-1]
        assert all(frame is not written[8][-1] for frame in written[7][:-1])
        frame = written[7][-1]
        moves = json.loads(frame[2:] if frame[1] < 126 else frame[4:])  # after the frame's header
        assert sorted(entry[0] for entry in moves["moved"]) == [7, 8, 9]
        # 9 gets the same moves as text, through its sink.
        assert json.loads(texts[-1]) == moves
    finally:
        await hub.shutdown()
        await bus.stop()
