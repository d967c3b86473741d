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
            while not any(message["type"] == "areas" for message in received):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
        notice, correction, areas = [message for message in received if message["type"] != "tick"]
        assert notice == {"type": "map_changed", "map_url": "/maps/2"}
        assert areas == {"type": "areas", "areas": []}  # where the new map put them: in none
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

    def payloads(data: bytes) -> list[dict]:
        """The messages in one write, frame by frame (unmasked text frames)."""
        found = []
        while data:
            size, start = (data[1], 2) if data[1] < 126 else (int.from_bytes(data[2:4], "big"), 4)
            found.append(json.loads(data[start : start + size]))
            data = data[start + size :]
        return found

    try:
        engine = await hub.attach(record())
        sessions = [
            engine.join(dataclasses.replace(bob(), id=7), sink=sink, close=_ignore, write=written[7].append),
            engine.join(dataclasses.replace(bob(), id=8), sink=sink, close=_ignore, write=written[8].append),
            engine.join(dataclasses.replace(bob(), id=9), sink=sink, close=_ignore),  # no frame writer
        ]
        await hub.deliver(engine, engine.tick(1000))
        # One write per connection per tick: its own messages (who entered its view, its
        # contacts), then the window's moves.
        assert len(written[7]) == len(written[8]) == 1
        first = payloads(written[7][0])
        assert [message["type"] for message in first] == ["tick", "contacts", "tick"]
        assert sorted(entry[0] for entry in first[-1]["moved"]) == [7, 8, 9]
        assert payloads(written[8][0])[-1] == first[-1]
        assert json.loads(texts[-1]) == first[-1]  # 9 gets the same moves as text, through its sink
        for session in sessions:
            engine.move(session, x=5.0, y=4.5, direction="right", moving=True, seq=1, now=session.last_move + 0.5)
        await hub.deliver(engine, engine.tick(1050))
        # Nothing of their own this time: the one frame, the very same bytes for both.
        assert written[7][1] is written[8][1]
        assert [entry[1] for entry in payloads(written[7][1])[0]["moved"]] == [5.0, 5.0, 5.0]
    finally:
        await hub.shutdown()
        await bus.stop()
