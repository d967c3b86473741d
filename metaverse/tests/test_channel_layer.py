import asyncio

import pytest
from channels.layers import get_channel_layer

from metaverse.testing import need_redis


@pytest.mark.slow
async def test_a_channel_idle_longer_than_the_redis_poll_still_receives():
    """channels_redis polls with a 5 s BZPOPMIN: the socket's read timeout must outlast it."""
    need_redis()
    layer = get_channel_layer()
    channel = await layer.new_channel("idle.")

    async def send_later() -> None:
        await asyncio.sleep(6.5)
        await layer.send(channel, {"type": "late.hello"})

    sender = asyncio.ensure_future(send_later())
    message = await asyncio.wait_for(layer.receive(channel), 12)
    await sender
    assert message["type"] == "late.hello"
