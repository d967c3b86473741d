"""The hub on the Redis channel layer, with two layers standing in for two server processes."""

import asyncio
import contextlib

from channels_redis.core import RedisChannelLayer
from django.conf import settings

from metaverse.testing import need_redis
from world.engine.hub import Hub, WorldRecord
from world.engine.state import PlayerState
from world.tests.maps import room_map


async def _ignore(*args: object) -> None:
    return None


async def test_the_hub_hears_other_processes_while_sockets_of_its_own_wait_for_messages():
    need_redis()
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    here, there = RedisChannelLayer(**config), RedisChannelLayer(**config)
    idle_socket = asyncio.ensure_future(here.receive(await here.new_channel()))  # a quiet consumer here
    record = WorldRecord(
        id=424242, slug="hub-test", name="Hub test", capacity=10, guests_allowed=True,
        map_json=room_map(), map_version="1", map_url="/m",
    )  # fmt: skip
    hub_here, hub_there = (Hub(layer, tick_hz=20, save_seconds=3600) for layer in (here, there))
    try:
        engine_here = await hub_here.attach(record)
        engine_there = await hub_there.attach(record)
        player = PlayerState(id=7, name="Bob", avatar="", avatar_url="", status="available", x=2.5, y=2.5)
        engine_there.join(player, sink=_ignore, close=_ignore)
        async with asyncio.timeout(3):
            while 7 not in engine_here.players:  # noqa: ASYNC110 - the replica has no event to wait on
                await asyncio.sleep(0.05)
    finally:
        idle_socket.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await idle_socket
        for hub in (hub_here, hub_there):
            await hub.shutdown()
        for layer in (here, there):
            await layer.close_pools()
