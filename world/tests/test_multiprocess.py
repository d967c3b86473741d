"""Two real server processes sharing Redis: players on different processes see each other
move and become contacts."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from metaverse.testing import need_redis, ws_connect, ws_receive_until
from world.engine.mapdata import MapData
from world.walking import neighbours, tile_of, tiles_within, walk_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.multiprocess]


async def test_players_on_two_processes_see_each_other_and_become_contacts(server_factory, demo_worlds, cookies):
    need_redis()
    first, second = server_factory(name="world-a"), server_factory(name="world-b")
    alice = await ws_connect(first, "/ws/world/demo/", await database_sync_to_async(cookies)("alice"))
    alice_welcome = await ws_receive_until(alice, "welcome")
    bob = await ws_connect(second, "/ws/world/demo/", await database_sync_to_async(cookies)("bob"))
    bob_welcome = await ws_receive_until(bob, "welcome")
    alice_id, bob_id = alice_welcome["you"]["id"], bob_welcome["you"]["id"]

    entered = await ws_receive_until(
        alice, "tick", where=lambda m: any(p["id"] == bob_id for p in m.get("entered", []))
    )
    assert [p["name"] for p in entered["entered"] if p["id"] == bob_id] == ["Bob"]
    # Process B may have had alice's snapshot before bob's welcome, or receive it just after.
    if alice_id not in [p["id"] for p in bob_welcome["players"]]:
        await ws_receive_until(bob, "tick", where=lambda m: any(p["id"] == alice_id for p in m.get("entered", [])))

    # Bob walks away from alice, out of talk range, then back next to her.
    mapdata = MapData(demo_worlds["demo"].map_json)
    here, alice_tile = (
        (bob_welcome["you"]["x"], bob_welcome["you"]["y"]),
        tile_of((alice_welcome["you"]["x"], alice_welcome["you"]["y"])),
    )
    away = tiles_within(mapdata, alice_tile, minimum=6, maximum=7)[0]
    out = walk_to(mapdata, here, away)
    back = walk_to(mapdata, out[-1], next(neighbours(mapdata, alice_tile)))
    seq = 0
    for x, y in out + back:
        seq += 1
        await bob.send(json.dumps({"type": "move", "x": x, "y": y, "dir": "up", "moving": True, "seq": seq}))
        await asyncio.sleep(0.12)
    final = seq
    contacts = {"alice": None, "bob": None}

    async def follow(connection, name: str) -> None:
        """Read until bob's last move has arrived and the contact list holds someone."""
        arrived = False
        while not (arrived and contacts[name]):
            message = json.loads(await asyncio.wait_for(connection.recv(), 5))
            if message["type"] == "contacts":
                contacts[name] = message["contacts"]
            arrived = arrived or any(e[0] == bob_id and e[5] == final for e in message.get("moved", []))

    await follow(alice, "alice")
    await follow(bob, "bob")
    initiator = min(alice_id, bob_id)
    assert contacts["alice"] == [{"id": bob_id, "initiator": alice_id == initiator, "polite": alice_id != initiator}]
    assert contacts["bob"] == [{"id": alice_id, "initiator": bob_id == initiator, "polite": bob_id != initiator}]

    await bob.close()
    left = await ws_receive_until(alice, "tick", where=lambda m: bob_id in m.get("left", []))
    assert bob_id in left["left"]
    await alice.close()


async def test_hiding_where_you_are_holds_for_someone_on_another_process(server_factory, demo_worlds, cookies):
    """Bob, on process B, ticks "Hide where I am": alice, on process A, is refused his whereabouts
    (A holds his player state as B publishes it), and is told them again once he unticks it."""
    from accounts.models import User
    from players.services import player_update

    need_redis()
    first, second = server_factory(name="world-a"), server_factory(name="world-b")
    alice = await ws_connect(first, "/ws/world/demo/", await database_sync_to_async(cookies)("alice"))
    await ws_receive_until(alice, "welcome")
    bob = await ws_connect(second, "/ws/world/demo/", await database_sync_to_async(cookies)("bob"))
    bob_id = (await ws_receive_until(bob, "welcome"))["you"]["id"]

    def hide(hidden: bool) -> None:
        player_update(player=User.objects.get(pk=bob_id).player, hide_location=hidden)

    async def locate_until(kind: str) -> dict:
        for _ in range(50):
            await alice.send(json.dumps({"type": "locate", "id": bob_id}))
            answer: dict = {"type": ""}
            while answer["type"] not in ("located", "error"):
                answer = json.loads(await asyncio.wait_for(alice.recv(), 5))
            if answer["type"] == kind:
                return answer
            await asyncio.sleep(0.1)
        raise AssertionError(f"still {answer}")

    await locate_until("located")
    await database_sync_to_async(hide)(True)
    assert (await locate_until("error"))["code"] == "location_hidden"
    await database_sync_to_async(hide)(False)
    await locate_until("located")
    await bob.close()
    await alice.close()
