"""The world engines of one server process, and how they keep in step with the other processes.

Each process holds a replica of every world someone connected to it is in, and is the
authority for its own connections. Once per tick it publishes what its players did, one
control-layer message per world (`sync.batch`), and applies the other processes' batches.
A process that starts a replica says `sync.hello`; the others answer with a full
`sync.snapshot`. Batches are numbered per process: a gap, or a player never seen, makes the
receiver ask for a snapshot again.

Presence is a lease, never an event that must arrive: a process that falls silent for
ORIGIN_TIMEOUT seconds is presumed dead and its players removed (they come back with its next
snapshot if it was only cut off), and a local session whose socket has ended is swept out
within a second even if its leave path never ran. What the hub sends waits in a bounded outbox
that a separate task empties, so a stalled Redis never stalls the tick; when the outbox
overflows the oldest messages go, and the gap in the numbering heals through a snapshot. After
the channel layer fails and works again (metaverse/bus.py) every replica says `sync.hello`.
"""

import asyncio
import contextlib
import logging
import os
import socket
import time
import weakref
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from metaverse.bus import Bus, get_bus
from metaverse.events import world_group
from metaverse.frames import text_frame
from metaverse.tasks import stop_tasks
from world import messages
from world.engine.engine import EngineSettings, Session, TickResult, WorldEngine
from world.engine.mapdata import MapData
from world.engine.records import WorldRecord
from world.engine.store import PRESENCE_RENEW_SECONDS, WorldStore

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
STATS_SECONDS = 60.0
ORIGIN_TIMEOUT_SECONDS = 5.0
SNAPSHOT_RETRY_SECONDS = 1.0
SWEEP_SECONDS = 1.0
OUTBOX_LIMIT = 200  # ~7 s of one world's batches at 30 Hz
OUTBOX_FLUSH_SECONDS = 2.0


@dataclass
class TickStats:
    """How long ticks take in one world, logged every STATS_SECONDS for operators."""

    ticks: int = 0
    busy: float = 0.0  # seconds spent building and sending ticks
    slowest: float = 0.0
    late: int = 0  # ticks that started more than a tick late
    frames: int = 0

    def line(self, slug: str, seconds: float, players: int) -> str:
        mean = self.busy / self.ticks * 1000 if self.ticks else 0.0
        return (
            f"world {slug}: {players} players here, {self.ticks} ticks in {seconds:.0f}s, mean {mean:.1f} ms, "
            f"slowest {self.slowest * 1000:.1f} ms, {self.late} late, {self.frames} frames sent"
        )


class Hub:
    def __init__(
        self, bus: Bus, store: WorldStore, *, tick_hz: float, save_seconds: float,
        engine_settings: EngineSettings | None = None,
    ) -> None:  # fmt: skip
        self.bus = bus
        self.store = store
        self.engine_settings = engine_settings or EngineSettings()
        self.tick_interval = 1.0 / tick_hz
        self.save_seconds = save_seconds
        self.server_name = f"{socket.gethostname()}:{os.getpid()}"
        self.channel = ""
        self.engines: dict[int, WorldEngine] = {}
        self._users: dict[int, int] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._tickers: dict[int, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._publisher: asyncio.Task[None] | None = None
        self._saver: asyncio.Task[None] | None = None
        self._outbox: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue(OUTBOX_LIMIT)
        self._heard: dict[tuple[int, str], float] = {}
        self._seen_seq: dict[tuple[int, str], int] = {}
        self._asked: dict[tuple[int, str], float] = {}
        self._saved: dict[tuple[int, int], tuple[float, float]] = {}
        self.outbox_dropped = 0

    # --- replicas ------------------------------------------------------------------------------

    async def attach(self, record: WorldRecord) -> WorldEngine:
        """The replica of a world, started if this process had none; pair with `detach`."""
        async with self._locks.setdefault(record.id, asyncio.Lock()):
            engine = self.engines.get(record.id)
            if engine is None and record.map_json is None:  # admission reads no map: the store has it
                stored = await self.store.load_record(record.id)
                if stored is None or stored.map_json is None:
                    raise LookupError(f"world {record.id} is no longer stored")
                record = stored
            self._users[record.id] = self._users.get(record.id, 0) + 1
            if engine is not None:
                return engine
            assert record.map_json is not None
            await self._start()
            engine = WorldEngine(
                world_id=record.id, slug=record.slug, name=record.name, capacity=record.capacity,
                mapdata=MapData(record.map_json), map_url=record.map_url, settings=self.engine_settings,
                origin=self.channel,
            )  # fmt: skip
            self.engines[record.id] = engine
            await self.bus.join(world_group(record.id))
            self._publish(engine, {"type": "sync.hello"})
            self._tickers[record.id] = asyncio.create_task(self._run(engine), name=f"world-{record.slug}-ticker")
            return engine

    async def detach(self, world_id: int) -> None:
        async with self._locks.setdefault(world_id, asyncio.Lock()):
            remaining = self._users.get(world_id, 0) - 1
            if remaining > 0:
                self._users[world_id] = remaining
                return
            self._users.pop(world_id, None)
            engine = self.engines.pop(world_id, None)
            ticker = self._tickers.pop(world_id, None)
            if ticker is not None:
                await stop_tasks([ticker])
            if engine is None:
                return
            final = engine.tick(int(time.time() * 1000))  # publishes the last departures
            if final.publication:
                self._publish(engine, {"type": "sync.batch", **final.publication})
            await self._flush_outbox()
            await self.bus.leave(world_group(world_id))
            for key in [key for key in self._seen_seq if key[0] == world_id]:
                self._seen_seq.pop(key, None)
                self._heard.pop(key, None)
            if not self.engines:
                await self._stop()

    def engine(self, world_id: int) -> WorldEngine | None:
        return self.engines.get(world_id)

    async def _start(self) -> None:
        if self._publisher is None:
            await self.bus.start()
            self.channel = self.bus.channel
            self.bus.subscribe("sync.", self._handle)
            self.bus.on_recovered(self._say_hello_again)
            self.bus.on_drained(self.save_now)
            self._publisher = asyncio.create_task(self._publish_outbox(), name="world-hub-publisher")
            self._saver = asyncio.create_task(self._save_periodically(), name="world-hub-saver")

    async def _flush_outbox(self) -> None:
        """Wait (a little) until what is queued has gone, such as a world's last departures."""
        if self._publisher is not None and not self._publisher.done():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(OUTBOX_FLUSH_SECONDS):
                    await self._outbox.join()

    async def _stop(self) -> None:
        tasks = [task for task in (self._publisher, self._saver) if task is not None]
        self._publisher = self._saver = None
        await stop_tasks(tasks)

    async def shutdown(self) -> None:
        """Stop every task (tests, and process shutdown)."""
        tickers = list(self._tickers.values())
        self._tickers.clear()
        self.engines.clear()
        self._users.clear()
        await stop_tasks([*tickers, *self._background])
        await self._stop()

    def spawn(self, coroutine: Awaitable[Any], name: str) -> None:
        """Run a coroutine in the background, keeping a reference so it is not collected."""
        task = asyncio.ensure_future(coroutine)
        task.set_name(name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- the tick ------------------------------------------------------------------------------

    async def _run(self, engine: WorldEngine) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        last_published = 0.0
        swept_at = loop.time()
        stats, stats_since = TickStats(), loop.time()
        while True:
            next_at += self.tick_interval
            delay = next_at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -self.tick_interval:
                stats.late += 1
                next_at = loop.time()  # fell behind: carry on from now rather than burst
            try:
                started = loop.time()
                now = time.time()
                result = engine.tick(int(now * 1000), contacts=False, publish=self._listened(engine.world_id))
                await self.deliver(engine, result)
                await self.deliver(engine, engine.tick_contacts(int(now * 1000)))
                took = loop.time() - started
                stats.ticks += 1
                stats.busy += took
                stats.slowest = max(stats.slowest, took)
                stats.frames += len(result.messages)
                if started - stats_since >= STATS_SECONDS:
                    if stats.frames:
                        log.info(stats.line(engine.slug, started - stats_since, len(engine.sessions)))
                    stats, stats_since = TickStats(), started
                if result.publication is not None:
                    self._publish(engine, {"type": "sync.batch", **result.publication})
                    last_published = now
                elif now - last_published >= HEARTBEAT_SECONDS:
                    self._publish(engine, {"type": "sync.alive", "seq": engine.publication_seq})
                    last_published = now
                if started - swept_at >= SWEEP_SECONDS:
                    swept_at = started
                    self._sweep(engine)
                    self._expire_origins(engine)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("tick of world %s failed", engine.slug)

    async def deliver(self, engine: WorldEngine, result: TickResult) -> None:
        """Each session's own messages first, then the frame shared by everyone in its window:
        encoded once, the same bytes written to every connection that can take them, after that
        connection's own frames in the same write (a system call per player per tick)."""
        own: dict[Session, bytes] = {}
        for session, text in result.messages:
            if session.write is None:
                await self._send(session, text)
            else:
                own[session] = own.get(session, b"") + text_frame(text)
        for text, sessions in result.shared:
            frame = text_frame(text)
            for session in sessions:
                if session.write is None:
                    await self._send(session, text)
                else:
                    mine = own.pop(session, None)
                    self._write(session, mine + frame if mine else frame)
        for session, frames in own.items():
            self._write(session, frames)
        for player_id, added, removed, call in result.contact_changes:
            for listener in list(engine.contact_listeners.get(player_id, ())):
                try:
                    await listener(added, removed, call)
                except Exception:
                    log.exception("contact listener of player %s failed", player_id)

    async def _send(self, session: Session, text: str) -> None:
        try:
            await session.sink(text)
        except Exception:
            log.warning("could not send to player %s", session.player.id, exc_info=True)

    def _write(self, session: Session, frames: bytes) -> None:
        assert session.write is not None
        try:
            session.write(frames)
        except Exception:
            log.warning("could not write to player %s", session.player.id, exc_info=True)

    def _publish(self, engine: WorldEngine, message: dict[str, Any]) -> None:
        message.update({"world": engine.world_id, "origin": self.channel})
        self._enqueue("group", world_group(engine.world_id), message)

    def _enqueue(self, how: str, target: str, message: dict[str, Any]) -> None:
        if self._outbox.full():
            # Redis is stalled or gone: the oldest message goes, and whoever misses it sees a
            # gap in the numbering and asks for a snapshot once messages flow again.
            self._outbox.get_nowait()
            self._outbox.task_done()
            self.outbox_dropped += 1
            if self.outbox_dropped % OUTBOX_LIMIT == 1:
                log.warning("world sync outbox full: %d messages dropped so far", self.outbox_dropped)
        self._outbox.put_nowait((how, target, message))

    async def _publish_outbox(self) -> None:
        while True:
            how, target, message = await self._outbox.get()
            try:
                if how == "group":
                    await self.bus.publish(target, message)
                else:
                    await self.bus.send(target, message)
            finally:
                self._outbox.task_done()

    def _listened(self, world_id: int) -> bool:
        """Whether another process holds this world (heard from within ORIGIN_TIMEOUT_SECONDS).
        A process alone publishes no batches: they would only come back to it from Redis, every
        tick (6-7% of its loop at 600 players, docs/performance.md). Its hello on attaching and
        its heartbeat every HEARTBEAT_SECONDS still go out; a process that starts later says
        hello, is heard, gets a snapshot, and the batches follow it."""
        return any(key[0] == world_id for key in self._heard)

    def _sweep(self, engine: WorldEngine) -> None:
        """The lease on local sessions: a socket that ended is out of the world, whether or not
        its leave path ran."""
        for session in [s for s in engine.sessions.values() if not s.alive()]:
            log.warning(
                "player %s's socket has ended without leaving %s; removing them", session.player.id, engine.slug
            )
            engine.leave(session)

    def _expire_origins(self, engine: WorldEngine) -> None:
        now = time.monotonic()
        for origin in engine.origins() | {key[1] for key in self._heard if key[0] == engine.world_id}:
            key = (engine.world_id, origin)
            heard = self._heard.setdefault(key, now)
            if now - heard > ORIGIN_TIMEOUT_SECONDS:
                # Dead, or cut off from us: either way its players cannot be reached now. If it
                # lives, its next message brings a snapshot; if it died, its channel falls out of
                # the group when the membership expires (it is never re-asserted).
                log.warning("process %s went silent; removing its players from %s", origin, engine.slug)
                engine.drop_origin(origin)
                self._heard.pop(key, None)
                self._seen_seq.pop(key, None)

    async def _say_hello_again(self) -> None:
        """The channel layer works again (perhaps an empty Redis): every replica asks anew."""
        for engine in list(self.engines.values()):
            self._publish(engine, {"type": "sync.hello"})

    # --- other processes -----------------------------------------------------------------------

    async def _handle(self, message: dict[str, Any]) -> None:
        engine = self.engines.get(message.get("world"))  # type: ignore[arg-type]
        origin = message.get("origin")
        kind = message.get("type")
        if engine is None:
            return
        if kind == "sync.map_changed":  # from import_map, not from a process
            self.spawn(self._reload_map(engine), name=f"world-{engine.slug}-reload")
            return
        if not isinstance(origin, str) or origin == self.channel:
            return
        key = (engine.world_id, origin)
        self._heard[key] = time.monotonic()
        if kind == "sync.hello":
            self._enqueue("channel", origin, self._snapshot_message(engine))
            return
        if kind == "sync.snapshot":
            engine.replace_origin(origin, message["players"])
            self._seen_seq[key] = int(message["seq"])
            return
        seq = int(message["seq"])
        last = self._seen_seq.get(key)
        if kind == "sync.alive":
            if last != seq:
                self._ask_snapshot(engine, origin)
            return
        if kind == "sync.batch":
            self._seen_seq[key] = seq
            complete = engine.apply_remote(
                origin, upserts=message["upserts"], moved=message["moved"], gone=message["gone"]
            )
            if last is None or seq != last + 1 or not complete:
                self._ask_snapshot(engine, origin)

    def _snapshot_message(self, engine: WorldEngine) -> dict[str, Any]:
        return {"type": "sync.snapshot", "world": engine.world_id, "origin": self.channel, **engine.local_snapshot()}

    def _ask_snapshot(self, engine: WorldEngine, origin: str) -> None:
        key = (engine.world_id, origin)
        now = time.monotonic()
        if now - self._asked.get(key, 0.0) < SNAPSHOT_RETRY_SECONDS:
            return
        self._asked[key] = now
        self._enqueue("channel", origin, {"type": "sync.hello", "world": engine.world_id, "origin": self.channel})

    async def _reload_map(self, engine: WorldEngine) -> None:
        record = await self.store.load_record(engine.world_id)
        if record is None or record.map_json is None or self.engines.get(engine.world_id) is not engine:
            return
        displaced = engine.replace_map(MapData(record.map_json), record.map_url)
        for session in displaced:
            x, y = engine.spawn_point()
            engine.set_position(session, x, y)
        notice = messages.map_changed(record.map_url)
        for session in list(engine.sessions.values()):
            await session.sink(notice)
            if session in displaced:
                await session.sink(messages.correction(session.player, seq=session.player.seq, reason="map_changed"))
            await session.sink(messages.areas(engine.areas_of(session)))

    # --- saving --------------------------------------------------------------------------------

    async def _save_periodically(self) -> None:
        saved_at = time.monotonic()
        while True:
            await asyncio.sleep(PRESENCE_RENEW_SECONDS)
            positions = time.monotonic() - saved_at >= self.save_seconds
            if positions:
                saved_at = time.monotonic()
            await self.save_now(positions=positions)

    async def save_now(self, *, positions: bool = True) -> None:
        """Renew the presence lease of everyone connected here, and save the positions of those
        who moved since the last save (with `positions`)."""
        for engine in list(self.engines.values()):
            sessions = [s for s in engine.sessions.values() if s.alive()]
            moved = [
                s for s in sessions if self._saved.get((engine.world_id, s.player.id)) != (s.player.x, s.player.y)
            ] if positions else []  # fmt: skip
            try:
                await self.store.save(engine, server=self.server_name, live=sessions, moved=moved)
            except Exception as error:  # noqa: BLE001 - the next round tries again
                log.warning("saving positions in %s failed: %s: %s", engine.slug, type(error).__name__, error)
                continue
            for session in moved:
                self._saved[(engine.world_id, session.player.id)] = (session.player.x, session.player.y)

    def forget_saved(self, world_id: int, player_id: int) -> None:
        self._saved.pop((world_id, player_id), None)


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """This process's hub (one per event loop, so each test's loop gets its own), built from the
    settings: the process's bus, the store named by WORLD_STORE, the WORLD_* figures."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        store = import_string(settings.WORLD_STORE)()
        hub = _hubs[loop] = Hub(
            get_bus(), store, tick_hz=settings.WORLD_TICK_HZ, save_seconds=settings.WORLD_SAVE_SECONDS,
            engine_settings=EngineSettings(
                walk_speed=settings.WORLD_WALK_SPEED, talk_radius=settings.WORLD_TALK_RADIUS,
                mesh_limit=settings.WORLD_MESH_LIMIT, aoi_cell=settings.WORLD_AOI_CELL,
                call_limit=settings.CALL_P2P_LIMIT if settings.JANUS_URL else 0,  # no media server: no calls
                mix_limit=settings.CALL_AUDIO_MIX_LIMIT,
                aoi_radius=settings.WORLD_AOI_RADIUS,
            ),
        )  # fmt: skip
    return hub
