"""daphne as this project runs it (`python manage.py serve`): close frames that carry their reason,
a proper 1009 close for an oversized frame, and a graceful shutdown.

On SIGTERM (docker compose stop, systemd stop) the process
1. stops listening, so new connections go to another process (or are refused and retried),
2. tells every socket to close with `closing` 1012 (service restart): each does so in its own
   task and runs its leave path (its position saved, its groups left); new sockets that still
   arrive are refused the same way,
3. saves the positions of anyone left and cancels what still runs after DRAIN_SECONDS,
4. exits. A watchdog ends the process at EXIT_DEADLINE_SECONDS whatever worker threads are
   doing (a thread stuck on an unreachable database would otherwise keep it alive for good).

It is also where the process-wide changes a server under load wants are made, each behind its
setting (`install_process_patches`); nothing else (tests, other commands) gets them by importing
the application.
"""

import asyncio
import logging
import os
import threading
import time
from typing import Any

from autobahn.util import encode_truncate
from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from django.conf import settings
from twisted.internet import defer

from metaverse import frames, gcpolicy, inbound, transport
from metaverse.bus import get_bus

log = logging.getLogger(__name__)

DRAIN_SECONDS = 6.0
CANCEL_SECONDS = 1.5
EXIT_DEADLINE_SECONDS = 9.5
# A client that vanished without closing is noticed by an unanswered ping: idle PING_INTERVAL
# seconds, then PING_TIMEOUT seconds for the answer (daphne looks every 2 s).
PING_INTERVAL = 3
PING_TIMEOUT = 5
MAX_MESSAGE_BYTES = 256 * 1024


class ReasonedWebSocketProtocol(WebSocketProtocol):
    """daphne drops the `reason` of an ASGI `websocket.close`; our close frames carry it. (Through
    the frame-level call: autobahn's sendClose refuses the server-side codes 1011-1013.)

    Small text messages are read here and offered to the socket as they come (metaverse/inbound.py),
    when `reads_inline` (FAST_SOCKET_READS)."""

    reads_inline = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inline = inbound.InlineSlot()

    def _dataReceived(self, data: bytes) -> None:
        # Only with nothing of an earlier read pending in autobahn (a partial frame, a message
        # in fragments) and no per-frame logging, compression or traffic statistics wanted.
        if (
            self.reads_inline
            and self.state == self.STATE_OPEN
            and not self.data
            and self.current_frame is None
            and not self.inside_message
            and self._perMessageCompress is None
            and not (self.logOctets or self.logFrames or self.trackedTimings)
        ):
            texts, used = inbound.small_text_frames(data)
            if used:
                for text in texts:
                    self._text_received(text)
                if self.autoPingTimeoutCall and self.autoPingRestartOnAnyTraffic:
                    self._cancelAutoPingTimeoutCall()  # as autobahn does for any data frame
                data = data[used:]
                if not data:
                    return
        super()._dataReceived(data)

    def _text_received(self, text: str) -> None:
        """daphne's onMessage for a text message, offered to the socket first."""
        if self.muted:
            return
        self.last_ping = time.time()
        handler = self.inline.handler
        if handler is None or not handler(text):
            self.application_queue.put_nowait({"type": "websocket.receive", "text": text})

    def handle_reply(self, message: dict[str, Any]) -> None:
        if message.get("type") == "websocket.close" and self.state != self.STATE_CONNECTING:
            reason = encode_truncate(message.get("reason") or "", 123) or None
            self.sendCloseFrame(code=int(message.get("code") or 1000), reasonUtf8=reason, isReply=False)
            return
        super().handle_reply(message)

    def write_frame(self, frame: bytes) -> None:
        """A complete frame built elsewhere (metaverse/frames.py), written as autobahn would."""
        if self.state != self.STATE_OPEN:
            return  # closing or closed: daphne's own send path drops it too
        if self.send_queue:
            self.sendData(frame)  # behind what autobahn still has queued
        else:
            self.transport.write(frame)


def install_process_patches() -> None:
    """Frames written at once (FAST_SOCKET_WRITES, metaverse/transport.py), small messages read
    where they arrive (FAST_SOCKET_READS, metaverse/inbound.py), and full collections that walk
    only what is new (GC_FREEZE, metaverse/gcpolicy.py). Called once the application has
    loaded and before the first connection: all that is loaded by then lives as long as the
    process, and is frozen out of the collector's reach at once."""
    if settings.FAST_SOCKET_WRITES:
        transport.install()
    if settings.FAST_SOCKET_READS:
        inbound.check()
    ReasonedWebSocketProtocol.reads_inline = settings.FAST_SOCKET_READS
    if settings.GC_FREEZE:
        gcpolicy.install()


class DrainingServer(Server):
    def run(self) -> None:
        from twisted.internet import reactor  # daphne.server installed the asyncio reactor

        install_process_patches()  # daphne's command line has loaded the application

        self._ports: list[Any] = []
        reactor.callWhenRunning(self._configure)  # the factories exist once run() has started
        super().run()

    def _configure(self) -> None:
        self.ws_factory.protocol = ReasonedWebSocketProtocol
        # An oversized frame gets a close frame with 1009, not a dropped TCP connection.
        self.ws_factory.setProtocolOptions(failByDrop=False)

    def create_application(self, protocol: Any, scope: dict[str, Any]) -> Any:
        if isinstance(protocol, ReasonedWebSocketProtocol):
            scope[frames.SCOPE_KEY] = protocol.write_frame
            if protocol.reads_inline:
                scope[inbound.SCOPE_KEY] = protocol.inline
        return super().create_application(protocol, scope)

    def listen_success(self, port: Any) -> None:
        self._ports.append(port)
        super().listen_success(port)

    def kill_all_applications(self) -> defer.Deferred:
        """daphne's "before shutdown" step: drain first, then cancel what is left."""
        return defer.Deferred.fromFuture(asyncio.ensure_future(self._drain()))

    async def _drain(self) -> None:
        watchdog = threading.Timer(EXIT_DEADLINE_SECONDS, _exit_now)
        watchdog.daemon = True
        watchdog.start()
        for port in self._ports:
            port.stopListening()
        bus = get_bus()
        still_open = await bus.drain(DRAIN_SECONDS)
        log.warning(
            "shutting down: sockets drained (%d still open%s)",
            still_open, "".join(f"; {type(s).__name__} of user {s.user_id}" for s in bus.sockets()[:5]),
        )  # fmt: skip
        running = [
            details["application_instance"]
            for details in self.connections.values()
            if details.get("application_instance") is not None and not details["application_instance"].done()
        ]
        for instance in running:
            instance.cancel()
        if running:
            await asyncio.wait(running, timeout=CANCEL_SECONDS)


def _exit_now() -> None:
    log.error("shutting down: still running %.1f s after SIGTERM; exiting now", EXIT_DEADLINE_SECONDS)
    logging.shutdown()
    os._exit(0)


class ProjectCommandLine(CommandLineInterface):
    server_class = DrainingServer


def calls_summary() -> str:
    """How calls are carried, said once at start-up."""
    if settings.JANUS_URL:
        return (
            f"Calls: peer-to-peer up to {settings.CALL_P2P_LIMIT} people; larger meetings through Janus "
            f"({settings.JANUS_INTERNAL_URL or settings.JANUS_URL}), their sound mixed above "
            f"{settings.CALL_AUDIO_MIX_LIMIT}"
        )
    return "Calls: peer-to-peer only (set JANUS_URL, JANUS_TOKEN_SECRET and JANUS_ADMIN_KEY for meetings of any size)"


def serve(*, host: str, port: int, extra: list[str]) -> None:
    argv = [
        "-b", host, "-p", str(port),
        "--websocket-max-message-size", str(MAX_MESSAGE_BYTES),
        "--ping-interval", str(PING_INTERVAL), "--ping-timeout", str(PING_TIMEOUT),
        *extra,
        "metaverse.asgi:application",
    ]  # fmt: skip
    ProjectCommandLine().run(argv)
