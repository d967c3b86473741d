"""The hub's tasks, and its talk with other processes (two Redis layers stand in for two)."""

import asyncio
import contextlib

from channels.layers import InMemoryChannelLayer
from django.conf import settings

from metaverse.bus import Bus
from metaverse.events import world_group
from metaverse.layers import RedisChannelLayer
from metaverse.tasks import stop_tasks
from metaverse.testing import need_redis
from world.engine.hub import Hub
from world.engine.records import WorldRecord
from world.engine.state import PlayerState
from world.engine.store import MemoryStore
from world.tests.maps import room_map


async def _ignore(*args: object) -> None:
    return None


def record(world_id: int = 424242) -> WorldRecord:
    return WorldRecord(
        id=world_id, slug="hub-test", name="Hub test", capacity=10, guests_allowed=True,
        map_json=room_map(), map_version="1", map_url="/m",
    )  # fmt: skip


class DeafLayer(InMemoryChannelLayer):
    """Drops the first cancellation of a receive, as `asyncio.wait_for` on Python 3.11 does when
    the call inside it (a Redis command) finishes at the same moment."""

    dropped = 0

    async def receive(self, channel: str) -> dict:
        while True:
            try:
                return await super().receive(channel)
            except asyncio.CancelledError:
                if self.dropped:
                    raise
                self.dropped += 1


def tasks_named(prefix: str) -> set[asyncio.Task]:
    return {task for task in asyncio.all_tasks() if task.get_name().startswith(prefix)}


async def test_a_hub_that_empties_stops_all_its_tasks_and_so_does_the_bus_even_if_a_cancellation_is_lost():
    layer = DeafLayer()
    bus = Bus(layer, None)
    hub = Hub(bus, MemoryStore(), tick_hz=20, save_seconds=3600)
    await hub.attach(record())
    assert len(tasks_named("world-")) == 3  # the publisher, the saver, the world's ticker
    assert len(tasks_named("bus-")) == 2  # the process's receiver and its membership refresher
    await hub.detach(424242)
    assert not tasks_named("world-")
    await bus.stop()  # the process's bus outlives its worlds; it stops with the process
    assert layer.dropped == 1
    assert not tasks_named("bus-")


async def test_stop_tasks_waits_until_each_task_has_ended():
    async def stubborn() -> None:
        told = 0
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                told += 1
                if told == 3:
                    raise

    task = asyncio.ensure_future(stubborn())
    await asyncio.sleep(0)
    await stop_tasks([task])
    assert task.cancelled()


async def test_the_hub_hears_other_processes_while_sockets_of_its_own_wait_for_messages():
    need_redis()
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    here, there = RedisChannelLayer(**config), RedisChannelLayer(**config)
    idle_socket = asyncio.ensure_future(here.receive(await here.new_channel()))  # a quiet consumer here
    bus_here, bus_there = Bus(here, None), Bus(there, None)
    hub_here, hub_there = (Hub(bus, MemoryStore(), tick_hz=20, save_seconds=3600) for bus in (bus_here, bus_there))
    try:
        engine_here = await hub_here.attach(record())
        engine_there = await hub_there.attach(record())
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
        for bus in (bus_here, bus_there):
            await bus.stop()
        for layer in (here, there):
            await layer.close_pools()


async def test_a_player_whose_socket_has_ended_is_swept_out_even_if_it_never_left():
    """Presence is a lease: the hub removes a session whose socket is no longer alive, whether or
    not its leave path ran (a crashed handler, a task stuck on its way out)."""
    bus = Bus(InMemoryChannelLayer(), None)
    hub = Hub(bus, MemoryStore(), tick_hz=20, save_seconds=3600)
    engine = await hub.attach(record())
    alive = True
    player = PlayerState(id=7, name="Bob", avatar="", avatar_url="", status="available", x=2.5, y=2.5)
    engine.join(player, sink=_ignore, close=_ignore, alive=lambda: alive)
    try:
        await asyncio.sleep(1.3)
        assert 7 in engine.players  # renewed while alive
        alive = False
        async with asyncio.timeout(2):
            while 7 in engine.players:  # noqa: ASYNC110 - the engine has no event to wait on
                await asyncio.sleep(0.05)
        assert engine.session_of(7) is None
    finally:
        await hub.shutdown()
        await bus.stop()


async def test_a_process_alone_publishes_no_batches_and_one_that_comes_later_gets_every_move():
    """Batches go out only while another process holds the world: alone, a process's would only
    come back to it from Redis every tick. Its hello and heartbeats still go out, and a process
    that starts later is heard, gets a snapshot and then the moves."""
    need_redis()
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    here, there, spy = RedisChannelLayer(**config), RedisChannelLayer(**config), RedisChannelLayer(**config)
    listening = await spy.new_channel()  # in the world's group, silent: no process hears it
    await spy.group_add(world_group(424242), listening)
    bus_here, bus_there = Bus(here, None), Bus(there, None)
    hub_here, hub_there = (Hub(bus, MemoryStore(), tick_hz=20, save_seconds=3600) for bus in (bus_here, bus_there))

    async def heard_for(seconds: float) -> list[str]:
        kinds: list[str] = []
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    kinds.append((await spy.receive(listening))["type"])
        return kinds

    try:
        engine_here = await hub_here.attach(record())
        player = PlayerState(id=7, name="Bob", avatar="", avatar_url="", status="available", x=2.5, y=2.5)
        session = engine_here.join(player, sink=_ignore, close=_ignore)
        x = 2.5
        for seq in range(1, 11):
            x += 0.1
            engine_here.move(session, x=x, y=2.5, direction="right", moving=True, seq=seq, now=seq * 0.1)
            await asyncio.sleep(0.05)
        alone = await heard_for(1.5)
        assert "sync.batch" not in alone, alone
        assert "sync.hello" in alone, alone
        assert "sync.alive" in alone, alone

        engine_there = await hub_there.attach(record())
        async with asyncio.timeout(3):
            while 7 not in engine_there.players:  # noqa: ASYNC110 - the replica has no event to wait on
                await asyncio.sleep(0.05)
        for seq in range(11, 16):
            x += 0.1
            engine_here.move(session, x=x, y=2.5, direction="right", moving=True, seq=seq, now=seq * 0.1)
            await asyncio.sleep(0.05)
        async with asyncio.timeout(3):
            while abs(engine_there.players[7].x - x) > 0.01:  # noqa: ASYNC110 - positions travel rounded
                await asyncio.sleep(0.05)
        assert "sync.batch" in await heard_for(0.5)
    finally:
        for hub in (hub_here, hub_there):
            await hub.shutdown()
        for bus in (bus_here, bus_there):
            await bus.stop()
        for layer in (here, there, spy):
            await layer.close_pools()
