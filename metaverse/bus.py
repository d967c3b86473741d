"""This process's line to the other server processes, apart from the sockets' bulk traffic.

Bulk traffic (chat deliveries, signaling relays) goes to each socket's own channel on the default
channel layer. channels-redis keeps every channel of a process in one Redis key with one
capacity and drops group messages over it without a word, so control traffic rides elsewhere:
on the `control` layer (its own key and capacity), to one channel per process. Control is

- user events (`publish_user_event`): a kick, a ban, "you opened this world elsewhere", a profile
  or block change. They go once to every process (group SERVERS_GROUP), and each hands them to
  the user's sockets it holds, in-process (`Bus.register`);
- the world replicas' sync (world/engine/hub.py), which subscribes to `sync.*` messages.

Self-healing: the receive loop survives any layer error and backs off; whenever the layer (or
anyone using it) fails, a repair task waits until Redis answers again, re-asserts every group
membership of this process, its own and its sockets' (Redis may have come back empty), and then
runs the recovery listeners (the hub asks the other processes for snapshots), and every socket
here is told to resync its client (chat sends its history again). Memberships are
also re-asserted on a timer, which keeps them inside the layers' `group_expiry`, so the channels
of a process that died fall out of every group by themselves.
"""

import asyncio
import contextlib
import logging
import random
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

from channels.layers import BaseChannelLayer, get_channel_layer

from metaverse.tasks import stop_tasks

log = logging.getLogger(__name__)

CONTROL_LAYER = "control"
SERVERS_GROUP = "servers"  # every server process, on the control layer
LAYER_TIMEOUT_SECONDS = 3.0  # a layer operation that takes longer counts as a failure
OWN_GROUPS_EVERY_SECONDS = 10.0
SOCKET_GROUPS_EVERY_SECONDS = 40.0
REPAIR_MIN_DELAY, REPAIR_MAX_DELAY = 0.1, 0.5
RECEIVE_MIN_DELAY, RECEIVE_MAX_DELAY = 0.1, 2.0
RESYNC_SPREAD_SECONDS = 1.0

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class LocalSocket(Protocol):
    """What the bus needs of a socket it holds (metaverse.sockets.JsonSocketConsumer)."""

    user_id: int
    channel_name: str
    joined: set[str]

    def post(self, event: dict[str, Any]) -> None: ...


class Bus:
    def __init__(self, control: BaseChannelLayer, bulk: BaseChannelLayer | None) -> None:
        self.control = control
        self.bulk = bulk
        self.channel = ""
        self.healthy = True
        self.draining = False
        self._groups: set[str] = {SERVERS_GROUP}
        self._handlers: dict[str, Handler] = {}
        self._on_recovered: list[Callable[[], Awaitable[None]]] = []
        self._on_drained: list[Callable[[], Awaitable[None]]] = []
        self._sockets: set[LocalSocket] = set()
        self._unregistered = asyncio.Event()
        self._by_user: dict[int, set[LocalSocket]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._repair: asyncio.Task[None] | None = None
        self._started = False

    # --- life ------------------------------------------------------------------------------

    async def start(self) -> "Bus":
        """Idempotent. Never fails for want of Redis: the repair task catches up."""
        if self._started:
            return self
        self._started = True
        self.channel = await self.control.new_channel()
        self._spawn(self._receive(), "bus-receive")
        self._spawn(self._refresh(), "bus-refresh")
        if not await self._assert_groups(self._groups):
            self.trouble("start")
        return self

    async def stop(self) -> None:
        tasks = [*self._tasks, *([self._repair] if self._repair else [])]
        self._tasks.clear()
        self._repair = None
        self._started = False
        await stop_tasks(tasks)

    def _spawn(self, coroutine: Awaitable[Any], name: str) -> None:
        task = asyncio.ensure_future(coroutine)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- who listens -------------------------------------------------------------------------

    def subscribe(self, prefix: str, handler: Handler) -> None:
        """Messages whose type starts with `prefix` go to `handler` (one per prefix)."""
        self._handlers[prefix] = handler

    def on_recovered(self, listener: Callable[[], Awaitable[None]]) -> None:
        if listener not in self._on_recovered:
            self._on_recovered.append(listener)

    def on_drained(self, listener: Callable[[], Awaitable[None]]) -> None:
        """Runs once the sockets are closed at shutdown (the hub saves what is left)."""
        if listener not in self._on_drained:
            self._on_drained.append(listener)

    def register(self, socket: LocalSocket) -> None:
        self._sockets.add(socket)
        if socket.user_id:
            self._by_user.setdefault(socket.user_id, set()).add(socket)

    def unregister(self, socket: LocalSocket) -> None:
        self._sockets.discard(socket)
        self._unregistered.set()
        sockets = self._by_user.get(socket.user_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._by_user[socket.user_id]

    def sockets(self) -> list[LocalSocket]:
        return list(self._sockets)

    async def drain(self, seconds: float) -> int:
        """Shutting down: refuse new sockets, tell every socket here to close (each does so in its
        own task, with `closing` 1012, and runs its leave path), and wait up to `seconds` for them.
        Returns how many were still open then."""
        self.draining = True
        for socket in self.sockets():
            socket.post({"type": "socket.drain"})
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while self._sockets:
                    self._unregistered.clear()
                    await self._unregistered.wait()
        for listener in list(self._on_drained):
            try:
                async with asyncio.timeout(max(0.5, deadline - time.monotonic())):
                    await listener()
            except Exception:
                log.exception("drain listener failed")
        return len(self._sockets)

    # --- sending -----------------------------------------------------------------------------

    async def join(self, group: str) -> None:
        self._groups.add(group)
        if not await self._assert_groups([group]):
            self.trouble(f"joining {group}")

    async def leave(self, group: str) -> None:
        self._groups.discard(group)
        await self.attempt(self.control.group_discard(group, self.channel), f"leaving {group}")

    async def publish(self, group: str, message: dict[str, Any]) -> bool:
        """Send to every process in `group`; False (logged, counted) when the layer failed."""
        return await self.attempt(self.control.group_send(group, message), f"publishing to {group}")

    async def send(self, channel: str, message: dict[str, Any]) -> bool:
        return await self.attempt(self.control.send(channel, message), "sending to a process")

    async def publish_user_event(self, user_id: int, event: dict[str, Any]) -> bool:
        """Hand `event` to every socket of `user_id` on every process (this one included)."""
        return await self.publish(SERVERS_GROUP, user_event_message(user_id, event))

    async def attempt(self, operation: Awaitable[Any], what: str) -> bool:
        """Run a layer operation within LAYER_TIMEOUT_SECONDS; False (logged, counted, a repair
        under way) when it failed."""
        try:
            async with asyncio.timeout(LAYER_TIMEOUT_SECONDS):
                await operation
        except Exception as error:  # noqa: BLE001 - any layer failure: counted, repaired, reported to the caller
            self.trouble(what, error)
            return False
        return True

    # --- receiving ---------------------------------------------------------------------------

    async def _receive(self) -> None:
        delay = RECEIVE_MIN_DELAY
        while True:
            try:
                message = await self.control.receive(self.channel)
            except Exception as error:  # noqa: BLE001 - supervised: log, back off, go on
                self.trouble("receiving", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECEIVE_MAX_DELAY)
                continue
            delay = RECEIVE_MIN_DELAY
            await self._dispatch(message)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = str(message.get("type", ""))
        try:
            if kind == "user.event":
                self.deliver_user_event(int(message["user"]), message["event"])
                return
            for prefix, handler in self._handlers.items():
                if kind.startswith(prefix):
                    await handler(message)
                    return
        except Exception:
            log.exception("control message %r failed", kind[:40])

    def deliver_user_event(self, user_id: int, event: dict[str, Any]) -> None:
        for socket in list(self._by_user.get(user_id, ())):
            socket.post(event)

    # --- repair ------------------------------------------------------------------------------

    def trouble(self, what: str, error: BaseException | None = None) -> None:
        """Something failed on a layer: make sure a repair is under way."""
        if self.healthy:
            log.warning("channel layer trouble while %s: %s; repairing", what, _describe(error))
        self.healthy = False
        if self._started and (self._repair is None or self._repair.done()):
            self._repair = asyncio.ensure_future(self._repair_when_possible())
            self._repair.set_name("bus-repair")

    async def _repair_when_possible(self) -> None:
        delay = REPAIR_MIN_DELAY
        started = time.monotonic()
        while not (await self._assert_groups(self._groups) and await self._assert_socket_groups(self.sockets())):
            await asyncio.sleep(delay)
            delay = min(delay * 2, REPAIR_MAX_DELAY)
        self.healthy = True
        log.warning("channel layer works again after %.1f s; group memberships re-asserted", time.monotonic() - started)
        for listener in list(self._on_recovered):
            try:
                await listener()
            except Exception:
                log.exception("recovery listener failed")
        # Messages may have gone nowhere meanwhile (a group Redis had forgotten, a send that
        # failed): each socket sends its client a fresh snapshot, spread out so that a thousand
        # chat sockets do not read their history in the same instant.
        loop = asyncio.get_running_loop()
        for socket in self.sockets():
            loop.call_later(random.uniform(0, RESYNC_SPREAD_SECONDS), socket.post, {"type": "socket.resync"})

    async def _refresh(self) -> None:
        last_sockets = time.monotonic()
        while True:
            await asyncio.sleep(OWN_GROUPS_EVERY_SECONDS)
            if not await self._assert_groups(self._groups):
                self.trouble("refreshing groups")
                continue
            if time.monotonic() - last_sockets >= SOCKET_GROUPS_EVERY_SECONDS:
                last_sockets = time.monotonic()
                if not await self._assert_socket_groups(self.sockets()):
                    self.trouble("refreshing socket groups")

    async def _assert_groups(self, groups: Iterable[str]) -> bool:
        try:
            async with asyncio.timeout(LAYER_TIMEOUT_SECONDS):
                for group in list(groups):
                    await self.control.group_add(group, self.channel)
        except Exception:  # noqa: BLE001 - the caller retries
            return False
        return True

    async def _assert_socket_groups(self, sockets: list[LocalSocket]) -> bool:
        if self.bulk is None:
            return True
        for socket in sockets:
            for group in list(socket.joined):
                try:
                    async with asyncio.timeout(LAYER_TIMEOUT_SECONDS):
                        await self.bulk.group_add(group, socket.channel_name)
                except Exception as error:  # noqa: BLE001 - the caller tries again
                    log.debug("re-asserting a socket's group failed: %s", _describe(error))
                    return False
        return True


def user_event_message(user_id: int, event: dict[str, Any]) -> dict[str, Any]:
    return {"type": "user.event", "user": user_id, "event": event}


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "failed"
    return f"{type(error).__name__}: {str(error)[:200]}" if str(error) else type(error).__name__


_buses: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Bus]" = weakref.WeakKeyDictionary()


def get_bus() -> Bus:
    """This process's bus (one per event loop, so each test's loop gets its own)."""
    loop = asyncio.get_running_loop()
    bus = _buses.get(loop)
    if bus is None:
        control = get_channel_layer(CONTROL_LAYER)
        if control is None:
            raise RuntimeError(f"CHANNEL_LAYERS needs a '{CONTROL_LAYER}' layer")
        bus = _buses[loop] = Bus(control, get_channel_layer())
    return bus
