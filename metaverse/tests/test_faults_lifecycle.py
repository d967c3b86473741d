"""The lifecycle under faults, on real server processes and real WebSocket clients: PostgreSQL cut
off, SIGTERM with clients connected, a second tab resuming the live position. Figures go to
test-artifacts/faults.json."""

import asyncio
import json
import math
import signal
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async

from metaverse.testing import test_database_url as database_url  # not collected as a test
from metaverse.testing import ws_connect, ws_receive_until
from metaverse.tests.fault_support import Player, closed_with, enter, record, troubles, until
from world.engine.mapdata import MapData
from world.models import Presence, SavedPosition
from world.walking import tile_of, tiles_within

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


async def entered(player: Player) -> None:
    """A ping answered: the socket has finished entering (its presence is written), since a
    socket handles its messages one at a time."""
    pongs = player.pongs
    await player.socket.send(json.dumps({"type": "ping"}))
    await until(lambda: player.pongs > pongs, within=3, what=f"{player.name}'s pong")


async def test_sockets_are_refused_with_1013_and_healthz_says_503_while_postgresql_is_cut_off(
    private_redis, database_proxy, server_factory, sessions, clients
):
    server = server_factory(
        {"REDIS_URL": private_redis.url, "DATABASE_URL": database_proxy.url_for(database_url())}, name="faults-pg"
    )
    alice = await enter(clients, server, "alice", sessions["alice"])
    await entered(alice)

    database_proxy.cut()
    status, health = await asyncio.to_thread(server.health)
    assert (status, health["database"]["ok"]) == (503, False), health
    for path in ("/ws/world/demo/", "/ws/chat/demo/", "/ws/signal/demo/"):
        socket = await ws_connect(server, path, sessions["bob"])  # accepted: no HTTP 500
        closing, code = await closed_with(socket)
        assert (closing["code"], closing["reason"], code) == (1013, "unavailable", 1013), (path, closing)
    # Someone already in keeps their socket, and it still answers.
    await entered(alice)
    assert troubles([alice]) == {}

    database_proxy.restore()
    bob = await enter(clients, server, "bob", sessions["bob"])
    await entered(bob)
    status, _ = await asyncio.to_thread(server.get, "/healthz")
    assert status == 200
    assert troubles([alice, bob]) == {}


# --- shutting down ------------------------------------------------------------------------------


async def test_sigterm_closes_every_socket_with_1012_saves_the_last_position_and_exits_within_10s(
    private_redis, server_factory, sessions, mapdata, clients
):
    server = server_factory({"REDIS_URL": private_redis.url, "WORLD_SAVE_SECONDS": "3600"}, name="faults-sigterm")
    alice = await enter(clients, server, "alice", sessions["alice"])
    bob = await enter(clients, server, "bob", sessions["bob"])
    others = []
    for name in ("alice", "bob"):
        for path, first in (("/ws/chat/demo/", "history"), ("/ws/signal/demo/", "ready")):
            socket = await ws_connect(server, path, sessions[name])
            await ws_receive_until(socket, first, within=10)
            others.append((f"{name} {path}", socket))
    away = tiles_within(mapdata, tile_of((alice.x, alice.y)), minimum=2, maximum=3)[0]
    await alice.walk(mapdata, away)
    await until(lambda: bob.saw(alice, alice.seq) is not None, within=3, what="bob seeing alice's last step")

    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    for player in (alice, bob):
        closing, code = await player.closed()
        assert (closing["code"], closing["reason"], code) == (1012, "service_restart", 1012), player.name
    for name, socket in others:
        closing, code = await closed_with(socket)
        assert (closing["code"], closing["reason"], code) == (1012, "service_restart", 1012), name
    await asyncio.to_thread(server.process.wait, 12)
    exited = time.monotonic() - signalled
    record("sigterm.exit_s", exited)
    record("sigterm.return_code", server.process.returncode)
    assert exited < 10

    saved = await database_sync_to_async(SavedPosition.objects.get)(player_id=alice.id, world__slug="demo")
    assert (saved.x, saved.y, saved.direction) == (alice.x, alice.y, alice.dir)
    assert not await database_sync_to_async(Presence.objects.filter(user_id__in=[alice.id, bob.id]).exists)()


# --- a second tab -------------------------------------------------------------------------------


async def walk_away(player: Player, mapdata: MapData) -> tuple[float, float]:
    """Walk a few tiles; returns where the player started (its saved position)."""
    start = (player.x, player.y)
    goal = tiles_within(mapdata, tile_of(start), minimum=3, maximum=4)[0]
    await player.walk(mapdata, goal)
    await until(lambda: player.saw(player, player.seq) is not None, within=3, what=f"{player.name}'s last move")
    return start


def resumed_from(player: Player, welcome: dict[str, Any], saved: tuple[float, float]) -> dict[str, float]:
    you = welcome["you"]
    return {
        "from_live": round(math.dist((you["x"], you["y"]), (player.x, player.y)), 3),
        "from_saved": round(math.dist((you["x"], you["y"]), saved), 3),
    }


async def test_a_second_tab_on_the_same_process_resumes_the_live_position(
    private_redis, server_factory, sessions, mapdata, clients
):
    server = server_factory({"REDIS_URL": private_redis.url, "WORLD_SAVE_SECONDS": "3600"}, name="faults-tab")
    first = await enter(clients, server, "alice", sessions["alice"])
    saved = await walk_away(first, mapdata)

    second = await enter(clients, server, "alice", sessions["alice"])
    closing, code = await first.closed()
    assert (closing["code"], closing["reason"], code) == (4009, "replaced", 4009)
    distances = resumed_from(first, second.welcome, saved)
    record("second_tab.same_process", distances["from_live"])
    assert distances["from_live"] <= 0.5, distances


@pytest.mark.parametrize("someone_on_b", [True, False], ids=["b-has-a-replica", "b-starts-its-replica"])
async def test_a_second_tab_on_another_process_resumes_the_live_position(
    pair, sessions, mapdata, clients, someone_on_b
):
    a, b = pair
    first = await enter(clients, a, "alice", sessions["alice"])
    if someone_on_b:
        dave = await enter(clients, b, "dave", sessions["dave"])
        await until(lambda: first.id in dave.view, within=5, what="dave seeing alice")
    saved = await walk_away(first, mapdata)
    if someone_on_b:
        await until(lambda: dave.saw(first, first.seq) is not None, within=3, what="dave seeing alice's last move")

    second = await enter(clients, b, "alice", sessions["alice"])
    closing, code = await first.closed()
    assert (closing["code"], closing["reason"], code) == (4009, "replaced", 4009)
    distances = resumed_from(first, second.welcome, saved)
    record(f"second_tab.other_process.{'warm' if someone_on_b else 'cold'}", distances["from_live"])
    assert distances["from_live"] <= 0.5, distances
