"""What every WebSocket of ours shares: JSON messages with a `type`, one handler per type, typed
errors that leave the socket open, and a 4000-range close code for clients that keep misbehaving.

Every handler is total. Whatever a handler raises becomes a typed `error` for the client (a
message it sent) or a documented `closing` (connecting), is logged once, and the socket's leave
path always runs, once, however the socket ends: a client closing, a moderator, a server bug, a
channel layer that failed, or the process shutting down (closing 1012).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from enum import IntEnum
from typing import Any, ClassVar

from autobahn.exception import Disconnected
from channels.auth import AuthMiddleware, CookieMiddleware, SessionMiddleware, UserLazyObject, get_user
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser
from django.utils import translation
from django.utils.functional import Promise, empty
from django.utils.translation import gettext, gettext_lazy

from metaverse import frames, inbound, wire
from metaverse.addresses import scope_address
from metaverse.bus import Bus, get_bus
from metaverse.database import database_sync_to_async
from metaverse.errors import AppError
from metaverse.frames import FrameWriter
from metaverse.i18n import Text, render, scope_language
from metaverse.infrastructure import UNAVAILABLE_MESSAGE, is_infrastructure_error
from metaverse.layers import group_kind
from metaverse.tasks import stop_tasks

log = logging.getLogger(__name__)

LEAVE_SECONDS = 5.0  # the leave path (saving a position, leaving groups) gives up after this
LAYER_RETRY_MIN, LAYER_RETRY_MAX = 0.2, 5.0


class CloseCode(IntEnum):
    """Close codes our sockets use; docs/protocol.md lists them for clients."""

    INTERNAL_ERROR = 1011  # a bug on the server; reconnecting is fine
    SERVICE_RESTART = 1012  # the server process is shutting down; reconnect (to another one)
    TRY_AGAIN_LATER = 1013  # the database or the channel layer is unavailable; reconnect later
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


RESTART_MESSAGE = gettext_lazy("The server is restarting; reconnecting.")
FAILED_MESSAGE = gettext_lazy("The server failed; reconnecting.")
HANDLER_FAILED_MESSAGE = gettext_lazy("The server failed to handle this message.")
# What a closing says when its caller gave no words of its own (the world engine replacing a session).
CLOSE_MESSAGES = {"replaced": gettext_lazy("You opened this world somewhere else.")}


def client_address(scope: dict[str, Any]) -> str | None:
    """The address a connection comes from (metaverse/addresses.py)."""
    return scope_address(scope)


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

    def __init__(self, *, limit: int, window: float, notice: str | Promise, closing: str | Promise) -> None:
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


MAX_COORDINATE = 1e9


def field_number(data: dict[str, Any], name: str, *, bound: float = MAX_COORDINATE) -> float:
    value = data.get(name)
    # Bounded before any arithmetic: no map is a billion tiles wide.
    if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
        raise AppError(
            "invalid",
            gettext("'%(name)s' must be a number between %(low)s and %(high)s")
            % {"name": name, "low": f"{-bound:g}", "high": f"{bound:g}"},
        )
    return float(value)


def field_int(data: dict[str, Any], name: str, *, required: bool = True, minimum: int = 0) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or value > 2**53:
        raise AppError(
            "invalid", gettext("'%(name)s' must be a whole number ≥ %(minimum)d") % {"name": name, "minimum": minimum}
        )
    return value


def field_bool(data: dict[str, Any], name: str, *, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise AppError("invalid", gettext("'%(name)s' must be true or false") % {"name": name})
    return value


def field_choice(data: dict[str, Any], name: str, choices: tuple[str, ...], *, default: str | None = None) -> str:
    value = data.get(name, default)
    if value not in choices:
        raise AppError(
            "invalid", gettext("'%(name)s' must be one of: %(choices)s") % {"name": name, "choices": ", ".join(choices)}
        )
    return str(value)


class DeferredAuthMiddleware(AuthMiddleware):
    """Channels' session authentication, left for the socket to resolve (`authenticate_now`) in
    its first trip to the database thread, which a world's sockets share with their admission:
    one trip per arrival instead of two, each a wait on a busy server (docs/performance.md)."""

    async def resolve_scope(self, scope: dict[str, Any]) -> None:
        return None


def authenticate_now(scope: dict[str, Any]) -> None:
    """Resolve the scope's user from its session (synchronous: on the database thread). A database
    it cannot reach leaves the user anonymous and says so in the scope, and the socket answers
    with a `closing` 1013 instead of failing."""
    user = scope.get("user")
    if not isinstance(user, UserLazyObject) or user._wrapped is not empty:
        return  # resolved already, or a scope built without the middleware (tests)
    try:
        user._wrapped = get_user.func(scope)
    except Exception as error:
        if not is_infrastructure_error(error) and not isinstance(error, AttributeError):
            raise
        # AttributeError: a session whose load failed half-way ('_session_cache').
        log.warning("a socket could not be authenticated: %s: %s", type(error).__name__, str(error)[:200])
        user._wrapped = AnonymousUser()
        scope["unavailable"] = True


def socket_auth_stack(inner: Any) -> Any:
    """AuthMiddlewareStack, the user resolved by the socket (DeferredAuthMiddleware)."""
    return CookieMiddleware(SessionMiddleware(DeferredAuthMiddleware(inner)))


class JsonSocketConsumer(AsyncWebsocketConsumer):
    """Dispatches `{"type": "x.y"}` to `handle_x_y(data)`. Subclasses set `message_types` and
    write `connect` (admission; the socket is already accepted) and `disconnect` (the leave
    path: runs exactly once however the socket ends)."""

    message_types: ClassVar[frozenset[str]] = frozenset()
    max_message_bytes: ClassVar[int] = 4096
    # A client whose messages are refused this many times within ERROR_WINDOW seconds is closed.
    max_errors: ClassVar[int] = 20
    error_window: ClassVar[float] = 10.0
    uncounted_codes: ClassVar[frozenset[str]] = frozenset({"unavailable"})  # not the client's doing

    user_id: int = 0
    closing = False  # we sent `closing` (or the client closed): nothing more goes out
    handling = False  # a message from the queue is in hand (its handler may be awaiting)
    language: str = "en"  # what every `message` sent here is written in (metaverse/i18n.py)
    bus: Bus

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Channels' AsyncConsumer.__call__ with the channel layer supervised (a failing receive
        backs off instead of killing the socket), a third source of events handed over
        in-process by the bus (user events, shutdown), and the leave path in a `finally`.

        The socket's language, chosen once from its cookie and Accept-Language, is active for
        everything the socket's own task does (the handler of each message and event, the
        database trips it makes, the leave path), so the texts its handlers write are in it."""
        self.scope = scope
        self.language = scope_language(scope)
        with translation.override(self.language):
            await self._run(receive, send)

    async def _run(self, receive: Any, send: Any) -> None:
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.base_send = send
        self.bus = get_bus()
        self.joined: set[str] = set()
        self._left = False
        self._client_gone = False
        self.close_code: int | None = None
        # One queue for everything this socket handles, in the order it came: the server's
        # (daphne's, and the tests' communicator's, are asyncio queues: `receive` is their
        # `get`), into which the channel layer's messages and the bus's events are put too.
        # Channels waits on the three with a task per source and `asyncio.wait`: a new task
        # and a wait's worth of callbacks per move, ~15% of the inbound path at 600 players.
        server_queue = getattr(receive, "__self__", None)
        self._inbox: asyncio.Queue[dict[str, Any]] = (
            server_queue if isinstance(server_queue, asyncio.Queue) else asyncio.Queue()
        )
        pumps = [asyncio.ensure_future(self._pump(self._next_layer_message))]
        if self._inbox is not server_queue:  # another server: its receive feeds the inbox too
            pumps.append(asyncio.ensure_future(self._pump(receive)))
        try:
            while True:
                message = await self._inbox.get()
                # Not reset when the socket stops: no message is handled inline after that.
                self.handling = True
                await self.dispatch(message)
                self.handling = False
        except StopConsumer:
            pass
        finally:
            self._stop_inline()
            # The pumps are stopped for good, not just cancelled once: a channel-layer receive
            # can swallow one cancellation (redis-py's wait_for on Python 3.11), and a socket
            # whose client had left then never ran its leave path.
            try:
                await stop_tasks(pumps)
            finally:
                await self._finish()

    async def _pump(self, source: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        while True:
            self._inbox.put_nowait(await source())

    async def _next_layer_message(self) -> dict[str, Any]:
        delay = LAYER_RETRY_MIN
        while True:
            try:
                return await self.channel_layer.receive(self.channel_name)
            except Exception as error:  # noqa: BLE001 - supervised: the bus repairs, this retries
                self.bus.trouble("a socket receiving", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, LAYER_RETRY_MAX)

    def receive_inline(self, handle: Callable[[str], bool]) -> None:
        """From now on the server offers each text message to `handle` as it reads it
        (metaverse/inbound.py), whenever this socket has nothing queued and nothing in hand, so
        messages are still handled in the order they came. `handle` returns False for a message
        it leaves to the queue (`receive`), True for one it has handled; it runs outside this
        socket's task and language, so it leaves anything that must answer in words to the queue.
        A no-op under a server that offers no such slot."""
        slot: inbound.InlineSlot | None = self.scope.get(inbound.SCOPE_KEY)
        if slot is None:
            return
        self._inline_slot = slot

        def offered(text: str) -> bool:
            if self.handling or self.closing or not self._inbox.empty():
                return False
            try:
                return handle(text)
            except Exception:  # a bug: logged once here, answered in turn by the queue
                log.exception("%s: a message read inline failed", type(self).__name__)
                self.post({"type": "socket.inline_failed"})
                return True

        slot.handler = offered

    async def socket_inline_failed(self, event: dict[str, Any]) -> None:
        """A message handled inline raised (logged there): the client's typed error, in its turn,
        as for any handler that raises (`_failed`)."""
        await self.refuse(AppError("internal_error", HANDLER_FAILED_MESSAGE))

    def _stop_inline(self) -> None:
        slot: inbound.InlineSlot | None = getattr(self, "_inline_slot", None)
        if slot is not None:
            slot.handler = None

    def post(self, event: dict[str, Any]) -> None:
        """An event for this socket from the bus, handled in this socket's own task, in order."""
        self._inbox.put_nowait(event)

    def is_alive(self) -> bool:
        """False once the client has gone or the leave path has begun: the lease the world's
        sweep checks, so a socket stuck on its way out is no ghost either."""
        return not self._left and not self._client_gone

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch closes stale database connections in a worker thread before
        # every message: a thread hop per move, a fifth of the server's time under load. Our
        # handlers reach the database only through database_sync_to_async, which does that
        # cleanup itself, so it is skipped here.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            # Every socket of a user hears that user's events; those meant for another kind of
            # socket are ignored rather than crashing this one.
            log.debug("%s ignores %s", type(self).__name__, message.get("type"))
            return
        try:
            await handler(message)
        except StopConsumer:
            raise
        except Exception as error:  # noqa: BLE001 - every handler is total: see _failed
            await self._failed(str(message.get("type")), error)

    async def _failed(self, kind: str, error: Exception) -> None:
        """A handler raised: log once, answer with a typed error or a documented closing."""
        if isinstance(error, Disconnected):
            return  # the client went while we answered; its disconnect is on its way
        unavailable = is_infrastructure_error(error)
        name = type(self).__name__
        if unavailable:
            log.warning("%s: %s failed, infrastructure unavailable: %s: %s", name, kind, type(error).__name__, error)
        else:
            log.error("%s: %s failed", name, kind, exc_info=error)
        if kind == "websocket.connect":
            if unavailable:
                await self.close_with(CloseCode.TRY_AGAIN_LATER, "unavailable", UNAVAILABLE_MESSAGE)
            else:
                await self.close_with(CloseCode.INTERNAL_ERROR, "internal_error", FAILED_MESSAGE)
            raise StopConsumer
        if kind == "websocket.receive":
            if unavailable:
                await self.refuse(AppError("unavailable", UNAVAILABLE_MESSAGE))
            else:
                await self.refuse(AppError("internal_error", HANDLER_FAILED_MESSAGE))

    # --- the socket's life ----------------------------------------------------------------------

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        self._errors: list[float] = []
        # The session middleware wraps `send` to save a modified session along with each
        # message. Our sockets never modify the session, and that check costs a lazy-object
        # lookup per frame, so the frames the engine pushes go straight to the server.
        wrapper = getattr(self.base_send, "__self__", None)
        self._raw_send: Callable[[dict[str, Any]], Awaitable[None]] = getattr(wrapper, "real_send", self.base_send)
        # Accepted first, so that every refusal can say why in a `closing` message.
        await self.accept()
        await self.bus.start()
        if self.bus.draining:
            await self.close_with(CloseCode.SERVICE_RESTART, "service_restart", RESTART_MESSAGE)
            raise StopConsumer
        await self.authenticate()
        if self.scope.get("unavailable"):
            await self.close_with(CloseCode.TRY_AGAIN_LATER, "unavailable", UNAVAILABLE_MESSAGE)
            raise StopConsumer
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            self.user_id = user.pk
        self.bus.register(self)
        await self.connect()

    async def authenticate(self) -> None:
        """Resolve the user from the session: a trip to the database thread. A world's sockets
        make it part of their admission's (world/sockets.py)."""
        await database_sync_to_async(authenticate_now)(self.scope)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self.closing = True  # the client has gone: nothing more can be sent
        self._client_gone = True
        self.close_code = message.get("code")
        raise StopConsumer

    async def _finish(self) -> None:
        """The leave path, once. Runs in the consumer's own task, also when it was cancelled."""
        if self._left:
            return
        self._left = True
        try:
            await self._leave()
        finally:
            # Last: a drain at shutdown waits for this, so the leave path is over by then.
            self.bus.unregister(self)

    async def _leave(self) -> None:
        if not self.closing:
            # Ending while the socket is still open: the process is shutting down (daphne
            # cancels every socket once the drain is over), or something escaped every handler.
            if self.bus.draining:
                await self.close_with(CloseCode.SERVICE_RESTART, "service_restart", RESTART_MESSAGE)
            else:
                await self.close_with(CloseCode.INTERNAL_ERROR, "internal_error", FAILED_MESSAGE)
        try:
            async with asyncio.timeout(LEAVE_SECONDS):
                await self.disconnect(self.close_code or 1000)
        except Exception as error:  # logged once; the leases clean up what this could not
            if is_infrastructure_error(error):
                log.warning("%s: leaving failed: %s: %s", type(self).__name__, type(error).__name__, error)
            else:
                log.error("%s: leaving failed", type(self).__name__, exc_info=error)
        for group in list(self.joined):
            await self.leave_group(group)

    async def join_group(self, group: str) -> None:
        """Join a group on the bulk layer. Kept by the bus, which joins it again after Redis comes
        back (empty, perhaps) and on a timer; a layer failure now is repaired later."""
        self.joined.add(group)
        await self.bus.attempt(self.channel_layer.group_add(group, self.channel_name), f"joining {group_kind(group)}")

    async def send_to_group(self, group: str, event: dict[str, Any]) -> bool:
        """Send on the bulk layer; False (and a repair under way) when it failed."""
        return await self.bus.attempt(self.channel_layer.group_send(group, event), f"sending to {group_kind(group)}")

    async def leave_group(self, group: str) -> None:
        """Leave a group; if the layer fails now, the membership expires by itself."""
        self.joined.discard(group)
        await self.bus.attempt(
            self.channel_layer.group_discard(group, self.channel_name), f"leaving {group_kind(group)}"
        )

    async def socket_resync(self, event: dict[str, Any]) -> None:
        """The channel layer failed and works again: messages may have been lost meanwhile.
        Sockets whose client holds what the layer carries send it a fresh snapshot."""

    async def socket_drain(self, event: dict[str, Any]) -> None:
        await self.close_with(CloseCode.SERVICE_RESTART, "service_restart", RESTART_MESSAGE)
        raise StopConsumer

    # --- messages from the client ---------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        try:
            if text_data is None:
                raise AppError("invalid", gettext("messages must be JSON text, not binary"))
            data = wire.loads(text_data, max_bytes=self.max_message_bytes)
            if not isinstance(data, dict) or not isinstance(data.get("type"), str):
                raise AppError("invalid", gettext('a message is a JSON object with a string "type"'))
            kind = data["type"]
            if kind not in self.message_types:
                raise AppError("unknown_type", gettext("unknown message type %(type)r") % {"type": kind[:40]})
            await getattr(self, "handle_" + kind.replace(".", "_"))(data)
        except AppError as error:
            await self.refuse(error)

    async def refuse(self, error: AppError) -> None:
        """The one translation of an AppError for a socket. Every refusal counts towards closing
        with 4000, except those that are not the client's doing (`uncounted_codes`)."""
        await self.send_json({"type": "error", "code": error.code, "message": error.message, **error.extra})
        if error.code in self.uncounted_codes:
            return
        now = time.monotonic()
        self._errors = [at for at in self._errors if now - at < self.error_window]
        self._errors.append(now)
        if len(self._errors) > self.max_errors:
            await self.close_with(CloseCode.PROTOCOL_ABUSE, "too many bad messages", gettext("too many bad messages"))

    async def drop_for_rate(self, flood: Flood) -> None:
        action = flood.drop(time.monotonic())
        if action == "close":
            await self.close_with(CloseCode.RATE_LIMITED, "rate_limited", flood.closing)
        elif action == "tell":
            await self.send_json({"type": "error", "code": "rate_limited", "message": flood.notice})

    # --- messages to the client -----------------------------------------------------------------

    async def send_json(self, message: dict[str, Any]) -> None:
        if self.closing:
            return
        try:
            await self.send(text_data=wire.dumps(message, default=self.translated))
        except Disconnected:
            # The connection is closing (a close frame crossed this message); its disconnect
            # event is on its way and runs the leave path.
            log.debug("%s: message dropped, the connection is closing", type(self).__name__)

    async def send_text(self, text: str) -> None:
        if self.closing:
            return
        try:
            await self._raw_send({"type": "websocket.send", "text": text})
        except Disconnected:
            # The client went away after the tick was built; its disconnect event is on its way.
            log.debug("%s: frame dropped, the client has gone", type(self).__name__)

    def translated(self, value: Any) -> str:
        """A lazy text (gettext_lazy) in this socket's language, whichever task sends it (the
        world's tick, say): wire.dumps' `default` for what the socket sends."""
        if not isinstance(value, Promise):
            raise TypeError(f"{type(value).__name__} is not JSON serializable")
        with translation.override(self.language):
            return str(value)

    def frame_writer(self) -> FrameWriter | None:
        """Writes a frame built once for many sockets (metaverse/frames.py) straight to this
        one's connection, when the server offers that; None otherwise (send the text instead)."""
        write: FrameWriter | None = self.scope.get(frames.SCOPE_KEY)
        if write is None:
            return None

        def write_unless_closing(frame: bytes) -> None:
            if not self.closing:
                write(frame)

        return write_unless_closing

    async def close_with(self, code: int, reason: str, message: str | Promise = "") -> None:
        """Tell the client why, then close. The reason also goes in the close frame; `message`
        is for people, in the socket's language (a lazy text is translated here)."""
        if self.closing:
            return
        self.closing = True
        try:
            closing = {"type": "closing", "code": int(code), "reason": reason}
            closing["message"] = message or CLOSE_MESSAGES.get(reason, reason)
            await self.send(text_data=wire.dumps(closing, default=self.translated))
            await self.close(code=int(code), reason=close_reason(reason))
        except Disconnected:
            log.debug("%s: the client left before the closing", type(self).__name__)

    # --- events from other processes (user events, via the bus) ---------------------------------

    async def moderation_close(self, event: dict[str, Any]) -> None:
        """A moderator kicked or banned this user: every socket of theirs closes, whatever its kind."""
        await self.close_with(int(event["code"]), str(event["reason"]), event_message(event))

    async def account_close(self, event: dict[str, Any]) -> None:
        """The user's session no longer lets them in (accounts/services.py): they logged out, when
        only the sockets opened with that session close, or changed their password, or their
        account was deactivated or deleted, when every socket of theirs does."""
        session = event.get("session")
        if session is not None and session != self.session_key():
            return
        await self.close_with(int(event["code"]), str(event["reason"]), event_message(event))

    def session_key(self) -> str | None:
        """The session this socket was opened with (its cookie), if any."""
        try:
            key = self.scope["session"].session_key
        except (KeyError, AttributeError, ValueError, NotImplementedError):
            return None
        return str(key) if key else None


def event_message(event: dict[str, Any]) -> str:
    """An event's words for people in the active language (the socket's): its `text` (sentences
    to translate, metaverse/i18n.py) when it has one, else its `message` as it came."""
    parts: Text | None = event.get("text")
    return render(parts) if parts else str(event.get("message", ""))


def close_reason(reason: str) -> str:
    """A close frame's reason is at most 123 bytes of UTF-8; ours are cut at 120."""
    return reason.encode()[:120].decode(errors="ignore")
