"""A WebRTC call with one other player over /ws/signal/, made with aiortc: what the echo bot (and
the tests) use, following docs/protocol.md as a browser does — "perfect negotiation" — except
that aiortc gathers every ICE candidate before it hands out a description, so it sends none on
their own and takes the other side's trickled ones."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc import RTCConfiguration, RTCIceCandidate, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]
# Called with each new RTCPeerConnection, the peer's id and whether this side will offer: add
# tracks, transceivers and data channels, and register event handlers.
Prepare = Callable[[RTCPeerConnection, int, bool], None]


def rtc_configuration(servers: list[dict[str, Any]]) -> RTCConfiguration:
    """aiortc's RTCConfiguration from the `iceServers` that /api/rtc/ice-servers/ hands out."""
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(urls=server["urls"], username=server.get("username"), credential=server.get("credential"))
            for server in servers
        ]
    )


def candidate_from_json(data: dict[str, Any] | None) -> RTCIceCandidate | None:
    """An RTCIceCandidateInit as browsers send it; None for end-of-candidates."""
    if data is None or not data.get("candidate"):
        return None
    text = str(data["candidate"]).removeprefix("candidate:")
    candidate = candidate_from_sdp(text)
    candidate.sdpMid = data.get("sdpMid")
    candidate.sdpMLineIndex = data.get("sdpMLineIndex")
    return candidate


class PeerCall:
    """One peer connection with player `peer`. Feed it what /ws/signal/ says about that player."""

    def __init__(
        self, *, peer: int, initiator: bool, polite: bool, send: Send, configuration: RTCConfiguration, prepare: Prepare
    ) -> None:
        self.peer = peer
        self.initiator = initiator
        self.polite = polite
        self._send = send
        self._configuration = configuration
        self._prepare = prepare
        self._making_offer = False
        self._pending: list[RTCIceCandidate | None] = []
        self.closed = False
        self.pc = self._new_connection(offering=initiator)

    def _new_connection(self, *, offering: bool) -> RTCPeerConnection:
        pc = RTCPeerConnection(configuration=self._configuration)
        self._prepare(pc, self.peer, offering)
        return pc

    async def start(self) -> None:
        """The initiator offers as soon as the contact is added; the other side waits for it."""
        if self.initiator:
            await self.offer()

    async def offer(self) -> None:
        self._making_offer = True
        try:
            await self.pc.setLocalDescription(await self.pc.createOffer())
        finally:
            self._making_offer = False
        await self._send({"type": "offer", "to": self.peer, "sdp": self.pc.localDescription.sdp})

    async def handle(self, message: dict[str, Any]) -> None:
        """An `offer`, `answer` or `candidate` from the peer."""
        if self.closed:
            return
        self.polite = bool(message.get("polite", self.polite))
        kind = message["type"]
        if kind == "offer":
            await self._take_offer(message["sdp"])
        elif kind == "answer":
            if self.pc.signalingState == "have-local-offer":
                await self.pc.setRemoteDescription(RTCSessionDescription(sdp=message["sdp"], type="answer"))
                await self._add_pending()
        elif kind == "candidate":
            candidate = candidate_from_json(message.get("candidate"))
            if self.pc.remoteDescription is None:
                self._pending.append(candidate)
            else:
                await self._add_candidate(candidate)

    async def _take_offer(self, sdp: str) -> None:
        collision = self._making_offer or self.pc.signalingState != "stable"
        if collision and not self.polite:
            return  # the impolite side ignores the other offer; ours wins
        if collision:
            # The polite side yields. aiortc cannot roll back a local offer, so it starts over
            # with a fresh connection that answers theirs.
            await self.pc.close()
            self._pending.clear()
            self.pc = self._new_connection(offering=False)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await self._send({"type": "answer", "to": self.peer, "sdp": self.pc.localDescription.sdp})
        await self._add_pending()

    async def _add_pending(self) -> None:
        pending, self._pending = self._pending, []
        for candidate in pending:
            await self._add_candidate(candidate)

    async def _add_candidate(self, candidate: RTCIceCandidate | None) -> None:
        try:
            await self.pc.addIceCandidate(candidate)
        except ValueError as error:  # a candidate for a media section we do not have
            log.debug("ignoring a candidate from %s: %s", self.peer, error)

    async def hang_up(self, *, tell_peer: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        if tell_peer:
            await self._send({"type": "hangup", "to": self.peer})
        await self.pc.close()
