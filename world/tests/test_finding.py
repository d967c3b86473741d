"""Finding people on the world socket (docs/protocol.md "people", "locate"): everyone online in
the world, and where one of them stands as far as they allow."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from accounts.models import User
from chat.services import block_create
from conftest import open_socket, receive_until
from metaverse.errors import AppError
from players.models import Player
from signaling.tests.helpers import place

pytestmark = pytest.mark.timeout(60)
SPOTS = {"alice": (24.5, 27.5), "bob": (60.5, 5.5), "carol": (40.5, 27.5), "dave": (30.5, 40.5)}


@pytest.fixture
def people(demo_worlds, cookies):
    """Four players placed apart in the demo world; carol on do-not-disturb, dave blocked by alice."""
    cookie = {}
    for name, (x, y) in SPOTS.items():
        cookie[name] = cookies(name)
        place(User.objects.get(username=name), demo_worlds["demo"], x, y)
    Player.objects.filter(user__username="carol").update(status="dnd")
    block_create(blocker=User.objects.get(username="alice"), blocked=User.objects.get(username="dave"))
    return cookie


async def _enter_all(cookies):
    sockets = {}
    for name, cookie in cookies.items():
        sockets[name] = await open_socket("/ws/world/demo/", cookie=cookie)
        await receive_until(sockets[name], "welcome")
    return sockets


async def test_people_lists_everyone_in_the_world_by_name_with_their_zone_but_not_the_blocked(people):
    sockets = await _enter_all(people)
    try:
        await sockets["alice"].send_json_to({"type": "people"})
        listed = (await receive_until(sockets["alice"], "people"))["people"]
        assert [(person["name"], person["status"]) for person in listed] == [
            ("Alice", "available"),
            ("Bob", "available"),
            ("Carol", "dnd"),
        ]  # fmt: skip  (dave: blocked by alice, so left out of her list, and she of his)
        bob = listed[1]
        assert set(bob) == {"id", "name", "avatar", "avatar_url", "status", "zone", "guest", "location_hidden"}
        assert (bob["guest"], bob["location_hidden"]) == (False, False)  # no position either
        assert bob["zone"] == "Blue Room"
        await sockets["dave"].send_json_to({"type": "people"})
        assert "Alice" not in [person["name"] for person in (await receive_until(sockets["dave"], "people"))["people"]]
    finally:
        for socket in sockets.values():
            await socket.disconnect()


async def test_locate_says_where_someone_is_unless_they_refuse_or_are_kept_apart(people):
    sockets = await _enter_all(people)
    ids = {name: (await User.objects.aget(username=name)).pk for name in people}
    alice = sockets["alice"]
    try:
        await alice.send_json_to({"type": "locate", "id": ids["bob"]})
        assert await receive_until(alice, "located") == {
            "type": "located", "id": ids["bob"], "x": 60.5, "y": 5.5, "zone": "Blue Room",
        }  # fmt: skip
        answers = {}
        for name, target in (("carol", ids["carol"]), ("dave", ids["dave"]), ("nobody", 999_999), ("me", ids["alice"])):
            await alice.send_json_to({"type": "locate", "id": target})
            answers[name] = await receive_until(alice, "error")
        assert answers["carol"]["code"] == "location_hidden"
        assert answers["carol"]["message"] == "Carol is on do not disturb and does not share where they are."
        assert answers["dave"]["code"] == answers["nobody"]["code"] == "unknown_player"  # a block is not told
        assert answers["dave"]["message"] == f"There is no player {ids['dave']} in this world."
        assert answers["me"]["code"] == "invalid"
        for bad in ({"type": "locate"}, {"type": "locate", "id": "bob"}, {"type": "locate", "id": -1}):
            await alice.send_json_to(bad)
            assert (await receive_until(alice, "error"))["code"] == "invalid"
        await alice.send_json_to({"type": "ping"})
        await receive_until(alice, "pong")  # the socket works on
    finally:
        for socket in sockets.values():
            await socket.disconnect()


async def test_asking_for_the_list_too_often_is_rate_limited(people):
    alice = await open_socket("/ws/world/demo/", cookie=people["alice"])
    await receive_until(alice, "welcome")
    try:
        for _ in range(6):
            await alice.send_json_to({"type": "people"})
        answers: list[dict] = []
        while len(answers) < 4:
            message = await alice.receive_json_from(timeout=3)
            if message["type"] in ("people", "error"):
                answers.append(message)
        assert [answer["type"] for answer in answers[:3]] == ["people"] * 3  # the burst
        assert (answers[3]["type"], answers[3]["code"]) == ("error", "rate_limited")
    finally:
        await alice.disconnect()


async def test_a_knock_reaches_the_person_and_their_answer_comes_back(people):
    sockets = await _enter_all(people)
    ids = {name: (await User.objects.aget(username=name)).pk for name in people}
    alice, bob = sockets["alice"], sockets["bob"]
    try:
        await alice.send_json_to({"type": "knock", "id": ids["bob"]})
        assert await receive_until(alice, "knock_sent") == {"type": "knock_sent", "id": ids["bob"]}
        knocked = await receive_until(bob, "knocked")
        assert knocked == {"type": "knocked", "from": {"id": ids["alice"], "name": "Alice"}}
        await bob.send_json_to({"type": "knock_answer", "id": ids["alice"], "accept": True})
        answered = await receive_until(alice, "knock_answered")
        assert answered == {"type": "knock_answered", "from": {"id": ids["bob"], "name": "Bob"}, "accept": True}
        # One answer per knock; nobody else's door can be answered for them.
        await bob.send_json_to({"type": "knock_answer", "id": ids["alice"], "accept": False})
        assert (await receive_until(bob, "error"))["code"] == "no_knock"
        await bob.send_json_to({"type": "knock_answer", "id": ids["carol"], "accept": True})
        assert (await receive_until(bob, "error"))["code"] == "no_knock"
    finally:
        for socket in sockets.values():
            await socket.disconnect()


async def test_knocks_are_refused_across_a_block_on_do_not_disturb_and_beyond_a_few_a_minute(people):
    sockets = await _enter_all(people)
    ids = {name: (await User.objects.aget(username=name)).pk for name in people}
    alice = sockets["alice"]
    try:
        await alice.send_json_to({"type": "knock", "id": ids["carol"]})
        refused = await receive_until(alice, "error")
        assert (refused["code"], refused["message"]) == ("do_not_disturb", "Carol is on do not disturb.")
        await sockets["dave"].send_json_to({"type": "knock", "id": ids["alice"]})  # alice blocked dave
        assert (await receive_until(sockets["dave"], "error"))["code"] == "unknown_player"
        for _ in range(3):
            await alice.send_json_to({"type": "knock", "id": ids["bob"]})
            await receive_until(alice, "knock_sent")
        await alice.send_json_to({"type": "knock", "id": ids["bob"]})
        assert (await receive_until(alice, "error"))["code"] == "rate_limited"
        assert [(await receive_until(sockets["bob"], "knocked"))["from"]["id"] for _ in range(3)] == [ids["alice"]] * 3
    finally:
        for socket in sockets.values():
            await socket.disconnect()


async def test_a_guest_is_marked_as_one_to_everyone(demo_worlds, cookies):
    gus_cookie = await database_sync_to_async(cookies)("gus", guest=True)
    alice_cookie = await database_sync_to_async(cookies)("alice")
    gus = await open_socket("/ws/world/demo/", cookie=gus_cookie)
    assert (await receive_until(gus, "welcome"))["you"]["guest"] is True
    alice = await open_socket("/ws/world/demo/", cookie=alice_cookie)
    welcome = await receive_until(alice, "welcome")
    try:
        assert "guest" not in welcome["you"]  # said only of guests
        assert [player.get("guest") for player in welcome["players"] if player["name"] == "Gus"] == [True]
        await alice.send_json_to({"type": "people"})
        listed = {person["name"]: person["guest"] for person in (await receive_until(alice, "people"))["people"]}
        assert listed == {"Alice": False, "Gus": True}
    finally:
        await alice.disconnect()
        await gus.disconnect()


# --- hiding where you are (Me: "Hide where I am from the People panel") --------------------------


def _patch_me(user: User, body: dict) -> dict:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    response = client.patch("/api/players/me/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


async def _answer_to_locate(socket, target: int, wanted: str) -> dict:
    """Ask `locate` until the answer is `wanted` (`located` or `error`): a profile change reaches
    the world (after its commit, over the bus) within a moment, not at once."""
    for _ in range(20):
        await socket.send_json_to({"type": "locate", "id": target})
        answer = None
        while answer is None:
            message = await socket.receive_json_from(timeout=3)
            if message["type"] in ("located", "error") and message.get("id") == target:
                answer = message
        if answer["type"] == wanted:
            return answer
        await asyncio.sleep(0.1)
    raise AssertionError(f"locate {target} kept answering {answer}")


async def test_someone_who_hides_where_they_are_is_listed_without_a_zone_and_cannot_be_located(people):
    sockets = await _enter_all(people)
    ids = {name: (await User.objects.aget(username=name)).pk for name in people}
    alice, bob = sockets["alice"], sockets["bob"]
    bob_user = await User.objects.aget(username="bob")
    try:
        answer = await database_sync_to_async(_patch_me)(bob_user, {"hide_location": True})
        assert answer["hide_location"] is True
        assert await Player.objects.filter(user=bob_user, hide_location=True).aexists()
        refused = await _answer_to_locate(alice, ids["bob"], "error")
        assert refused == {
            "type": "error", "code": "location_hidden", "id": ids["bob"],
            "message": "Bob does not share where they are.",
        }  # fmt: skip
        await alice.send_json_to({"type": "people"})
        listed = {person["name"]: person for person in (await receive_until(alice, "people"))["people"]}
        assert (listed["Bob"]["zone"], listed["Bob"]["location_hidden"]) == (None, True)  # listed, but not where
        assert (listed["Alice"]["zone"], listed["Alice"]["location_hidden"]) == ("Lobby", False)
        await bob.send_json_to({"type": "people"})
        himself = next(p for p in (await receive_until(bob, "people"))["people"] if p["name"] == "Bob")
        assert (himself["zone"], himself["location_hidden"]) == ("Blue Room", True)  # he sees his own

        await database_sync_to_async(_patch_me)(bob_user, {"hide_location": False})
        found = await _answer_to_locate(alice, ids["bob"], "located")
        assert (found["x"], found["y"], found["zone"]) == (60.5, 5.5, "Blue Room")
    finally:
        for socket in sockets.values():
            await socket.disconnect()


async def test_someone_who_hides_where_they_are_can_still_be_walked_to_after_their_knock_is_accepted(people):
    sockets = await _enter_all(people)
    ids = {name: (await User.objects.aget(username=name)).pk for name in people}
    alice, bob = sockets["alice"], sockets["bob"]
    await database_sync_to_async(_patch_me)(await User.objects.aget(username="bob"), {"hide_location": True})
    try:
        await _answer_to_locate(alice, ids["bob"], "error")  # hidden
        await bob.send_json_to({"type": "knock", "id": ids["alice"]})
        await receive_until(alice, "knocked")
        await alice.send_json_to({"type": "knock_answer", "id": ids["bob"], "accept": True})
        await receive_until(bob, "knock_answered")
        found = await _answer_to_locate(alice, ids["bob"], "located")  # he asked her over
        assert found["zone"] == "Blue Room"
        await sockets["carol"].send_json_to({"type": "locate", "id": ids["bob"]})  # nobody else
        assert (await receive_until(sockets["carol"], "error"))["code"] == "location_hidden"
    finally:
        for socket in sockets.values():
            await socket.disconnect()


def test_whether_someone_hides_where_they_are_reaches_the_other_processes_with_their_player_state():
    """No query per `locate`: the flag travels in the engine's replica, like blocks, so a process
    that only holds a copy of the player refuses too, and stops refusing once it is lifted."""
    from world.engine.engine import WorldEngine
    from world.finding import locate, people_in
    from world.tests.maps import open_map
    from world.tests.test_engine import join, make_engine

    home, other = make_engine(open_map()), make_engine(open_map())
    join(home, 9, 3.5, 2.5)
    join(other, 1, 2.5, 2.5)

    def relay(source: WorldEngine, target: WorldEngine) -> None:
        publication = source.tick(0).publication
        if publication is not None:
            target.apply_remote("home", upserts=publication["upserts"], moved=publication["moved"], gone=[])

    relay(home, other)
    assert locate(other, asker=1, target=9)["x"] == 3.5
    profile = {"name": "P9", "avatar": "ada", "avatar_url": "", "status": "available"}
    home.update_profile(9, **profile, hide_location=True)
    relay(home, other)
    with pytest.raises(AppError) as refused:
        locate(other, asker=1, target=9)
    assert (refused.value.code, refused.value.message) == ("location_hidden", "P9 does not share where they are.")
    assert [(p["id"], p["location_hidden"]) for p in people_in(other, asker=1) if p["id"] == 9] == [(9, True)]
    assert locate(other, asker=1, target=9, invited=True)["y"] == 2.5
    home.update_profile(9, **profile, hide_location=False)
    relay(home, other)
    assert locate(other, asker=1, target=9)["x"] == 3.5
