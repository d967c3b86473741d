"""The world socket with what surrounds it: query counts, saving, presence over REST,
profile changes and map re-imports reaching open connections."""

import asyncio
import time
from contextvars import ContextVar
from io import StringIO

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.management import call_command

from conftest import open_socket, receive_until
from metaverse.testing import QueryCounter
from players.models import Player
from players.services import player_update
from world.engine.hub import get_hub
from world.engine.mapdata import MapData
from world.models import Presence, SavedPosition
from world.tests.maps import WALL, room_map, write_map
from world.walking import neighbours, tile_of, walk_to

pytestmark = pytest.mark.django_db(transaction=True)


async def enter(cookies, name: str, slug: str = "demo", query: str = ""):
    socket = await open_socket(f"/ws/world/{slug}/{query}", cookie=await database_sync_to_async(cookies)(name))
    welcome = await receive_until(socket, "welcome")
    await socket.send_json_to({"type": "ping"})  # answered once connect() has finished its writes
    await receive_until(socket, "pong")
    return socket, welcome


async def walk_next_to(socket, welcome: dict, target: dict, world) -> None:
    """Walk a player (valid steps, at walking speed) to a tile beside another player."""
    mapdata = MapData(world.map_json)
    goal = next(neighbours(mapdata, tile_of((target["x"], target["y"]))))
    for seq, (x, y) in enumerate(walk_to(mapdata, (welcome["you"]["x"], welcome["you"]["y"]), goal), start=1):
        await socket.send_json_to({"type": "move", "x": x, "y": y, "seq": seq})
        await asyncio.sleep(0.11)


class LayerCounter:
    """Every message given to a channel layer while counting: (layer, method, message type).
    A layer's own `send` from inside its `group_send` (the in-memory layer's) is not another."""

    inside: ContextVar[bool] = ContextVar("inside_layer_call", default=False)

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[tuple[str, str, str]] = []
        for alias in ("default", "control"):
            layer = get_channel_layer(alias)
            for method in ("send", "group_send"):
                monkeypatch.setattr(layer, method, self._counting(alias, method, getattr(layer, method)))

    def _counting(self, alias: str, method: str, real):
        async def counted(target: str, message: dict) -> None:
            if self.inside.get():
                await real(target, message)
                return
            self.sent.append((alias, method, str(message.get("type"))))
            token = self.inside.set(True)
            try:
                await real(target, message)
            finally:
                self.inside.reset(token)

        return counted


async def test_moving_runs_no_queries_and_sends_no_layer_message_per_move(demo_worlds, cookies, monkeypatch):
    alice, welcome = await enter(cookies, "alice")
    bob, _ = await enter(cookies, "bob")
    you = welcome["you"]
    layers = LayerCounter(monkeypatch)
    started = time.monotonic()
    with QueryCounter() as queries:
        x = you["x"]
        for seq in range(1, 31):
            x += 0.3 if seq <= 15 else -0.3
            await alice.send_json_to(
                {"type": "move", "x": x, "y": you["y"], "dir": "right", "moving": True, "seq": seq}
            )
            await asyncio.sleep(0.06)
        await receive_until(
            bob, "tick", where=lambda m: any(e[0] == you["id"] and e[5] == 30 for e in m.get("moved", []))
        )
    assert queries.count == 0, queries.statements
    # Nothing went to bob's socket through a layer: his ticks are written by the hub here. What
    # went through one is the world's batch for the other processes, at most one per tick,
    # however many moves each carried.
    ticks = (time.monotonic() - started) * settings.WORLD_TICK_HZ
    assert all(alias == "control" and kind.startswith("sync.") for alias, _, kind in layers.sent), layers.sent
    assert len(layers.sent) <= ticks + 2
    await alice.disconnect()
    await bob.disconnect()


async def test_periodic_save_writes_positions_in_one_batch(demo_worlds, cookies):
    alice, welcome = await enter(cookies, "alice")
    bob, bob_welcome = await enter(cookies, "bob")
    for socket, you in ((alice, welcome["you"]), (bob, bob_welcome["you"])):
        await socket.send_json_to({"type": "move", "x": you["x"] + 0.5, "y": you["y"], "seq": 1})
    await asyncio.sleep(0.2)
    with QueryCounter() as queries:
        await get_hub().save_now()
    upserts = [sql for sql in queries.statements if "world_savedposition" in sql]
    assert len(upserts) == 1
    positions = await database_sync_to_async(lambda: sorted(SavedPosition.objects.values_list("x", flat=True)))()
    assert positions == sorted([welcome["you"]["x"] + 0.5, bob_welcome["you"]["x"] + 0.5])
    with QueryCounter() as queries:
        await get_hub().save_now()  # nobody moved since: presence refreshed, no position written
    assert not [sql for sql in queries.statements if "world_savedposition" in sql]
    await alice.disconnect()
    await bob.disconnect()


async def test_presence_over_rest(demo_worlds, cookies, client):
    alice, welcome = await enter(cookies, "alice")
    listing = await database_sync_to_async(client.get)("/api/worlds/")
    assert {world["slug"]: world["online"] for world in listing.json()} == {"annex": 0, "demo": 1}
    await database_sync_to_async(client.force_login)(
        await database_sync_to_async(lambda: Player.objects.get(display_name="Alice").user)()
    )
    detail = (await database_sync_to_async(client.get)("/api/worlds/demo/")).json()
    assert detail["online"] == 1
    assert [(p["name"], p["zone"]) for p in detail["players"]] == [("Alice", welcome["zone"]["name"])]
    assert (await database_sync_to_async(client.get)("/api/worlds/nowhere/")).status_code == 404
    await alice.disconnect()
    listing = await database_sync_to_async(client.get)("/api/worlds/")
    assert {world["slug"]: world["online"] for world in listing.json()}["demo"] == 0


def test_world_detail_needs_login(client, demo_worlds):
    refused = client.get("/api/worlds/demo/")
    assert (refused.status_code, set(refused.json())) == (401, {"detail"})  # no map for strangers
    listed = client.get("/api/worlds/")
    assert listed.status_code == 200
    assert "demo" in {world["slug"] for world in listed.json()}


async def test_status_change_reaches_others_and_do_not_disturb_ends_contacts(demo_worlds, cookies):
    alice, welcome = await enter(cookies, "alice")
    bob, bob_welcome = await enter(cookies, "bob")
    await walk_next_to(bob, bob_welcome, welcome["you"], demo_worlds["demo"])
    await receive_until(alice, "contacts", where=lambda m: m["added"])
    bob_player = await database_sync_to_async(Player.objects.get)(display_name="Bob")
    await database_sync_to_async(player_update)(player=bob_player, status="dnd")
    updated = await receive_until(alice, "tick", where=lambda m: "updated" in m)
    assert updated["updated"][0]["status"] == "dnd"
    contacts = await receive_until(alice, "contacts")
    assert contacts["removed"] == [bob_player.pk]
    await alice.disconnect()
    await bob.disconnect()


async def test_reimporting_a_map_reaches_players_inside(tmp_path, transactional_db, avatars, cookies):
    path = await database_sync_to_async(write_map)(tmp_path, room_map())
    await database_sync_to_async(call_command)("import_map", str(path), "--slug", "room", stdout=StringIO())
    alice, welcome = await enter(cookies, "alice", "room")
    you = welcome["you"]
    changed = room_map()
    changed["layers"][3]["data"][int(you["y"]) * 20 + int(you["x"])] = WALL  # a wall where alice stands
    await database_sync_to_async(write_map)(tmp_path, changed)
    await database_sync_to_async(call_command)("import_map", str(path), "--slug", "room", stdout=StringIO())
    notice = await receive_until(alice, "map_changed")
    assert notice["map_url"] != welcome["world"]["map_url"]
    correction = await receive_until(alice, "correction")
    assert correction["reason"] == "map_changed"
    assert (int(correction["x"]), int(correction["y"])) != (int(you["x"]), int(you["y"]))
    await alice.send_json_to(
        {"type": "move", "x": correction["x"] + 0.2, "y": correction["y"], "seq": correction["seq"] + 1}
    )
    await alice.send_json_to({"type": "ping"})
    message = await receive_until(alice, "pong")
    assert message["type"] == "pong"
    await alice.disconnect()


async def test_exit_leads_to_the_next_world_and_its_entry(demo_worlds, cookies):
    alice, welcome = await enter(cookies, "alice", query="?entry=from-annex")
    you = welcome["you"]
    assert int(you["y"]) == 31
    # Over to column 68, then down onto the portal (tiles 68 and 69 of row 32).
    for seq, (x, y) in enumerate([(68.5, 31.5), (68.5, 31.9), (68.5, 32.5)], start=1):
        await alice.send_json_to({"type": "move", "x": x, "y": y, "dir": "down", "moving": True, "seq": seq})
        await asyncio.sleep(0.25)
    exit = await receive_until(alice, "exit")
    assert exit == {"type": "exit", "world": "annex", "entry": "from-demo", "url": "/w/annex/?entry=from-demo",
                    "ws_url": "/ws/world/annex/?entry=from-demo", "external": False}  # fmt: skip
    await alice.disconnect()
    annex, annex_welcome = await enter(cookies, "alice", "annex", "?entry=from-demo")
    assert annex_welcome["world"]["slug"] == "annex"
    assert (int(annex_welcome["you"]["x"]), int(annex_welcome["you"]["y"])) in {(1, 2), (2, 2), (3, 2)}
    await annex.disconnect()
    assert await database_sync_to_async(Presence.objects.count)() == 0


async def test_admin_lists_who_is_online(demo_worlds, cookies, admin_client):
    alice, welcome = await enter(cookies, "alice")
    page = await database_sync_to_async(admin_client.get)("/admin/world/presence/")
    assert page.status_code == 200
    assert "alice" in page.content.decode()
    assert welcome["zone"]["name"] in page.content.decode()
    worlds = await database_sync_to_async(admin_client.get)("/admin/world/world/")
    assert "Demo Campus" in worlds.content.decode()
    await alice.disconnect()


def test_a_player_deleted_while_connected_leaves_the_others_positions_saved(demo_worlds):
    from conftest import make_user
    from players.models import Player
    from world.models import SavedPosition
    from world.services import PositionRow, positions_save

    kept, gone = make_user("kept"), make_user("gone")
    Player.objects.filter(user=gone).delete()  # as a purge or the admin would, mid-visit
    positions_save(world_id=demo_worlds["demo"].pk, rows=[
        PositionRow(user_id=kept.pk, x=3.5, y=4.5, direction="left", zone=""),
        PositionRow(user_id=gone.pk, x=5.5, y=4.5, direction="up", zone=""),
    ])  # fmt: skip
    saved = SavedPosition.objects.filter(player_id__in=[kept.pk, gone.pk])
    assert list(saved.values_list("player_id", "x", "y", "direction")) == [(kept.pk, 3.5, 4.5, "left")]


def test_a_renewal_keeps_the_live_forgets_this_servers_stale_rows_and_saves_whole_number_positions(demo_worlds):
    from datetime import timedelta

    from django.utils import timezone

    from conftest import make_user
    from world.services import PositionRow, presence_refresh

    world = demo_worlds["demo"]
    live, gone, joined, elsewhere = (make_user(name) for name in ("live", "gone", "joined", "elsewhere"))
    old, now = timezone.now() - timedelta(seconds=30), timezone.now()
    for user, server, seen in ((live, "s1", old), (gone, "s1", old), (joined, "s1", now), (elsewhere, "s2", old)):
        Presence.objects.create(user=user, world=world, server=server, connected_at=seen, last_seen=seen)

    # `joined` came after the list of live players was read: its fresh row is not a leftover.
    presence_refresh(world_id=world.pk, server="s1", live=[live.pk], moved=[
        PositionRow(user_id=live.pk, x=3, y=4, direction="right", zone="Lobby"),  # whole numbers, as a spawn gives
    ])  # fmt: skip

    rows = {row.user_id: row.last_seen for row in Presence.objects.filter(world=world)}
    assert set(rows) == {live.pk, joined.pk, elsewhere.pk}
    assert rows[live.pk] > old
    assert rows[elsewhere.pk] == old
    saved = SavedPosition.objects.get(player_id=live.pk, world=world)
    assert (saved.x, saved.y, saved.direction, saved.zone) == (3.0, 4.0, "right", "Lobby")
