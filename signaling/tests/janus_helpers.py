"""A real Janus for the tests (docker/janus/start on free ports), and an aiortc participant that
joins a VideoRoom the way a page does: publish with the room's entry token, subscribe with the
publisher's private id."""

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from metaverse.testing import free_port, need
from signaling.janus import VIDEOROOM, JanusError, JanusSession, core_token
from signaling.tests.helpers import host_address

BASE_DIR = Path(__file__).resolve().parents[2]
START_SECONDS = 15


@dataclass(frozen=True)
class RunningJanus:
    url: str
    token_secret: str
    admin_key: str
    log: Path

    def token(self, *, plugins: tuple[str, ...] = (VIDEOROOM,), ttl: int = 600) -> str:
        return core_token(secret=self.token_secret, plugins=plugins, ttl=ttl)

    def settings(self) -> dict[str, Any]:
        return {"JANUS_URL": self.url, "JANUS_TOKEN_SECRET": self.token_secret, "JANUS_ADMIN_KEY": self.admin_key}


@contextlib.contextmanager
def running_janus(folder: Path) -> Iterator[RunningJanus]:
    """Janus from the shipped configuration, its WebSocket on a free port of 127.0.0.1; its media
    on this host's own address (it gathers no loopback candidates)."""
    need(shutil.which("janus") is not None, "needs the Janus WebRTC server (apt-get install janus)")
    need(host_address() is not None, "needs a non-loopback address for Janus's media")
    port = free_port()
    rtp = 30000 + secrets.randbelow(20000)
    janus = RunningJanus(
        f"ws://127.0.0.1:{port}", secrets.token_urlsafe(24), secrets.token_urlsafe(24), folder / "janus.log"
    )
    environment = {
        **os.environ, "JANUS_TOKEN_SECRET": janus.token_secret, "JANUS_ADMIN_KEY": janus.admin_key,
        "JANUS_WS_PORT": str(port), "JANUS_RTP_PORTS": f"{rtp}-{rtp + 400}", "JANUS_CONFIG_DIR": str(folder / "conf"),
    }  # fmt: skip
    with janus.log.open("wb") as log:
        process = subprocess.Popen(
            [str(BASE_DIR / "docker" / "janus" / "start"), "--disable-colors"],
            env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        # In a thread of its own: the caller may be inside an event loop (Playwright's sync API).
        with ThreadPoolExecutor(1) as waiter:
            waiter.submit(asyncio.run, _wait_until_answering(janus, process)).result()
        yield janus
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


async def _wait_until_answering(janus: RunningJanus, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            session = await JanusSession.open(janus.url, token=janus.token())
            await session.close()
            return
        except JanusError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Janus did not start:\n{janus.log.read_text(errors='replace')[-3000:]}") from None
            await asyncio.sleep(0.2)


class Participant:
    """One aiortc peer in a VideoRoom: a publisher of its own tracks and a subscriber of others'."""

    def __init__(self, session: JanusSession, *, room: int, feed: int, member_token: str) -> None:
        self.session, self.room, self.feed, self.member_token = session, room, feed, member_token
        self.private_id = 0
        self.publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.subscriber: RTCPeerConnection | None = None
        self.received: dict[str, list[Any]] = {}  # kind -> frames
        self.readers: list[asyncio.Task[None]] = []

    @classmethod
    async def join(cls, url: str, *, token: str, room: int, feed: int, member_token: str) -> "Participant":
        session = await JanusSession.open(url, token=token)
        participant = cls(session, room=room, feed=feed, member_token=member_token)
        try:
            participant.handle = await session.attach(VIDEOROOM)
            joined, _ = await session.message(
                participant.handle,
                {
                    "request": "join",
                    "ptype": "publisher",
                    "room": room,
                    "id": feed,
                    "display": str(feed),
                    "token": member_token,
                },
            )
        except BaseException:
            await participant.close()
            raise
        participant.private_id = int(joined["private_id"])
        return participant

    async def publish(self, *tracks: MediaStreamTrack) -> None:
        for track in tracks:
            self.publisher.addTrack(track)
        await self.publisher.setLocalDescription(await self.publisher.createOffer())
        offer = {"type": "offer", "sdp": self.publisher.localDescription.sdp, "trickle": False}
        _, answer = await self.session.message(self.handle, {"request": "publish", "audio": True, "video": True}, offer)
        assert answer is not None, "Janus answered the offer without a session description"
        await self.publisher.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        # Janus offers a feed to subscribers once its media is up.
        async with asyncio.timeout(15):
            while self.publisher.connectionState != "connected":  # noqa: ASYNC110 - aiortc's state, no event to await here
                await asyncio.sleep(0.05)

    async def subscribe(self, *feeds: int) -> None:
        handle = await self.session.attach(VIDEOROOM)
        body = {
            "request": "join", "ptype": "subscriber", "room": self.room, "private_id": self.private_id,
            "streams": [{"feed": feed} for feed in feeds], "token": self.member_token,
        }  # fmt: skip
        _, offer = await self.session.message(handle, body)
        assert offer is not None, "Janus attached the subscriber without an offer"
        self.subscriber = peer = RTCPeerConnection(RTCConfiguration(iceServers=[]))

        @peer.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self.readers.append(asyncio.ensure_future(self._read(track)))

        await peer.setRemoteDescription(RTCSessionDescription(offer["sdp"], offer["type"]))
        await peer.setLocalDescription(await peer.createAnswer())
        answer = {"type": "answer", "sdp": peer.localDescription.sdp, "trickle": False}
        await self.session.message(handle, {"request": "start"}, answer)

    async def _read(self, track: MediaStreamTrack) -> None:
        frames = self.received.setdefault(track.kind, [])
        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                if len(frames) < 200:
                    frames.append(frame)

    async def frames(self, kind: str, count: int, seconds: float = 20.0) -> list[Any]:
        async with asyncio.timeout(seconds):
            while len(self.received.get(kind, ())) < count:  # noqa: ASYNC110 - frames arrive in other tasks
                await asyncio.sleep(0.05)
        return self.received[kind]

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await self.publisher.close()
        if self.subscriber is not None:
            await self.subscriber.close()
        await self.session.close()
