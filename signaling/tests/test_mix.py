"""A call of more than CALL_AUDIO_MIX_LIMIT has its sound mixed by Janus's AudioBridge: the signal
socket lets each member into the call's mix and out again when the call shrinks; the mix is one
stereo stream per listener with each voice where its sender stands. Real sockets, a real Janus,
real aiortc media."""

import array
import asyncio
import math

import pytest
from django.test import override_settings

from accounts.models import User
from signaling import consumers
from signaling.janus import AUDIOBRIDGE, JanusError
from signaling.mixer import MixParticipant
from signaling.sfu import MIXER, RoomKeeper, get_keeper, member_token, room_id
from signaling.synthetic import SAMPLE_RATE, ToneTrack
from signaling.tests.helpers import enter, place

pytestmark = pytest.mark.timeout(120)

BLUE_ROOM = [(56.5, 2.5), (57.5, 2.5), (58.5, 8.5)]  # the demo's Blue Room, a meeting zone
DOOR = (58.5, 10.5)  # south of its door, outside
INSIDE = (58.5, 7.5)
NOT_ALLOWED = 489  # AudioBridge: "Unauthorized (not in the allowed list)"


def channel_power(frames, frequency: float) -> tuple[float, float]:
    """How much of `frequency` the left and the right channel of stereo frames hold (Goertzel)."""
    left, right = array.array("h"), array.array("h")
    for frame in frames:
        samples = array.array("h", bytes(frame.planes[0])[: frame.samples * 4])
        left.extend(samples[0::2])
        right.extend(samples[1::2])

    def power(samples) -> float:
        coefficient = 2 * math.cos(2 * math.pi * frequency / SAMPLE_RATE)
        previous = before = 0.0
        for sample in samples:
            previous, before = sample + coefficient * previous - before, previous
        return previous * previous + before * before - coefficient * previous * before

    return power(left), power(right)


async def _until_call(socket, seconds: float = 10):
    async with asyncio.timeout(seconds):
        while (message := await socket.receive_json_from(timeout=seconds))["type"] != "call":
            pass
    return message


async def _mix(ticket, position: int) -> MixParticipant:
    janus = ticket["janus"]
    return await MixParticipant.join(
        janus["url"], token=janus["token"], room=ticket["mix"]["room"], feed=janus["feed"],
        member_token=janus["member_token"], position=position,
    )  # fmt: skip


async def _until_empty(keeper: RoomKeeper, room: int) -> None:
    async with asyncio.timeout(5):
        while await keeper.participants(room, plugin=MIXER):  # noqa: ASYNC110 - Janus has no push for this
            await asyncio.sleep(0.1)


@pytest.fixture
def mixed_meeting(janus, demo_worlds, cookies, monkeypatch):
    """alice, bob and carol in the Blue Room, dave by its door; a call above 2, mixed above 3."""
    monkeypatch.setattr(consumers, "MIX_HANDOVER_SECONDS", 0.5)
    world = demo_worlds["demo"]
    placed = []
    for name, (x, y) in zip(("alice", "bob", "carol", "dave"), [*BLUE_ROOM, DOOR], strict=True):
        placed.append(cookies(name))
        place(User.objects.get(username=name), world, x, y)
    with override_settings(**janus.settings(), CALL_P2P_LIMIT=2, CALL_AUDIO_MIX_LIMIT=3):
        yield placed


async def test_a_call_over_the_mix_limit_is_mixed_in_stereo_and_unmixed_when_it_shrinks(mixed_meeting, demo_worlds):
    alice, bob, carol, dave = [await enter(cookie) for cookie in mixed_meeting]
    three = (alice, bob, carol)
    mixes: list[MixParticipant] = []
    try:
        for player in three:  # three in the room: a call, its sound per speaker in the video room
            ticket = await _until_call(player.signal)
            assert (ticket["mode"], ticket["call"], ticket["mix"]) == ("sfu", "zone-5", None)
        await dave.walk_to(*INSIDE)
        tickets = {}
        for player in (*three, dave):  # four: the same call, now mixed
            tickets[player.id] = ticket = await _until_call(player.signal)
            assert (ticket["mode"], ticket["call"]) == ("sfu", "zone-5")
            room = ticket["janus"]["room"]
            assert ticket["mix"] == {"room": room, "left": 56, "right": 59}
        assert room == room_id(world_id=demo_worlds["demo"].pk, name="zone-5")

        mixes = [await _mix(tickets[alice.id], 0), await _mix(tickets[bob.id], 100)]
        await asyncio.gather(mixes[0].connect(ToneTrack(500)), mixes[1].connect(ToneTrack(900)))
        heard_by_bob = await mixes[1].latest(10)
        left, right = channel_power(heard_by_bob, 500)
        assert left > 100 * max(right, 1.0), (left, right)  # alice, hard left
        assert max(channel_power(heard_by_bob, 900)) < left / 100  # not his own voice
        left, right = channel_power(await mixes[0].latest(10), 900)
        assert right > 100 * max(left, 1.0), (left, right)  # bob, hard right, in alice's mix

        outsider = await User.objects.aget(username="dave")
        with pytest.raises(JanusError) as refused:  # a member token of another call's mix
            await MixParticipant.join(
                tickets[alice.id]["janus"]["url"], token=tickets[alice.id]["janus"]["token"], room=room, feed=999,
                member_token=member_token(room=room + 1, user_id=outsider.pk),
            )  # fmt: skip
        assert refused.value.code == NOT_ALLOWED

        await dave.walk_to(*DOOR)  # three again: not mixed; out of the mix once the pages had time
        for player in (*three, dave):
            ticket = await _until_call(player.signal)
            expected = ("sfu", "zone-5") if player is not dave else ("p2p", None)
            assert (ticket["mode"], ticket["call"]) == expected
            assert ticket.get("mix") is None
        await _until_empty(get_keeper(), room)
        with pytest.raises(JanusError) as refused:
            await _mix(tickets[alice.id], 0)
        assert refused.value.code == NOT_ALLOWED  # the token no longer opens the mix
    finally:
        for mix in mixes:
            await mix.close()
        await get_keeper().close()
        for player in (alice, bob, carol, dave):
            await player.leave()


async def test_only_the_server_makes_mixes_and_a_token_opens_only_its_own(janus):
    with override_settings(**janus.settings(), SECRET_KEY="janus-tests-" + "k" * 40):
        keeper = RoomKeeper()
        try:
            first, second = room_id(world_id=1, name="zone-1"), room_id(world_id=1, name="zone-2")
            for room in (first, second):
                await keeper.ensure_room(room, description="mix", plugin=MIXER)
            await keeper.ensure_room(first, description="again", plugin=MIXER)  # idempotent
            await keeper.admit(first, 7, plugin=MIXER)
            token = janus.token(plugins=(AUDIOBRIDGE,))
            with pytest.raises(JanusError) as refused:
                await MixParticipant.join(
                    janus.url, token=token, room=second, feed=7, member_token=member_token(room=first, user_id=7)
                )
            assert refused.value.code == NOT_ALLOWED
            inside = await MixParticipant.join(
                janus.url, token=token, room=first, feed=7, member_token=member_token(room=first, user_id=7)
            )
            try:
                assert [found["id"] for found in await keeper.participants(first, plugin=MIXER)] == [7]
                await keeper.dismiss(first, 7, plugin=MIXER)
                await _until_empty(keeper, first)  # the kicked leave the mix as their connection closes
                await keeper.kick(first, 7, plugin=MIXER)  # gone already: no error
            finally:
                await inside.close()
            await keeper.destroy(first, plugin=MIXER)
            await keeper.destroy(first, plugin=MIXER)  # gone already: no error
        finally:
            await keeper.close()
