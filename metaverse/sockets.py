"""What every WebSocket of ours shares: JSON messages with a `type`, one handler per type, typed
errors that leave the socket open, and a 4000-range close code for clients that keep misbehaving.
"""

import ipaddress
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from enum import IntEnum
from typing import Any, ClassVar

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

from metaverse.events import user_group

log = logging.getLogger(__name__)


class CloseCode(IntEnum):
    """Close codes our sockets use; docs/protocol.md lists them for clients."""

    PROTOCOL_ABUSE = 4000  # kept sending malformed, unknown or oversized messages
    NOT_AUTHENTICATED = 4001
    BANNED = 4003
    UNKNOWN_WORLD = 4004
    WORLD_FULL = 4005
    NOT_IN_WORLD = 4006  # chat/signal socket for a world the player has not entered
    REPLACED = 4009  # the same player connected again elsewhere
    KICKED = 4010
    GUESTS_NOT_ALLOWED = 4011
    RATE_LIMITED = 4029


def client_address(scope: dict[str, Any]) -> str | None:
    """The address a connection comes from. Behind a proxy, daphne's --proxy-headers puts the
    client's (from X-Forwarded-For) here; without a proxy, never enable it: anyone could claim
    any address."""
    client = scope.get("client")
    if not client:
        return None
    try:
        ip = ipaddress.ip_address(str(client[0]))
    except ValueError:  # a Unix socket path
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


class ProtocolError(Exception):
    """A message we refuse: sent back as {"type": "error", "code": ..., "message": ...}."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class TokenBucket:
    """`rate` events per second on average, up to `burst` at once."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = time.monotonic()

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Flood:
    """Messages dropped for going over a rate: the client is told at most once a second, and
    closed with 4029 after `limit` drops within `window` seconds. Not counted as bad messages."""

    def __init__(self, *, limit: int, window: float, notice: str, closing: str) -> None:
        self.limit = limit
        self.window = window
        self.notice = notice  # the error message the client is told
        self.closing = closing  # the message it is closed with
        self.drops = 0
        self.since = self.told = float("-inf")

    def drop(self, now: float) -> str:
        """What to do about one more dropped message: "close", "tell" or "" (nothing)."""
        if now - self.since > self.window:
            self.since, self.drops = now, 0
        self.drops += 1
        if self.drops > self.limit:
            return "close"
        if now - self.told >= 1.0:
            self.told = now
            return "tell"
        return ""


# --- field readers for message schemas --------------------------------------------------------


def field_number(data: dict[str, Any], name: str) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ProtocolError("invalid", f"'{name}' must be a finite number")
    return float(value)


def field_int(data: dict[str, Any], name: str, *, required: bool = True, minimum: int = 0) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or value > 2**53:
        raise ProtocolError("invalid", f"'{name}' must be a whole number ≥ {minimum}")
    return value


def field_bool(data: dict[str, Any], name: str, *, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise ProtocolError("invalid", f"'{name}' must be true or false")
    return value


def field_choice(data: dict[str, Any], name: str, choices: tuple[str, ...], *, default: str | None = None) -> str:
    value = data.get(name, default)
    if value not in choices:
        raise ProtocolError("invalid", f"'{name}' must be one of: {', '.join(choices)}")
    return str(value)


def field_text(data: dict[str, Any], name: str, *, max_length: int) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise ProtocolError("invalid", f"'{name}' must be a string")
    if len(value) > max_length:
        raise ProtocolError("too_large", f"'{name}' is longer than {max_length} characters")
    return value


class JsonSocketConsumer(AsyncWebsocketConsumer):
    """Dispatches `{"type": "x.y"}` to `handle_x_y(data)`. Subclasses set `message_types`."""

    message_types: ClassVar[frozenset[str]] = frozenset()
    max_message_bytes: ClassVar[int] = 4096
    # A client whose messages are refused this many times within ERROR_WINDOW seconds is closed.
    max_errors: ClassVar[int] = 20
    error_window: ClassVar[float] = 10.0

    user_id: int = 0
    closing = False

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch closes stale database connections in a worker thread before
        # every message: a thread hop per move, a fifth of the server's time under load. Our
        # handlers reach the database only through database_sync_to_async, which does that
        # cleanup itself, so it is skipped here.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            # Every socket of a user hears that user's group; events meant for another kind of
            # socket are ignored rather than crashing this one.
            log.debug("%s ignores %s", type(self).__name__, message.get("type"))
            return
        await handler(message)

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        self._errors: list[float] = []
        # The session middleware wraps `send` to save a modified session along with each
        # message. Our sockets never modify the session, and that check costs a lazy-object
        # lookup per frame, so the frames the engine pushes go straight to the server.
        wrapper = getattr(self.base_send, "__self__", None)
        self._raw_send: Callable[[dict[str, Any]], Awaitable[None]] = getattr(wrapper, "real_send", self.base_send)  # type: ignore[assignment]
        await super().websocket_connect(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        try:
            if text_data is None:
                raise ProtocolError("invalid", "messages must be JSON text, not binary")
            if len(text_data) > self.max_message_bytes:
                raise ProtocolError("too_large", f"messages on this socket are at most {self.max_message_bytes} bytes")
            try:
                data = json.loads(text_data)
            except ValueError:
                raise ProtocolError("invalid_json", "the message is not valid JSON") from None
            if not isinstance(data, dict) or not isinstance(data.get("type"), str):
                raise ProtocolError("invalid", 'a message is a JSON object with a string "type"')
            kind = data["type"]
            if kind not in self.message_types:
                raise ProtocolError("unknown_type", f"unknown message type {kind[:40]!r}")
            await getattr(self, "handle_" + kind.replace(".", "_"))(data)
        except ProtocolError as error:
            await self.refuse(error)

    async def refuse(self, error: ProtocolError) -> None:
        await self.send_json({"type": "error", "code": error.code, "message": error.message, **error.extra})
        now = time.monotonic()
        self._errors = [at for at in self._errors if now - at < self.error_window]
        self._errors.append(now)
        if len(self._errors) > self.max_errors:
            await self.close_with(CloseCode.PROTOCOL_ABUSE, "too many bad messages")

    async def drop_for_rate(self, flood: Flood) -> None:
        action = flood.drop(time.monotonic())
        if action == "close":
            await self.close_with(CloseCode.RATE_LIMITED, "rate_limited", flood.closing)
        elif action == "tell":
            await self.send_json({"type": "error", "code": "rate_limited", "message": flood.notice})

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message, separators=(",", ":")))

    async def send_text(self, text: str) -> None:
        if self.closing:
            return
        try:
            await self._raw_send({"type": "websocket.send", "text": text})
        except Disconnected:
            # The client went away after the tick was built; its disconnect event is on its way.
            log.debug("%s: frame dropped, the client has gone", type(self).__name__)

    async def close_with(self, code: int, reason: str, message: str = "") -> None:
        """Tell the client why, then close. The reason also goes in the close frame."""
        if self.closing:
            return
        self.closing = True
        await self.send(
            text_data=json.dumps({"type": "closing", "code": int(code), "reason": reason, "message": message or reason})
        )
        await self.close(code=int(code), reason=reason[:120])

    async def moderation_close(self, event: dict[str, Any]) -> None:
        """A moderator kicked or banned this user: every socket of theirs closes, whatever its kind."""
        await self.close_with(int(event["code"]), str(event["reason"]), str(event["message"]))

    async def join_user_group(self, user_id: int) -> None:
        self.user_id = user_id
        await self.channel_layer.group_add(user_group(user_id), self.channel_name)

    async def leave_user_group(self) -> None:
        if self.user_id:
            await self.channel_layer.group_discard(user_group(self.user_id), self.channel_name)
