"""/ws/world/<slug>/ through the real ASGI application: admission, snapshot, moves, errors."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from accounts.models import User
from conftest import expect_close, open_socket, receive_until
from world.engine.mapdata import MapData
from world.models import Presence, SavedPosition, World
from world.services import PositionRow, positions_save, world_import_map
from world.tests.maps import WALL, room_map, write_map
from world.walking import tile_of, tiles_within

pytestmark = pytest.mark.django_db(transaction=True)


async def test_anonymous_is_closed_with_4001(demo_worlds):
    socket = await open_socket("/ws/world/demo/")
    closing = await expect_close(socket, 4001)
    assert closing["reason"] == "not_authenticated"


async def test_unknown_world_is_closed_with_4004(cookies):
    socket = await open_socket("/ws/world/atlantis/", cookie=await database_sync_to_async(cookies)("alice"))
    await expect_close(socket, 4004)


async def test_guests_kept_out_of_members_only_worlds(demo_worlds, cookies):
    await database_sync_to_async(World.objects.filter(slug="demo").update)(guests_allowed=False)
    cookie = await database_sync_to_async(cookies)("gus", guest=True)
    socket = await open_socket("/ws/world/demo/", cookie=cookie)
    await expect_close(socket, 4011)


async def test_full_world_is_closed_with_4005(demo_worlds, cookies):
    await database_sync_to_async(World.objects.filter(slug="demo").update)(capacity=1)
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    await receive_until(alice, "welcome")
    bob = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("bob"))
    await expect_close(bob, 4005)
    await alice.disconnect()


async def test_welcome_snapshot_and_seeing_each_other_move(demo_worlds, cookies):
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    welcome = await receive_until(alice, "welcome")
    assert welcome["world"]["slug"] == "demo"
    assert welcome["world"]["map_url"].startswith("/maps/demo/")
    assert welcome["you"]["name"] == "Alice"
    assert {zone["name"] for zone in welcome["zones"]} >= {"Blue Room", "Green Room", "Library", "Lobby"}
    bob = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("bob"))
    bob_welcome = await receive_until(bob, "welcome")
    assert [p["id"] for p in bob_welcome["players"]] == [welcome["you"]["id"]]
    entered = await receive_until(alice, "tick", where=lambda m: "entered" in m)
    assert [p["name"] for p in entered["entered"]] == ["Bob"]

    me = bob_welcome["you"]
    await bob.send_json_to({"type": "move", "x": me["x"] + 0.4, "y": me["y"], "dir": "right", "moving": True, "seq": 1})
    tick = await receive_until(
        alice, "tick", where=lambda m: any(e[0] == me["id"] and e[5] == 1 for e in m.get("moved", []))
    )
    [entry] = [e for e in tick["moved"] if e[0] == me["id"]]
    assert entry == [me["id"], me["x"] + 0.4, me["y"], "right", True, 1]
    await bob.disconnect()
    left = await receive_until(alice, "tick", where=lambda m: "left" in m)
    assert left["left"] == [me["id"]]
    await alice.disconnect()


async def test_bad_moves_are_corrected_and_never_broadcast(demo_worlds, cookies):
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    you = (await receive_until(alice, "welcome"))["you"]
    bob = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("bob"))
    await receive_until(bob, "welcome")
    mapdata = MapData(demo_worlds["demo"].map_json)
    far = tiles_within(mapdata, tile_of((you["x"], you["y"])), minimum=10, maximum=12)[0]  # walkable, far off
    await alice.send_json_to({"type": "move", "x": far[0] + 0.5, "y": far[1] + 0.5, "seq": 1})
    correction = await receive_until(alice, "correction")
    assert correction == {
        "type": "correction",
        "x": you["x"],
        "y": you["y"],
        "dir": "down",
        "seq": 1,
        "reason": "too_fast",
    }
    await alice.send_json_to({"type": "move", "x": 0.5, "y": 0.5, "seq": 2})  # the outer wall
    assert (await receive_until(alice, "correction"))["reason"] in {"blocked", "too_fast"}
    await alice.send_json_to({"type": "move", "x": -3, "y": 5, "seq": 3})
    assert (await receive_until(alice, "correction"))["reason"] == "out_of_bounds"
    await asyncio.sleep(0.3)
    while not await bob.receive_nothing(timeout=0.05):
        message = await bob.receive_json_from()
        for entry in message.get("moved", []):
            assert entry[0] != you["id"] or entry[5] == 0, message
    await alice.disconnect()
    await bob.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "invalid"),
        ('{"type": 5}', "invalid"),
        ('{"type": "teleport"}', "unknown_type"),
        ('{"type": "move", "x": "1", "y": 2}', "invalid"),
        ('{"type": "move", "x": NaN, "y": 2}', "invalid_json"),  # NaN is not JSON
        ('{"type": "move", "x": 1e999, "y": 2}', "invalid_json"),  # too big for a double
        ('{"type": "move", "x": 1' + "0" * 400 + ', "y": 5}', "invalid_json"),  # the integer that made ghosts
        ('{"type": "move", "x": 12345678901234567, "y": 2}', "invalid"),
        ('{"type": "move", "x": 1e12, "y": 2}', "invalid"),
        ('{"type": "move", "x": 1, "y": 2, "seq": 1e3}', "invalid"),
        ('{"type": "move", "x": 3, "y": 2, "pad": ' + "[" * 40 + "]" * 40 + "}", "invalid_json"),
        ('{"type": "move", "x": 3, "y": 2, "dir": "north"}', "invalid"),
        ('{"type": "move", "x": 3, "y": 2, "seq": -1}', "invalid"),
        ('{"type": "move", "x": 3, "y": 2, "moving": "yes"}', "invalid"),
        (json.dumps({"type": "move", "x": 1, "y": 1, "pad": "x" * 2000}), "too_large"),
    ],
)
async def test_malformed_messages_get_typed_errors_and_the_socket_stays_open(demo_worlds, cookies, frame, code):
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    await receive_until(alice, "welcome")
    await alice.send_to(text_data=frame)
    error = await receive_until(alice, "error")
    assert error["code"] == code
    await alice.send_json_to({"type": "ping", "t": 5})
    assert (await receive_until(alice, "pong"))["t"] == 5
    await alice.disconnect()


async def test_binary_frames_are_refused(demo_worlds, cookies):
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    await receive_until(alice, "welcome")
    await alice.send_to(bytes_data=b"\x00\x01")
    assert (await receive_until(alice, "error"))["code"] == "invalid"
    await alice.disconnect()


async def test_a_client_that_keeps_sending_garbage_is_closed_with_4000(demo_worlds, cookies):
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    await receive_until(alice, "welcome")
    for _ in range(25):
        await alice.send_to(text_data="{")
    await receive_until(alice, "closing", where=lambda m: m["code"] == 4000)


async def test_move_flood_is_rate_limited_then_closed_with_4029(demo_worlds, cookies):
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    you = (await receive_until(alice, "welcome"))["you"]
    for seq in range(1, 160):
        await alice.send_json_to({"type": "move", "x": you["x"], "y": you["y"], "seq": seq})
    assert (await receive_until(alice, "error"))["code"] == "rate_limited"
    await receive_until(alice, "closing", where=lambda m: m["code"] == 4029)


async def test_a_second_connection_replaces_the_first(demo_worlds, cookies):
    cookie = await database_sync_to_async(cookies)("alice")
    first = await open_socket("/ws/world/demo/", cookie=cookie)
    await receive_until(first, "welcome")
    second = await open_socket("/ws/world/demo/", cookie=cookie)
    await receive_until(second, "welcome")
    await receive_until(first, "closing", where=lambda m: m["code"] == 4009)
    await second.disconnect()


async def test_position_is_saved_on_leave_and_restored_on_return(demo_worlds, cookies):
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await open_socket("/ws/world/demo/", cookie=cookie)
    you = (await receive_until(alice, "welcome"))["you"]
    x = you["x"]
    for seq in range(1, 4):
        x += 0.5
        await alice.send_json_to({"type": "move", "x": x, "y": you["y"], "dir": "right", "moving": False, "seq": seq})
        await asyncio.sleep(0.15)
    await alice.send_json_to({"type": "ping"})
    await receive_until(alice, "pong")
    await alice.disconnect()
    saved = await database_sync_to_async(SavedPosition.objects.get)(player_id=you["id"])
    assert (saved.x, saved.y, saved.direction) == (x, you["y"], "right")
    assert not await database_sync_to_async(Presence.objects.exists)()
    again = await open_socket("/ws/world/demo/", cookie=cookie)
    welcome = await receive_until(again, "welcome")
    assert (welcome["you"]["x"], welcome["you"]["y"], welcome["you"]["dir"]) == (x, you["y"], "right")
    await again.disconnect()


async def test_a_saved_position_walled_in_by_a_new_map_respawns_on_a_spawn_tile(demo_worlds, cookies, tmp_path):
    world = await database_sync_to_async(world_import_map)(path=write_map(tmp_path / "v1", room_map()), slug="walled")
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    await database_sync_to_async(positions_save)(
        world_id=world.world.pk, rows=[PositionRow(user_id=alice.pk, x=5.5, y=4.5, direction="left", zone="")]
    )
    walled_in = room_map()
    walls = next(layer for layer in walled_in["layers"] if layer["name"] == "walls")
    walls["data"][4 * walled_in["width"] + 5] = WALL  # the saved tile is a wall now
    await database_sync_to_async(world_import_map)(path=write_map(tmp_path / "v2", walled_in), slug="walled")
    socket = await open_socket("/ws/world/walled/", cookie=cookie)
    you = (await receive_until(socket, "welcome"))["you"]
    assert (int(you["x"]), int(you["y"])) in {(2, 2), (3, 2)}  # the map's start area
    await socket.disconnect()


async def test_entry_parameter_spawns_at_that_entry(demo_worlds, cookies):
    alice = await open_socket("/ws/world/demo/?entry=from-annex", cookie=await database_sync_to_async(cookies)("alice"))
    you = (await receive_until(alice, "welcome"))["you"]
    assert (int(you["x"]), int(you["y"])) in {(67, 31), (68, 31), (69, 31)}
    await alice.disconnect()


async def test_a_ping_with_the_clients_clock_is_answered_with_a_pong(demo_worlds, cookies):
    """As the page sends it every few seconds: `t` is Date.now(), far beyond any coordinate."""
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    await receive_until(alice, "welcome")
    await alice.send_json_to({"type": "ping", "t": 1795313603000})
    pong = await receive_until(alice, "pong")
    assert pong["t"] == 1795313603000
    await alice.send_json_to({"type": "ping", "t": 2**53 + 2})
    assert (await receive_until(alice, "error"))["code"] == "invalid"
    await alice.disconnect()


async def test_only_a_newer_socket_of_the_player_replaces_this_one(demo_worlds, cookies):
    """The event an arrival publishes is not awaited: a player who closed a socket and came
    straight back can receive the closed one's event on the new socket, which must stay."""
    import time

    from metaverse.bus import get_bus

    cookie = await database_sync_to_async(cookies)("alice")
    alice = await open_socket("/ws/world/demo/", cookie=cookie)
    you = (await receive_until(alice, "welcome"))["you"]
    world = demo_worlds["demo"].pk
    bus = get_bus()
    older = {"type": "world.replaced", "world": world, "channel": "an-older-socket", "arrived_at": time.time() - 1}
    await bus.publish_user_event(you["id"], older)
    await alice.send_json_to({"type": "ping", "t": 1})
    assert (await receive_until(alice, "pong"))["t"] == 1  # still open

    newer = {"type": "world.replaced", "world": world, "channel": "a-newer-socket", "arrived_at": time.time() + 1}
    await bus.publish_user_event(you["id"], newer)
    closing = await receive_until(alice, "closing")  # after whatever tick was on its way
    assert (closing["code"], closing["reason"]) == (4009, "replaced")
