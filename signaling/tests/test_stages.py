"""A stage through the media server (docs/maps.md, docs/protocol.md `call.stage`): the demo
garden's speaker area and its audience are one call; the speaker publishes and the audience,
told it only listens, receives the speaker and sends nothing. Real sockets, a real Janus, real
aiortc media."""

import asyncio

import pytest
from django.test import override_settings

from accounts.models import User
from conftest import receive_until
from signaling.sfu import get_keeper
from signaling.synthetic import ColourTrack, average_colour
from signaling.tests.helpers import enter, place
from signaling.tests.janus_helpers import Participant
from signaling.tests.test_calls import _until_call

ON_STAGE = (32.5, 35.5)  # the demo's "Garden stage" (speaker area)
AUDIENCE = [(30.5, 39.5), (35.5, 42.5)]  # in the "Garden audience", far from the stage and each other


@pytest.fixture
def garden(janus, demo_worlds, cookies):
    placed = []
    for name, (x, y) in zip(("alice", "bob", "carol"), [ON_STAGE, *AUDIENCE], strict=True):
        cookie = cookies(name)
        place(User.objects.get(username=name), demo_worlds["demo"], x, y)
        placed.append(cookie)
    with override_settings(**janus.settings()):  # CALL_P2P_LIMIT as shipped: a stage is a call at any size
        yield placed


async def test_the_audience_receives_the_speaker_and_sends_nothing(garden):
    alice, bob, carol = [await enter(cookie) for cookie in garden]
    joined = []
    try:
        tickets = {player.id: (await _until_call(player.signal))[0] for player in (alice, bob, carol)}
        assert {ticket["call"] for ticket in tickets.values()} == {"stage-0"}
        assert tickets[alice.id]["stage"] == {"role": "speaker", "speakers": [alice.id]}
        assert tickets[bob.id]["stage"] == {"role": "listener", "speakers": [alice.id]}
        assert tickets[carol.id]["mix"] is None
        janus = {pid: ticket["janus"] for pid, ticket in tickets.items()}
        speaker, listener = [
            await Participant.join(
                janus[pid]["url"], token=janus[pid]["token"], room=janus[pid]["room"], feed=janus[pid]["feed"],
                member_token=janus[pid]["member_token"],
            )
            for pid in (alice.id, bob.id)
        ]  # fmt: skip
        joined += [speaker, listener]
        await speaker.publish(ColourTrack((200, 40, 40)))
        await listener.subscribe(alice.id)  # the listener publishes nothing: it only subscribes
        frames = await listener.frames("video", 5)
        assert average_colour(frames[-1])[0] > 150  # bob sees alice's red through Janus
        room = janus[alice.id]["room"]
        publishers = [found for found in await get_keeper().participants(room) if found.get("publisher")]
        assert [int(found["id"]) for found in publishers] == [alice.id]  # nothing reaches the stage back
    finally:
        for participant in joined:
            await participant.close()
        await get_keeper().close()
        for player in (alice, bob, carol):
            await player.leave()


async def test_stepping_onto_the_stage_makes_a_listener_a_speaker(garden):
    alice, bob, carol = [await enter(cookie) for cookie in garden]
    try:
        for player in (alice, bob, carol):
            await _until_call(player.signal)
        # bob walks up from the audience to the stage, step by step at walking pace (carol stays).
        path = [(30.5, 38.5), (31.5, 37.5), (31.5, 36.5), (31.5, 35.5)]
        for seq, (x, y) in enumerate(path, start=1):
            await bob.world.send_json_to({"type": "move", "x": x, "y": y, "dir": "up", "moving": True, "seq": seq})
            await asyncio.sleep(0.3)
        async with asyncio.timeout(5):
            while True:
                ticket, _ = await _until_call(bob.signal)
                if (ticket.get("stage") or {}).get("role") == "speaker":
                    break
        assert ticket["call"] == "stage-0"
        assert sorted(ticket["stage"]["speakers"]) == sorted([alice.id, bob.id])
    finally:
        await get_keeper().close()
        for player in (alice, bob, carol):
            await player.leave()


SDP = "v=0\r\no=- 4612 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


@pytest.fixture
def garden_without_janus(demo_worlds, cookies):
    placed = []
    for name, (x, y) in zip(("alice", "bob"), [ON_STAGE, AUDIENCE[0]], strict=True):
        cookie = cookies(name)
        place(User.objects.get(username=name), demo_worlds["demo"], x, y)
        placed.append(cookie)
    return placed


async def test_without_a_media_server_the_speakers_offer_tells_the_audience_to_send_nothing(garden_without_janus):
    alice, bob = [await enter(cookie) for cookie in garden_without_janus]
    try:
        [entry] = (await receive_until(bob.world, "contacts", where=lambda m: alice.id in m["added"]))["contacts"]
        assert entry == {"id": alice.id, "initiator": False, "polite": True, "listen": True}
        await receive_until(alice.world, "contacts", where=lambda m: bob.id in m["added"])
        await alice.signal.send_json_to({"type": "offer", "to": bob.id, "sdp": SDP})
        offer = await receive_until(bob.signal, "offer")
        assert offer == {"type": "offer", "from": alice.id, "polite": True, "listen": True, "sdp": SDP}
        await bob.signal.send_json_to({"type": "answer", "to": alice.id, "sdp": SDP})
        answer = await receive_until(alice.signal, "answer")
        assert answer == {"type": "answer", "from": bob.id, "polite": False, "sdp": SDP}  # no `listen` that way
    finally:
        for player in (alice, bob):
            await player.leave()
