"""The Redis channel layer as settings.py configures it."""

import asyncio

from channels_redis.core import RedisChannelLayer
from django.conf import settings

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
