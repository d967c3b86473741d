"""A meeting over CALL_P2P_LIMIT goes through the media server: the signal socket admits each
member to the call's Janus room and hands the page its ticket; leaving the call takes the member
out. Real sockets, a real Janus, real aiortc media."""

import asyncio
import os
import signal
import time

import pytest
from django.test import override_settings

from accounts.models import User
from conftest import receive_until
from signaling import sfu
from signaling.janus import JanusError
from signaling.sfu import get_keeper, member_token, room_id
from signaling.synthetic import ColourTrack, average_colour
from signaling.tests.helpers import enter, place
from signaling.tests.janus_helpers import Participant, running_janus

pytestmark = pytest.mark.timeout(120)

BLUE_ROOM = [(56.5, 2.5), (57.5, 2.5), (58.5, 8.5)]  # the demo's Blue Room, a meeting zone; carol by its door
OUTSIDE = (58.5, 10.5)  # south of its door


async def _until_call(socket):
    """The next `call` message, and what came before it."""
    before = []
    async with asyncio.timeout(10):
        while (message := await socket.receive_json_from(timeout=10))["type"] != "call":
            before.append(message)
    return message, before


async def _join(ticket):
    janus = ticket["janus"]
    return await Participant.join(
        janus["url"], token=janus["token"], room=janus["room"], feed=janus["feed"], member_token=janus["member_token"]
    )


@pytest.fixture
def in_the_blue_room(demo_worlds, cookies):
    """alice, bob and carol's cookies, each placed in the Blue Room."""
    placed = []
    for name, (x, y) in zip(("alice", "bob", "carol"), BLUE_ROOM, strict=True):
        cookie = cookies(name)
        place(User.objects.get(username=name), demo_worlds["demo"], x, y)
        placed.append(cookie)
    return placed


@pytest.fixture
def meeting(janus, in_the_blue_room):
    with override_settings(**janus.settings(), CALL_P2P_LIMIT=2):
        yield in_the_blue_room


async def test_a_meeting_over_the_limit_is_carried_by_janus_and_only_its_members_get_in(meeting, demo_worlds):
    alice, bob = [await enter(cookie) for cookie in meeting[:2]]
    # Two in the room, at the limit: peer-to-peer, as always.
    await receive_until(alice.world, "contacts", timeout=5, where=lambda m: m["added"] == [bob.id])
    carol = await enter(meeting[2])
    members = sorted(player.id for player in (alice, bob, carol))
    tickets = {}
    before = {}
    for player in (alice, bob, carol):
        tickets[player.id], before[player.id] = await _until_call(player.signal)
        assert tickets[player.id]["mode"] == "sfu"
        assert tickets[player.id]["call"] == "zone-5"
        assert tickets[player.id]["members"] == members
        assert tickets[player.id]["janus"]["feed"] == player.id

    # alice and bob were in a peer-to-peer call of two before carol came: told it moved, not ended
    hangups = [(m["from"], m["reason"]) for m in before[alice.id] if m["type"] == "hangup"]
    assert hangups == [(bob.id, "call_moved")]

    in_room = [await _join(tickets[player.id]) for player in (alice, bob, carol)]
    try:
        await in_room[0].publish(ColourTrack((30, 200, 30)))
        await in_room[1].subscribe(alice.id)
        frames = await in_room[1].frames("video", 5)
        assert average_colour(frames[-1])[1] > 150  # bob sees alice's green through Janus

        # Carol steps out of the room's door in one move: the meeting drops to two, peer-to-peer
        # again for all, and within a second nobody is left in the Janus room.
        stepped = time.monotonic()
        await carol.world.send_json_to({"type": "move", "x": 58.5, "y": 9.6, "dir": "down", "moving": False})
        room = tickets[alice.id]["janus"]["room"]
        assert room == room_id(world_id=demo_worlds["demo"].pk, name="zone-5")
        async with asyncio.timeout(3):
            while await get_keeper().participants(room):  # noqa: ASYNC110 - Janus has no push for this
                await asyncio.sleep(0.05)
        assert time.monotonic() - stepped < 1.0  # every feed kicked, carol's too, within a second
        for player in (alice, bob, carol):
            ended, _ = await _until_call(player.signal)
            assert (ended["mode"], ended["call"]) == ("p2p", None)
        with pytest.raises(JanusError) as refused:
            await _join(tickets[carol.id])
        assert refused.value.code == 433  # and the tokens no longer open the room
        assert tickets[alice.id]["janus"]["member_token"] == member_token(room=room, user_id=alice.id)
    finally:
        for participant in in_room:
            await participant.close()
        await get_keeper().close()
        for player in (alice, bob, carol):
            await player.leave()


async def test_without_janus_the_meeting_falls_back_to_peer_to_peer(in_the_blue_room, tmp_path, monkeypatch):
    monkeypatch.setattr(sfu, "WATCH_SECONDS", 0.5)
    with running_janus(tmp_path) as janus, override_settings(**janus.settings(), CALL_P2P_LIMIT=2):
        people = [await enter(cookie) for cookie in in_the_blue_room]
        try:
            for player in people:
                assert (await _until_call(player.signal))[0]["mode"] == "sfu"
            os.kill(janus.pid, signal.SIGKILL)
            for player in people:  # within a few seconds: peer-to-peer, everyone in contact
                fallback, _ = await _until_call(player.signal)
                assert (fallback["mode"], fallback["call"]) == ("p2p", None)
                others = {other.id for other in people if other is not player}
                await receive_until(player.world, "contacts", timeout=5, where=lambda m, o=others: set(m["added"]) >= o)
        finally:
            await get_keeper().close()
            for player in people:
                await player.leave()
