"""A participant in a Janus AudioBridge room that needs no browser (aiortc): it sends one track and
receives the room's mix of everyone else, in stereo, each voice placed where its sender says
(`spatial_position`, 0 hard left to 100 hard right). The page does the same (JanusCall.js); the
tests and `meeting_check` use this one."""

import asyncio
import contextlib
from typing import Any, Self

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame

from signaling.janus import AUDIOBRIDGE, JanusSession

CONNECTED_SECONDS = 15.0
FRAMES_KEPT = 25  # the latest half second of the mix


async def connect_with(peer: RTCPeerConnection, answer: dict[str, Any] | None) -> None:
    """Apply Janus's answer to our offer (a mix's, a video room's) and return once the media is up."""
    if answer is None:
        raise RuntimeError("Janus answered the offer without a session description")
    await peer.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
    async with asyncio.timeout(CONNECTED_SECONDS):
        while peer.connectionState != "connected":  # noqa: ASYNC110 - aiortc's state has no awaitable
            await asyncio.sleep(0.05)


class MixParticipant:
    def __init__(self, session: JanusSession, *, room: int, feed: int) -> None:
        self.session, self.room, self.feed = session, room, feed
        self.handle = 0
        self.peer = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.frames: list[AudioFrame] = []
        self._reader: asyncio.Task[None] | None = None

    @classmethod
    async def join(cls, url: str, *, token: str, room: int, feed: int, member_token: str, position: int = 50) -> Self:
        """Join the room as player `feed` with the room's entry token (JanusError 487-ish when the
        token is not on the room's list)."""
        session = await JanusSession.open(url, token=token)
        participant = cls(session, room=room, feed=feed)
        try:
            participant.handle = await session.attach(AUDIOBRIDGE)
            body = {
                "request": "join", "room": room, "id": feed, "display": str(feed), "token": member_token,
                "spatial_position": position,
            }  # fmt: skip
            await session.message(participant.handle, body)
        except BaseException:
            await participant.close()
            raise
        return participant

    async def connect(self, track: MediaStreamTrack) -> None:
        """Send `track` into the mix and receive the mix; returns once the media is up."""
        self.peer.addTransceiver(track, direction="sendrecv")

        @self.peer.on("track")
        def on_track(received: MediaStreamTrack) -> None:
            self._reader = asyncio.ensure_future(self._read(received))

        await self.peer.setLocalDescription(await self.peer.createOffer())
        offer = {"type": "offer", "sdp": self.peer.localDescription.sdp, "trickle": False}
        _, answer = await self.session.message(self.handle, {"request": "configure", "muted": False}, offer)
        await connect_with(self.peer, answer)

    async def move(self, position: int) -> None:
        """Place our voice elsewhere in everyone's mix."""
        await self.session.message(self.handle, {"request": "configure", "spatial_position": position})

    async def _read(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                if isinstance(frame, AudioFrame):
                    self.frames.append(frame)
                if len(self.frames) > FRAMES_KEPT:
                    del self.frames[0]

    async def latest(self, count: int, seconds: float = 10.0) -> list[AudioFrame]:
        """The next `count` frames of the mix (waits for them: older ones are dropped)."""
        self.frames.clear()
        async with asyncio.timeout(seconds):
            while len(self.frames) < count:  # noqa: ASYNC110 - frames arrive in another task
                await asyncio.sleep(0.05)
        return self.frames[-count:]

    async def events(self) -> list[dict[str, Any]]:
        """What Janus has said on its own since the last look (a kick, others joining)."""
        found = []
        while not self.session.events.empty():
            found.append(self.session.events.get_nowait())
        return found

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self.peer.close()
        await self.session.close()
