import asyncio
import base64
import hashlib
import hmac
import time
from datetime import timedelta
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from conftest import make_user, open_socket, receive_until
from metaverse.ratelimit import rate_forget
from signaling.services import turn_bucket
from world.models import Presence, World
from world.services import world_import_map
from world.tests.maps import room_map, write_map

pytestmark = pytest.mark.django_db

STUN = ["stun:turn.example.org:3478"]
TURN = ["turn:turn.example.org:3478?transport=udp"]
ELSEWHERE = "198.51.100.4"


@pytest.fixture
def turn(settings):
    settings.STUN_URLS, settings.TURN_URLS, settings.TURN_SECRET, settings.TURN_TTL = STUN, TURN, "north", 300
    rate_forget(key=turn_bucket(address=ELSEWHERE))
    return settings


@pytest.fixture
def room(avatars, tmp_path: Path) -> World:
    return world_import_map(path=write_map(tmp_path / "room", room_map()), slug="room", name="Room").world


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_world(user, world: World, *, seen_ago: float = 0.0) -> None:
    """As the world socket leaves it: connected, renewed `seen_ago` seconds ago."""
    now = timezone.now()
    Presence.objects.update_or_create(
        user=user, world=world,
        defaults={"server": "elsewhere", "connected_at": now, "last_seen": now - timedelta(seconds=seen_ago)},
    )  # fmt: skip


def test_ice_servers_need_a_logged_in_user(client):
    response = client.get("/api/rtc/ice-servers/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}  # no TURN credentials for strangers


def test_ice_servers_without_any_configured(alice, settings):
    settings.STUN_URLS, settings.TURN_URLS, settings.TURN_SECRET = [], [], ""
    response = logged_in(alice).get("/api/rtc/ice-servers/")
    assert response.status_code == 200
    assert response.json() == {"iceServers": [], "ttl": settings.TURN_TTL, "turn": "not_configured"}


def test_no_turn_credentials_for_a_logged_in_user_not_in_any_world(alice, turn):
    response = logged_in(alice).get("/api/rtc/ice-servers/")
    assert response.status_code == 200
    assert response.json() == {"iceServers": [{"urls": STUN}], "ttl": 300, "turn": "not_in_world"}


def test_no_turn_credentials_once_the_presence_lease_has_run_out(alice, room, turn):
    in_world(alice, room, seen_ago=60)  # a crashed process's row, not yet swept
    assert logged_in(alice).get("/api/rtc/ice-servers/").json()["turn"] == "not_in_world"


def test_a_player_in_a_world_gets_fresh_turn_credentials_that_nobody_caches(room, turn):
    gus = make_user("gus", guest=True)  # guests are logged in too
    in_world(gus, room)
    before = int(time.time())
    response = logged_in(gus).get("/api/rtc/ice-servers/")
    assert response["Cache-Control"] == "no-store, private"
    body = response.json()
    assert (body["ttl"], body["turn"]) == (300, "issued")
    stun, relay = body["iceServers"]
    assert stun == {"urls": STUN}
    assert relay["urls"] == TURN
    expiry, user_id = relay["username"].split(":")
    assert int(user_id) == gus.pk
    assert before + 300 <= int(expiry) <= int(time.time()) + 300  # valid for TURN_TTL, the configured one
    digest = hmac.new(b"north", relay["username"].encode(), hashlib.sha1).digest()
    assert relay["credential"] == base64.b64encode(digest).decode()


def test_the_per_address_cap_on_turn_credentials_holds_for_every_player_there(alice, bob, room, turn):
    turn.TURN_RATE_PER_HOUR = 3
    in_world(alice, room)
    in_world(bob, room)
    alices, bobs = logged_in(alice), logged_in(bob)
    assert [alices.get("/api/rtc/ice-servers/").json()["turn"] for _ in range(3)] == ["issued"] * 3
    for client in (alices, bobs):  # another player at the same address shares the cap
        body = client.get("/api/rtc/ice-servers/").json()
        assert body["turn"] == "rate_limited"
        assert body["iceServers"] == [{"urls": STUN}]  # STUN still: calls on open networks work
        assert 1100 < body["retry_after"] <= 1200  # the next of three an hour
    assert bobs.get("/api/rtc/ice-servers/", REMOTE_ADDR=ELSEWHERE).json()["turn"] == "issued"


def test_turn_credentials_default_to_ten_minutes_and_twenty_an_hour_per_address():
    import metaverse.settings as module

    assert (module.TURN_TTL, module.TURN_RATE_PER_HOUR) == (600, 20)


@pytest.mark.django_db(transaction=True)
async def test_turn_credentials_come_with_a_live_world_socket_and_go_with_it(demo_worlds, cookies, settings):
    settings.STUN_URLS, settings.TURN_URLS, settings.TURN_SECRET, settings.TURN_TTL = STUN, TURN, "north", 300
    cookie = await database_sync_to_async(cookies)("alice")
    client = Client()
    client.cookies["sessionid"] = cookie

    async def turn_answer() -> str:
        response = await database_sync_to_async(client.get)("/api/rtc/ice-servers/")
        return str(response.json()["turn"])

    assert await turn_answer() == "not_in_world"
    world = await open_socket("/ws/world/demo/", cookie=cookie)
    try:
        await receive_until(world, "welcome")
        # The presence row is written just after the welcome: ask as the page does, again after
        # a moment if it was not there yet.
        deadline = time.monotonic() + 3
        answer = await turn_answer()
        while answer == "not_in_world" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            answer = await turn_answer()
        assert answer == "issued"
    finally:
        await world.disconnect()
    assert await turn_answer() == "not_in_world"
