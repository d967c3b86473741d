"""The hub on a real Redis channel layer, as two server processes use it."""

import asyncio
import contextlib

from django.conf import settings

from metaverse.bus import Bus
from metaverse.layers import RedisChannelLayer
from metaverse.testing import need_redis
from world.engine.hub import Hub
from world.engine.records import WorldRecord
from world.engine.state import PlayerState
from world.engine.store import MemoryStore
from world.tests.maps import room_map


async def _ignore(*args: object) -> None:
    return None


def record() -> WorldRecord:
    return WorldRecord(
        id=9_001, slug="hub-redis", name="Hub on Redis", capacity=10, guests_allowed=True,
        map_json=room_map(), map_version="1", map_url="/m",
    )  # fmt: skip


def player(player_id: int, x: float) -> PlayerState:
    return PlayerState(id=player_id, x=x, y=2.5, dir="down", name=f"P{player_id}", avatar="", avatar_url="", status="")


async def test_hubs_hear_each_other_while_sockets_wait_on_the_same_layer():
    need_redis()
    layers = [RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"]) for _ in range(2)]
    buses = [Bus(layer, None) for layer in layers]
    hubs = [Hub(bus, MemoryStore(), tick_hz=20, save_seconds=3600) for bus in buses]
    # An open socket on the first process, waiting for its messages the way every consumer does,
    # and idle for longer than redis-py's default read timeout.
    waiting = asyncio.ensure_future(layers[0].receive(await layers[0].new_channel()))
    try:
        first, second = [await hub.attach(record()) for hub in hubs]
        first.join(player(1, 2.5), sink=_ignore, close=_ignore)
        await asyncio.sleep(6)
        second.join(player(2, 3.5), sink=_ignore, close=_ignore)
        async with asyncio.timeout(3):
            while set(first.players) != {1, 2} or set(second.players) != {1, 2}:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        assert not waiting.done()
    finally:
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        for hub in hubs:
            await hub.shutdown()
        for bus in buses:
            await bus.stop()
        await layers[0].flush()
