"""A real WebRTC call: two players, each an aiortc peer, walk into contact, negotiate over
/ws/signal/ on the real ASGI application, talk, and are hung up when one walks away."""

import asyncio
import contextlib

import pytest
from aiortc.mediastreams import MediaStreamTrack

from metaverse.testing import need
from signaling.bot import CallingPlayer
from signaling.synthetic import ToneTrack, loudness
from signaling.tests.helpers import BOB_FAR_X, CommunicatorSocket, enter, host_address

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


async def next_event(events, kind, where=lambda detail: True, timeout=15.0):  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            got, detail = await events.get()
            if got == kind and where(detail):
                return detail


class Person:
    """What one side of the call records: events, data channel messages, the tracks it receives."""

    def __init__(self, name):
        self.name = name
        self.events: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()
        self.messages: asyncio.Queue[str] = asyncio.Queue()
        self.tracks: asyncio.Queue[MediaStreamTrack] = asyncio.Queue()

    def notify(self, kind, detail):
        self.events.put_nowait((kind, detail))

    def prepare(self, pc, peer, offering):
        pc.addTrack(ToneTrack())
        if offering:
            channel = pc.createDataChannel("chat")

            @channel.on("open")
            def opened():
                channel.send(f"hello from {self.name}")

            channel.on("message", self.messages.put_nowait)

        @pc.on("datachannel")
        def arrived(channel):
            @channel.on("message")
            def answered(message):
                self.messages.put_nowait(message)
                channel.send(f"hello from {self.name}")

        pc.on("track", self.tracks.put_nowait)


async def test_two_aiortc_players_walk_into_contact_talk_and_are_hung_up_when_one_walks_away(lobby):
    need(host_address() is not None, "aiortc needs a non-loopback address for its host candidates")
    alice, bob = await enter(lobby["alice"][1]), await enter(lobby["bob"][1])
    people = {"alice": Person("alice"), "bob": Person("bob")}
    runs = [
        asyncio.ensure_future(
            CallingPlayer(
                world=CommunicatorSocket(player.world), signal=CommunicatorSocket(player.signal),
                welcome=player.welcome, ready=player.ready, prepare=person.prepare, notify=person.notify,
            ).run()
        )
        for player, person in ((alice, people["alice"]), (bob, people["bob"]))
    ]  # fmt: skip
    try:
        await bob.walk_to(26.5)
        contacts = await next_event(people["alice"].events, "contacts", lambda m: bob.id in m["added"])
        assert contacts["contacts"] == [{"id": bob.id, "initiator": True, "polite": False}]
        await next_event(people["bob"].events, "contacts", lambda m: alice.id in m["added"])

        for name, peer in (("alice", bob.id), ("bob", alice.id)):
            await next_event(
                people[name].events, "state", lambda d, peer=peer: d == {"peer": peer, "state": "connected"}
            )
        async with asyncio.timeout(10):
            assert await people["bob"].messages.get() == "hello from alice"
            assert await people["alice"].messages.get() == "hello from bob"
        for person in people.values():
            track = await asyncio.wait_for(person.tracks.get(), 5)
            assert track.kind == "audio"
            frames = [await asyncio.wait_for(track.recv(), 5) for _ in range(25)]
            assert max(loudness(frame) for frame in frames) > 1000  # the tone, not silence

        await bob.walk_to(BOB_FAR_X)
        for name, peer in (("alice", bob.id), ("bob", alice.id)):
            hangup = await next_event(people[name].events, "hangup")
            assert hangup == {"type": "hangup", "from": peer, "reason": "contact_ended"}
    finally:
        for run in runs:
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
        await alice.leave()
        await bob.leave()
