"""The Redis channel layer as settings.py configures it."""

import asyncio

import pytest
from channels.exceptions import ChannelFull
from django.conf import settings

from metaverse.layers import DROPPED, RedisChannelLayer
from metaverse.testing import need_redis


async def test_a_socket_idle_for_longer_than_redis_reads_wait_still_gets_its_message():
    need_redis()
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    channel = await layer.new_channel()

    async def later() -> None:
        await asyncio.sleep(6.5)  # channels_redis waits 5 s per read; redis-py used to give up at 5 s
        await layer.send(channel, {"type": "late"})

    sender = asyncio.ensure_future(later())
    try:
        assert await asyncio.wait_for(layer.receive(channel), 10) == {"type": "late"}
    finally:
        await sender
        await layer.flush()


async def test_a_full_bulk_layer_drops_counted_messages_and_leaves_the_control_layer_alone():
    """One process's two layers, as settings.py makes them: when everything waiting for the
    process's sockets reaches the capacity, further messages are dropped, and counted; control
    messages (kicks, world sync) wait in a key of their own and still arrive."""
    need_redis()
    config = {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "capacity": 10}
    bulk = RedisChannelLayer(**config)
    control = RedisChannelLayer(**{**settings.CHANNEL_LAYERS["control"]["CONFIG"], "capacity": 10})
    socket, process = await bulk.new_channel(), await control.new_channel()
    await bulk.group_add("flood.1", socket)
    before = {kind: DROPPED[kind] for kind in ("channel", "flood")}
    try:
        for n in range(10):
            await bulk.send(socket, {"type": "noise", "n": n})
        with pytest.raises(ChannelFull):
            await bulk.send(socket, {"type": "noise", "n": 10})
        await bulk.group_send("flood.1", {"type": "noise", "n": 11})
        assert DROPPED["channel"] == before["channel"] + 1
        assert DROPPED["flood"] == before["flood"] + 1

        await control.send(process, {"type": "user.event", "user": 7, "event": {"type": "moderation.close"}})
        assert (await asyncio.wait_for(control.receive(process), 5))["user"] == 7
    finally:
        await bulk.flush()
        await control.flush()
