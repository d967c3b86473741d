"""A player driven by code: in a world over /ws/world/ and /ws/signal/, calling every contact the
world gives it with aiortc, as a browser would. The echo bot is one; the tests' people are others.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from signaling.peer import PeerCall, Prepare, rtc_configuration

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 1024 * 1024
Notify = Callable[[str, dict[str, Any]], None]


class SocketClosed(Exception):
    """The server closed a socket (or refused it): `code` and `reason` as docs/protocol.md lists them."""

    def __init__(self, code: int | None, reason: str, message: str = "") -> None:
        super().__init__(message or reason or f"closed with code {code}")
        self.code = code
        self.reason = reason


class JsonSocket(Protocol):
    async def send_json(self, message: dict[str, Any]) -> None: ...

    async def receive_json(self) -> dict[str, Any]: ...

    async def close(self) -> None: ...


class ClientSocket:
    """A WebSocket client connection to our server, speaking its JSON messages."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, url: str, *, cookie: str, origin: str) -> "ClientSocket":
        connection = await connect(
            url, origin=origin, additional_headers={"Cookie": f"sessionid={cookie}"},  # type: ignore[arg-type]
            max_size=MAX_MESSAGE_BYTES, proxy=None, open_timeout=10,
        )  # fmt: skip
        return cls(connection)

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message, separators=(",", ":")))

    async def receive_json(self) -> dict[str, Any]:
        try:
            text = await self.connection.recv()
        except ConnectionClosed as closed:
            frame = closed.rcvd
            if frame is None:
                raise SocketClosed(None, "connection_lost", "the connection was lost") from None
            raise SocketClosed(frame.code, frame.reason) from None
        message: dict[str, Any] = json.loads(text)
        return message

    async def close(self) -> None:
        await self.connection.close()


async def expect(socket: JsonSocket, kind: str) -> dict[str, Any]:
    """The next message of a type, skipping others; a `closing` message raises SocketClosed."""
    while True:
        message = await socket.receive_json()
        if message.get("type") == kind:
            return message
        if message.get("type") == "closing":
            raise SocketClosed(message.get("code"), message.get("reason", ""), message.get("message", ""))


@dataclass(eq=False)
class _Line:
    """One call and the messages waiting for it, handled in order without holding up the others."""

    call: PeerCall
    inbox: "asyncio.Queue[dict[str, Any]]" = field(default_factory=asyncio.Queue)
    worker: "asyncio.Task[None] | None" = None


class CallingPlayer:
    """Calls every contact: the initiator offers, the other side answers (docs/protocol.md).

    Give it both sockets once `welcome` and `ready` have arrived (see `expect`), then `run()`.
    `notify(kind, detail)` hears what happens: `contacts`, `hangup`, `error` (the server's
    messages) and `state` ({"peer", "state"}: a peer connection's state changed).
    """

    def __init__(
        self, *, world: JsonSocket, signal: JsonSocket, welcome: dict[str, Any], ready: dict[str, Any],
        prepare: Prepare, ice: Callable[[], list[dict[str, Any]]] = list, notify: Notify | None = None,
    ) -> None:  # fmt: skip
        self.world = world
        self.signal = signal
        self.me: int = welcome["you"]["id"]
        self.names: dict[int, str] = {player["id"]: player["name"] for player in welcome["players"]}
        self._contacts: list[dict[str, Any]] = ready["contacts"]
        self._prepare = prepare
        self._ice = ice
        self._notify = notify or (lambda kind, detail: None)
        self.lines: dict[int, _Line] = {}

    def call(self, peer: int) -> PeerCall | None:
        line = self.lines.get(peer)
        return line.call if line else None

    async def run(self) -> None:
        """Until a socket closes (SocketClosed) or the task is cancelled; every call ends with it."""
        for contact in self._contacts:
            self._open(contact["id"], initiator=contact["initiator"], polite=contact["polite"])
        readers = [asyncio.ensure_future(self._read_world()), asyncio.ensure_future(self._read_signal())]
        try:
            done, _ = await asyncio.wait(readers, return_when=asyncio.FIRST_EXCEPTION)
            for reader in done:
                reader.result()
        finally:
            for reader in readers:
                reader.cancel()
            for peer in list(self.lines):
                await self._close(peer)

    async def _read_world(self) -> None:
        while True:
            message = await self.world.receive_json()
            kind = message.get("type")
            if kind == "tick":
                for player in message.get("entered", []) + message.get("updated", []):
                    self.names[player["id"]] = player["name"]
            elif kind == "contacts":
                self._notify("contacts", message)
                for contact in message["contacts"]:
                    if contact["id"] in message["added"]:
                        self._open(contact["id"], initiator=contact["initiator"], polite=contact["polite"])
                for peer in message["removed"]:
                    await self._close(peer)
            elif kind == "closing":
                raise SocketClosed(message["code"], message["reason"], message.get("message", ""))

    async def _read_signal(self) -> None:
        while True:
            message = await self.signal.receive_json()
            kind = message.get("type")
            if kind in ("offer", "answer", "candidate"):
                peer = message["from"]
                if peer not in self.lines and kind == "offer":
                    # The offer can overtake the world socket's news of the contact.
                    self._open(peer, initiator=False, polite=message["polite"])
                line = self.lines.get(peer)
                if line is not None:
                    line.inbox.put_nowait(message)
            elif kind == "hangup":
                self._notify("hangup", message)
                await self._close(message["from"])
            elif kind == "error":
                self._notify("error", message)
            elif kind == "closing":
                raise SocketClosed(message["code"], message["reason"], message.get("message", ""))

    def _open(self, peer: int, *, initiator: bool, polite: bool) -> None:
        if peer in self.lines:
            return

        def prepare(pc: Any, peer: int, offering: bool) -> None:
            self._prepare(pc, peer, offering)

            @pc.on("connectionstatechange")
            def changed() -> None:
                self._notify("state", {"peer": peer, "state": pc.connectionState})

        call = PeerCall(
            peer=peer, initiator=initiator, polite=polite, send=self.signal.send_json,
            configuration=rtc_configuration(self._ice()), prepare=prepare,
        )  # fmt: skip
        line = _Line(call)
        line.worker = asyncio.ensure_future(self._work(line))
        self.lines[peer] = line
        if initiator:
            line.inbox.put_nowait({"type": "start"})

    async def _work(self, line: _Line) -> None:
        while True:
            message = await line.inbox.get()
            try:
                if message["type"] == "start":
                    await line.call.start()
                else:
                    await line.call.handle(message)
            except Exception:
                log.exception("call with player %s: could not handle %s", line.call.peer, message["type"])

    async def _close(self, peer: int) -> None:
        line = self.lines.pop(peer, None)
        if line is None:
            return
        if line.worker is not None:
            line.worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await line.worker
        await line.call.hang_up()
