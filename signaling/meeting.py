"""A participant in a Janus VideoRoom that needs no browser (aiortc), and the meeting check built
on it (`manage.py meeting_check`): N guests walk into one meeting through the real server, get
their call tickets on the signal socket, join the call's Janus room, each sends its own colour and
tone, and each checks that what it receives from every other one is that one's colour and tone.
When the server mixes the call's sound (more than its CALL_AUDIO_MIX_LIMIT), each sends its tone to
the mix instead (signaling/mixer.py) and checks that its mix holds every other one's tone.
"""

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from signaling.bot import ClientSocket, expect
from signaling.janus import VIDEOROOM, JanusSession
from signaling.mixer import MixParticipant, connect_with
from signaling.synthetic import ColourTrack, ToneTrack, average_colour, tone_power

FRAMES_KEPT = 10  # per stream, the latest: enough to recognise it (200 ms of sound)
COLOUR_TOLERANCE = 60  # per channel, after VP8's round trip
TONE_DOMINANCE = 4.0  # the sender's pitch must hold this many times the power of any other's
CHECK_FPS = 5  # frames a second each guest sends: every other guest decodes them all
SUBSCRIPTIONS_AT_ONCE = 8  # being set up at once, across all guests
SETTLE_SECONDS = 1.0  # for every process to count everyone in the meeting (contacts: every 200 ms)
# Goertzel power of a tone of amplitude ~40 (of 32767) over MIX_FRAMES: anything quieter is not a voice
MIX_TONE_FLOOR = 1e11
MIX_AMPLITUDE = 1000  # thirty voices of this add up below 16-bit full scale: the mix does not clip
MIX_FRAMES = 25  # half a second of a mix to find every voice in


class JanusParticipant:
    """One aiortc peer in a VideoRoom: a publisher of its own tracks, a subscriber of others'."""

    def __init__(self, session: JanusSession, *, room: int, feed: int, member_token: str) -> None:
        self.session, self.room, self.feed, self.member_token = session, room, feed, member_token
        self.handle = 0
        self.private_id = 0
        self.publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.subscribers: list[RTCPeerConnection] = []
        self.received: dict[tuple[int, str], list[Any]] = {}  # (feed, kind) -> first frames
        self.first_frame_at: dict[tuple[int, str], float] = {}
        self.subscribed_at: dict[int, float] = {}  # feed -> when we asked Janus for it
        self.readers: list[asyncio.Task[None]] = []

    @classmethod
    async def join(cls, url: str, *, token: str, room: int, feed: int, member_token: str) -> Self:
        session = await JanusSession.open(url, token=token)
        participant = cls(session, room=room, feed=feed, member_token=member_token)
        try:
            participant.handle = await session.attach(VIDEOROOM)
            body = {
                "request": "join",
                "ptype": "publisher",
                "room": room,
                "id": feed,
                "display": str(feed),
                "token": member_token,
            }
            joined, _ = await session.message(participant.handle, body)
        except BaseException:
            await participant.close()
            raise
        participant.private_id = int(joined["private_id"])
        return participant

    async def publish(self, *tracks: MediaStreamTrack) -> None:
        """Publish and return once the media is up (Janus offers a feed to others only then)."""
        for track in tracks:
            self.publisher.addTrack(track)
        await self.publisher.setLocalDescription(await self.publisher.createOffer())
        offer = {"type": "offer", "sdp": self.publisher.localDescription.sdp, "trickle": False}
        _, answer = await self.session.message(self.handle, {"request": "publish", "audio": True, "video": True}, offer)
        await connect_with(self.publisher, answer)

    async def subscribe(self, *feeds: int, gate: asyncio.Semaphore | None = None) -> None:
        """One subscription, and one connection, per feed. (Janus can put every feed in one
        connection, as the page does; aiortc then routes same-codec streams by SSRC alone and
        mixes up whose sound is whose.) `gate` bounds how many are being set up at once across
        participants: in one Python process, hundreds of DTLS handshakes at once starve it."""
        await asyncio.gather(*(self._subscribe(feed, gate or asyncio.Semaphore(len(feeds) or 1)) for feed in feeds))

    async def _subscribe(self, feed: int, gate: asyncio.Semaphore) -> None:
        async with gate:
            await self._set_up_subscription(feed)

    async def _set_up_subscription(self, feed: int) -> None:
        self.subscribed_at[feed] = time.monotonic()
        handle = await self.session.attach(VIDEOROOM)
        body = {
            "request": "join", "ptype": "subscriber", "room": self.room, "private_id": self.private_id,
            "streams": [{"feed": feed}], "token": self.member_token,
        }  # fmt: skip
        _, offer = await self.session.message(handle, body)
        if offer is None:
            raise RuntimeError("Janus attached the subscriber without an offer")
        peer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.subscribers.append(peer)

        @peer.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self.readers.append(asyncio.ensure_future(self._read(feed, track)))

        await peer.setRemoteDescription(RTCSessionDescription(offer["sdp"], offer["type"]))
        await peer.setLocalDescription(await peer.createAnswer())
        answer = {"type": "answer", "sdp": peer.localDescription.sdp, "trickle": False}
        await self.session.message(handle, {"request": "start"}, answer)

    async def _read(self, feed: int, track: MediaStreamTrack) -> None:
        key = (feed, track.kind)
        frames = self.received.setdefault(key, [])
        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                self.first_frame_at.setdefault(key, time.monotonic())
                frames.append(frame)
                if len(frames) > FRAMES_KEPT:
                    del frames[0]  # the latest: a decoder's first frames may be silence

    async def wait_for(self, keys: list[tuple[int, str]], seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while any(len(self.received.get(key, ())) < FRAMES_KEPT for key in keys):  # noqa: ASYNC110 - frames come in other tasks
                    await asyncio.sleep(0.1)

    async def close(self) -> None:
        """Leave (what was received stays in `received`); closing again does nothing more."""
        for reader in self.readers:
            reader.cancel()
        await self.publisher.close()
        for subscriber in self.subscribers:
            await subscriber.close()
        await self.session.close()


# --- the meeting check ------------------------------------------------------------------------


def _palette(count: int) -> list[tuple[int, int, int]]:
    """`count` colours as far apart as a grid of four levels a channel allows: each next one the
    farthest (in its most different channel) from those already taken."""
    levels = (0, 85, 170, 255)
    grid = [(r, g, b) for r in levels for g in levels for b in levels]
    chosen = [(255, 0, 0)]
    while len(chosen) < count:
        chosen.append(max(grid, key=lambda colour: min(_distance(colour, taken) for taken in chosen)))
    return chosen


def _distance(first: tuple[int, int, int], second: tuple[int, int, int]) -> int:
    return max(abs(a - b) for a, b in zip(first, second, strict=True))


PALETTE = _palette(30)


def signature(index: int) -> tuple[tuple[int, int, int], float]:
    """Participant `index`'s colour (a palette of colours far apart) and tone (60 Hz steps up from
    300 Hz: thirty fit below 2.1 kHz, apart enough to tell even when all sound at once in a mix)."""
    return PALETTE[index], 300.0 + 60.0 * index


@dataclass
class Guest:
    index: int
    user_id: int
    cookie: str
    colour: tuple[int, int, int] = (0, 0, 0)
    tone: float = 0.0
    joined_ms: float = math.nan
    participant: JanusParticipant | None = None
    mix_ticket: dict[str, Any] | None = None  # when the server mixes the call's sound
    mix: MixParticipant | None = None  # then, our place in the mix
    sockets: list[ClientSocket] = field(default_factory=list)
    mix_frames: list[Any] = field(default_factory=list)


@dataclass
class MeetingResult:
    participants: int
    streams: int
    expected: int
    join_ms: list[float]
    first_frame_ms: list[float]
    missing: list[str]
    mixed: bool = False


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(value for value in values if not math.isnan(value))
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


async def _alone(step: str) -> None:
    """The meeting's steps need no one else's when one process holds every guest."""


async def run_meeting(
    *,
    ws_url: str,
    slug: str,
    origin: str,
    guests: list[Guest],
    seconds: float,
    out: Callable[[str], None],
    everyone: list[Guest] | None = None,
    together: Callable[[str], Awaitable[None]] = _alone,
) -> MeetingResult:
    """Meet as `guests`, among `everyone` (default: the same). With guests spread over several
    processes (signaling/meeting_shards.py), `together(step)` returns once every process has
    reached that step."""
    everyone = everyone or guests
    for guest in everyone:
        guest.colour, guest.tone = signature(guest.index)
    try:
        # Everyone in the world first, then onto the call: its ticket then says whether the call
        # is mixed for good (a call that grows past the mix limit as guests come would change it).
        await asyncio.gather(*(_enter(guest, ws_url, slug, origin, seconds) for guest in guests))
        await together("entered")
        await asyncio.sleep(SETTLE_SECONDS)
        await asyncio.gather(*(_arrive(guest, ws_url, slug, origin, seconds) for guest in guests))
        await together("arrived")
        out(f"all {len(everyone)} joined the call; receiving")
        feeds = {guest.user_id: guest for guest in everyone}
        gate = asyncio.Semaphore(SUBSCRIPTIONS_AT_ONCE)
        await asyncio.gather(
            *(_receive(guest, [f for f in feeds if f != guest.user_id], seconds, gate) for guest in guests)
        )
        if any(guest.mix_ticket is not None for guest in guests):
            # Into the mix once the pictures are checked and gone: with every guest in one Python
            # process, an event loop busy with video sends sound in bursts, which the mixer
            # (playing each voice in time) drops. A browser sends each voice on time.
            for guest in guests:
                if guest.participant is not None:
                    await guest.participant.close()  # what it received stays for the verdict
            await together("pictures checked")
            await asyncio.gather(*(_join_mix(guest, seconds) for guest in guests if guest.mix_ticket is not None))
            await together("mixed")
            await asyncio.sleep(SETTLE_SECONDS)
            await asyncio.gather(*(_listen_to_mix(guest, seconds) for guest in guests if guest.mix is not None))
        result = _judge(guests, feeds)
        await together("judged")  # nobody leaves the call while others still receive
        return result
    finally:
        for guest in guests:
            if guest.mix is not None:
                await guest.mix.close()
            if guest.participant is not None:
                await guest.participant.close()
            for socket in guest.sockets:
                with contextlib.suppress(Exception):
                    await socket.close()


async def _enter(guest: Guest, ws_url: str, slug: str, origin: str, seconds: float) -> None:
    """The world socket, until `welcome`: the first part of a join's time."""
    started = time.monotonic()
    async with asyncio.timeout(seconds):
        world = await ClientSocket.open(f"{ws_url}/ws/world/{slug}/", cookie=guest.cookie, origin=origin)
        guest.sockets.append(world)
        await expect(world, "welcome")
    guest.joined_ms = (time.monotonic() - started) * 1000


async def _arrive(guest: Guest, ws_url: str, slug: str, origin: str, seconds: float) -> None:
    """Signal socket, the `call` ticket, into Janus, publishing: the rest of a join's time."""
    started = time.monotonic()
    async with asyncio.timeout(seconds):
        signal = await ClientSocket.open(f"{ws_url}/ws/signal/{slug}/", cookie=guest.cookie, origin=origin)
        guest.sockets.append(signal)
        while (call := await expect(signal, "call"))["mode"] != "sfu":
            if call["mode"] == "unavailable":
                raise RuntimeError(f"the server says: {call['message']}")
        ticket = call["janus"]
        guest.participant = await JanusParticipant.join(
            ticket["url"],
            token=ticket["token"],
            room=ticket["room"],
            feed=ticket["feed"],
            member_token=ticket["member_token"],
        )
        if call.get("mix"):  # the sound goes to the call's mix (joined after the pictures are checked)
            guest.mix_ticket = {**ticket, "mix_room": call["mix"]["room"]}
            await guest.participant.publish(ColourTrack(guest.colour, (160, 120), fps=CHECK_FPS))
        else:
            await guest.participant.publish(ColourTrack(guest.colour, (160, 120), fps=CHECK_FPS), ToneTrack(guest.tone))
    guest.joined_ms += (time.monotonic() - started) * 1000


async def _join_mix(guest: Guest, seconds: float) -> None:
    """Into the call's mix with our tone, placed across it by index: timed as part of the join."""
    assert guest.mix_ticket is not None
    ticket, started = guest.mix_ticket, time.monotonic()
    async with asyncio.timeout(seconds):
        guest.mix = await MixParticipant.join(
            ticket["url"], token=ticket["token"], room=ticket["mix_room"], feed=ticket["feed"],
            member_token=ticket["member_token"], position=(37 * guest.index) % 101,
        )  # fmt: skip
        await guest.mix.connect(ToneTrack(guest.tone, amplitude=MIX_AMPLITUDE))
    guest.joined_ms += (time.monotonic() - started) * 1000


async def _receive(guest: Guest, feeds: list[int], seconds: float, gate: asyncio.Semaphore) -> None:
    assert guest.participant is not None
    await guest.participant.subscribe(*feeds, gate=gate)
    kinds = ("video",) if guest.mix_ticket is not None else ("video", "audio")
    await guest.participant.wait_for([(feed, kind) for feed in feeds for kind in kinds], seconds)


async def _listen_to_mix(guest: Guest, seconds: float) -> None:
    assert guest.mix is not None
    with contextlib.suppress(TimeoutError):
        guest.mix_frames = await guest.mix.latest(MIX_FRAMES, seconds)


def _judge(guests: list[Guest], feeds: dict[int, Guest]) -> MeetingResult:
    streams, missing, first_frames = 0, [], []
    tones = [guest.tone for guest in feeds.values()]
    colours = [guest.colour for guest in feeds.values()]
    for guest in guests:
        participant = guest.participant
        assert participant is not None
        for feed, sender in feeds.items():
            if sender is guest:
                continue
            video = participant.received.get((feed, "video"), [])
            audio = guest.mix_frames if guest.mix_ticket is not None else participant.received.get((feed, "audio"), [])
            seen = bool(video) and _same_colour(average_colour(video[-1]), sender.colour, colours)
            if guest.mix_ticket is not None:  # a mix holds every voice but the listener's own
                power = tone_power(audio, sender.tone) if audio else 0.0
                heard = power >= MIX_TONE_FLOOR and power >= TONE_DOMINANCE * tone_power(audio, guest.tone)
            else:
                heard = bool(audio) and _same_tone(audio, sender.tone, tones)
            if seen and heard:
                streams += 1  # one stream: this sender's picture and voice, both as sent
            if not seen:
                missing.append(f"{guest.index + 1} did not see {sender.index + 1}'s colour")
            if not heard:
                powers = (
                    ", ".join(f"{tone:.0f} Hz {tone_power(audio, tone):.2g}" for tone in tones) if audio else "no audio"
                )
                missing.append(f"{guest.index + 1} did not hear {sender.index + 1}'s tone ({powers})")
            for kind in ("video",) if guest.mix_ticket is not None else ("video", "audio"):
                arrived = participant.first_frame_at.get((feed, kind))
                if arrived is not None:
                    first_frames.append((arrived - participant.subscribed_at[feed]) * 1000)
    expected = len(guests) * (len(feeds) - 1)
    mixed = any(guest.mix_ticket is not None for guest in guests)
    return MeetingResult(len(guests), streams, expected, [g.joined_ms for g in guests], first_frames, missing, mixed)


def _same_colour(seen: tuple[int, int, int], sent: tuple[int, int, int], colours: list[tuple[int, int, int]]) -> bool:
    """Close to the sender's colour, and closer to it than to anyone else's."""
    nearest = min(colours, key=lambda colour: _distance(seen, colour))
    return nearest == sent and _distance(seen, sent) <= COLOUR_TOLERANCE


def _same_tone(frames: list[Any], sent: float, tones: list[float]) -> bool:
    own = tone_power(frames, sent)
    others = max((tone_power(frames, tone) for tone in tones if tone != sent), default=0.0)
    return own > 0 and own >= TONE_DOMINANCE * others
