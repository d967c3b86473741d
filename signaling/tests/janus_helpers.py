"""A real Janus for the tests (docker/janus/start on free ports), and an aiortc participant that
joins a VideoRoom the way a page does (signaling/meeting.py)."""

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from metaverse.testing import free_port, need
from signaling.janus import VIDEOROOM, JanusError, JanusSession, core_token
from signaling.meeting import FRAMES_KEPT, JanusParticipant
from signaling.tests.helpers import host_address

BASE_DIR = Path(__file__).resolve().parents[2]
START_SECONDS = 15


@dataclass(frozen=True)
class RunningJanus:
    url: str
    token_secret: str
    admin_key: str
    log: Path
    pid: int = 0

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
        yield replace(janus, pid=process.pid)
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


class Participant(JanusParticipant):
    """signaling.meeting's participant, with a wait for frames of one kind from anyone."""

    async def frames(self, kind: str, count: int, seconds: float = 20.0) -> list[Any]:
        assert count <= FRAMES_KEPT
        async with asyncio.timeout(seconds):
            while len(self._of(kind)) < count:  # noqa: ASYNC110 - frames arrive in other tasks
                await asyncio.sleep(0.05)
        return self._of(kind)

    def _of(self, kind: str) -> list[Any]:
        return [frame for (_, got), frames in self.received.items() if got == kind for frame in frames]
