"""The echo bot: a player standing in a world who answers every call and sends the caller's own
audio and video back, so people can check their camera and microphone — the "test call" other
conferencing tools offer."""

import contextlib
from collections.abc import Callable
from typing import Any

from aiortc import RTCPeerConnection
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from signaling.bot import CallingPlayer, ClientSocket, expect


def echo_prepare(pc: RTCPeerConnection, peer: int, offering: bool) -> None:
    """Send back whatever arrives. Offering, the bot asks for audio and video both ways; the tracks
    it sends are filled in once the caller's arrive."""
    relay = MediaRelay()
    if offering:
        pc.addTransceiver("audio", direction="sendrecv")
        pc.addTransceiver("video", direction="sendrecv")

    @pc.on("track")
    def echo(track: MediaStreamTrack) -> None:
        # Unbuffered: a slow encoder drops frames rather than falling further and further behind.
        pc.addTrack(relay.subscribe(track, buffered=False))


async def echo_bot_run(
    *,
    url: str,
    slug: str,
    cookie: str,
    origin: str,
    ice: Callable[[], list[dict[str, Any]]],
    out: Callable[[str], None],
) -> None:
    """Enter the world at `url` as the session's player and answer calls until cancelled."""
    world = await ClientSocket.open(f"{url}/ws/world/{slug}/", cookie=cookie, origin=origin)
    signal: ClientSocket | None = None
    try:
        welcome = await expect(world, "welcome")
        signal = await ClientSocket.open(f"{url}/ws/signal/{slug}/", cookie=cookie, origin=origin)
        ready = await expect(signal, "ready")
        you = welcome["you"]
        player: CallingPlayer | None = None

        def report(kind: str, detail: dict[str, Any]) -> None:
            peer = int(detail.get("peer", detail.get("from", 0)))
            who = f"{player.names.get(peer, 'someone') if player else 'someone'} (player {peer})"
            if kind == "state" and detail["state"] in ("connected", "failed"):
                verb = "connected, echoing their audio and video" if detail["state"] == "connected" else "failed"
                out(f"call with {who}: {verb}")
            elif kind == "hangup":
                out(f"call with {who} ended: {detail['reason']}")
            elif kind == "error":
                out(f"the server refused a message: {detail['code']}: {detail['message']}")

        player = CallingPlayer(
            world=world, signal=signal, welcome=welcome, ready=ready, prepare=echo_prepare, ice=ice, notify=report
        )
        out(
            f"ready: {you['name']} (player {you['id']}) stands in {welcome['world']['name']} "
            f"at ({you['x']:g}, {you['y']:g}) and answers every call"
        )
        await player.run()
    finally:
        for socket in (signal, world):
            if socket is not None:
                with contextlib.suppress(Exception):
                    await socket.close()
