"""Django owns access to the media server: against a real Janus started from docker/janus/, with
real aiortc peers publishing and receiving through it."""

import asyncio
import os
import subprocess

import pytest
from django.test import override_settings

from signaling.janus import AUDIOBRIDGE, VIDEOROOM, JanusError, JanusSession, core_token
from signaling.sfu import RoomKeeper, member_token, room_id, ticket
from signaling.synthetic import ColourTrack, ToneTrack, average_colour, loudness
from signaling.tests.janus_helpers import BASE_DIR, Participant

pytestmark = pytest.mark.timeout(120)

RED, BLUE = (220, 30, 30), (30, 30, 220)


@pytest.fixture
def keeper(janus):
    with override_settings(**janus.settings(), SECRET_KEY="janus-tests-" + "k" * 40):
        yield RoomKeeper()


async def member(janus, room: int, feed: int) -> Participant:
    """Player `feed` joining `room` with its own entry token (on the room's list or not)."""
    return await Participant.join(
        janus.url, token=janus.token(), room=room, feed=feed, member_token=member_token(room=room, user_id=feed)
    )


async def _room(keeper: RoomKeeper, name: str) -> int:
    room = room_id(world_id=1, name=name)
    await keeper.ensure_room(room, description=name)
    return room


async def test_janus_refuses_a_token_signed_with_another_secret_or_for_another_plugin(janus):
    forged = core_token(secret="not-the-secret-at-all", ttl=600)
    with pytest.raises(JanusError) as refused:
        await JanusSession.open(janus.url, token=forged)
    assert refused.value.code == 403
    session = await JanusSession.open(janus.url, token=janus.token(plugins=(AUDIOBRIDGE,)))
    try:
        with pytest.raises(JanusError) as wrong_plugin:
            await session.attach(VIDEOROOM)
        assert wrong_plugin.value.code == 405
    finally:
        await session.close()


async def test_only_the_server_creates_rooms(janus, keeper):
    session = await JanusSession.open(janus.url, token=janus.token())
    try:
        handle = await session.attach(VIDEOROOM)
        with pytest.raises(JanusError) as refused:
            await session.request(handle, {"request": "create", "room": 4242, "is_private": False})
        assert refused.value.code in (429, 433)  # no admin key: Janus's "missing element" / "unauthorized"
    finally:
        await session.close()
    room = await _room(keeper, "created-twice")
    await keeper.ensure_room(room, description="again")  # another process asking: no error
    assert await keeper.participants(room) == []
    await keeper.close()


async def test_a_member_publishes_and_another_member_receives_through_the_room(janus, keeper):
    room = await _room(keeper, "meeting")
    await keeper.admit(room, 11)
    await keeper.admit(room, 12)
    alice = await member(janus, room, 11)
    bob = await member(janus, room, 12)
    try:
        await alice.publish(ColourTrack(RED), ToneTrack())
        await bob.subscribe(11)
        frames = await bob.frames("video", 5)
        red, green, blue = average_colour(frames[-1])
        assert (red > 150, green < 90, blue < 90) == (True, True, True), (red, green, blue)
        audio = await bob.frames("audio", 5)
        assert max(loudness(frame) for frame in audio) > 1000
        ids = {found["id"] for found in await keeper.participants(room)}
        assert ids == {11, 12}
    finally:
        await alice.close()
        await bob.close()
        await keeper.close()


async def test_a_token_opens_only_its_own_room_and_only_while_admitted(janus, keeper):
    first, second = await _room(keeper, "first"), await _room(keeper, "second")
    await keeper.admit(first, 21)
    own = member_token(room=first, user_id=21)
    with pytest.raises(JanusError) as other_room:
        await Participant.join(janus.url, token=janus.token(), room=second, feed=21, member_token=own)
    assert other_room.value.code == 433
    with pytest.raises(JanusError) as not_admitted:
        await member(janus, first, 22)
    assert not_admitted.value.code == 433
    inside = await Participant.join(janus.url, token=janus.token(), room=first, feed=21, member_token=own)
    await inside.close()
    await keeper.close()


async def test_dismissing_a_member_kicks_the_feed_and_shuts_the_door(janus, keeper):
    room = await _room(keeper, "dismissal")
    await keeper.admit(room, 31)
    token = member_token(room=room, user_id=31)
    carol = await Participant.join(janus.url, token=janus.token(), room=room, feed=31, member_token=token)
    try:
        await carol.publish(ColourTrack(BLUE))
        await keeper.dismiss(room, 31)
        async with asyncio.timeout(10):
            while True:
                event = await carol.session.events.get()
                data = event.get("plugindata", {}).get("data", {})
                if data.get("leaving") == "ok" or event.get("janus") == "detached":
                    break
        assert await keeper.participants(room) == []
        with pytest.raises(JanusError) as refused:
            await Participant.join(janus.url, token=janus.token(), room=room, feed=31, member_token=token)
        assert refused.value.code == 433
    finally:
        await carol.close()
        await keeper.close()


async def test_a_sweep_kicks_whoever_is_not_a_member(janus, keeper):
    room = await _room(keeper, "sweep")
    await keeper.admit(room, 41)
    await keeper.admit(room, 42)
    dave = await member(janus, room, 41)
    erin = await member(janus, room, 42)
    try:
        assert await keeper.sweep(room, {41}) == [42]
        assert [found["id"] for found in await keeper.participants(room)] == [41]
    finally:
        await dave.close()
        await erin.close()
        await keeper.close()


def test_a_ticket_carries_what_the_page_needs(janus):
    with override_settings(**janus.settings(), SECRET_KEY="janus-tests-" + "k" * 40, JANUS_TOKEN_TTL=600):
        room = room_id(world_id=3, name="zone-2")
        issued = ticket(room=room, user_id=7, now=1_000_000).as_message()
        assert (issued["url"], issued["room"], issued["feed"]) == (janus.url, room, 7)
        assert issued["member_token"] == member_token(room=room, user_id=7)
        assert issued["token"].startswith(f"{1_000_600},janus,{VIDEOROOM},{AUDIOBRIDGE}:")
        assert room_id(world_id=3, name="zone-2") == room != room_id(world_id=4, name="zone-2")
        assert 0 < room < 2**53


def test_the_start_script_refuses_to_run_without_the_secrets(tmp_path):
    environment = {"PATH": os.environ["PATH"], "JANUS_CONFIG_DIR": str(tmp_path / "conf"), "JANUS_ADMIN_KEY": "short"}
    result = subprocess.run(
        [str(BASE_DIR / "docker" / "janus" / "start")], env=environment, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "set JANUS_TOKEN_SECRET to 16-200 characters" in result.stderr
    assert not (tmp_path / "conf").exists()  # nothing rendered


async def test_the_sweep_kicks_a_feed_that_is_not_in_its_call_on_the_second_look(janus, keeper):
    class World:  # what the sweep reads of a world: its id, who is in which call, which are mixed
        world_id = 1
        calls = {51: "zone-7"}

        def call_mixed(self, call):
            return False

    class Hub:
        engines = {1: World()}

    room = await _room(keeper, "zone-7")
    for feed in (51, 52):
        await keeper.admit(room, feed)
    inside = [await member(janus, room, feed) for feed in (51, 52)]
    try:
        assert await keeper.sweep_calls(Hub()) == []  # 52 is a stranger once: maybe just arriving
        assert await keeper.sweep_calls(Hub()) == [(room, 52)]
        assert [found["id"] for found in await keeper.participants(room)] == [51]
    finally:
        for participant in inside:
            await participant.close()
        await keeper.close()
