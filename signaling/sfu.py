"""Calls through the media server (Janus VideoRoom, and AudioBridge for the sound of the largest
calls): Django decides who is in which room.

Rooms, their secrets and each member's entry token are derived from SECRET_KEY, so every server
process names the same room and token for the same call without asking the others, and can add
or take out any member. A room is private, needs its secret to be managed and lets in only the
tokens on its `allowed` list: a player's token is on it exactly while the player belongs to the
call. Taking a player out removes the token and kicks the player's feed; a token of one room
opens no other (Janus answers 433).

A call's sound mix (AudioBridge, for calls of more than CALL_AUDIO_MIX_LIMIT) is a room of that
plugin with the same number, secret and entry tokens, run the same way.

Each process keeps one Janus session for this (`RoomKeeper`), opened on first use and reopened
after a failure.
"""

import asyncio
import contextlib
import hashlib
import hmac
import logging
import weakref
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

from signaling.janus import AUDIOBRIDGE, VIDEOROOM, JanusError, JanusSession, core_token

log = logging.getLogger(__name__)

WATCH_SECONDS = 5.0  # how often each process asks whether Janus answers
ROOM_PUBLISHERS = 100  # Janus's own cap per room; our callers stay far below it
ROOM_BITRATE = 512_000  # bits/s per publisher: a 640×360 camera
MIX_SAMPLING_RATE = 48_000  # Opus's own rate: no resampling


@dataclass(frozen=True)
class Plugin:
    """A Janus plugin whose rooms we run, with its own error codes for the answers we expect."""

    name: str
    no_such_room: int
    room_exists: int
    no_such_feed: int

    def create(self, room: int, description: str) -> dict[str, Any]:
        body = {
            "request": "create", "room": room, "admin_key": settings.JANUS_ADMIN_KEY, "secret": room_secret(room),
            "description": description[:100], "is_private": True, "allowed": [], "audiolevel_event": True,
            "audio_active_packets": 50, "audio_level_average": 40,
        }  # fmt: skip
        if self.name == VIDEOROOM:
            body |= {"publishers": ROOM_PUBLISHERS, "bitrate": ROOM_BITRATE, "fir_freq": 10, "require_pvtid": True,
                     "notify_joining": True}  # fmt: skip
        else:  # one stereo mix per listener, each voice placed where its page says (`spatial_position`)
            body |= {"sampling_rate": MIX_SAMPLING_RATE, "spatial_audio": True}
        return body


VIDEO = Plugin(VIDEOROOM, no_such_room=426, room_exists=427, no_such_feed=428)
MIXER = Plugin(AUDIOBRIDGE, no_such_room=485, room_exists=486, no_such_feed=492)


def janus_configured() -> bool:
    return bool(settings.JANUS_URL and settings.JANUS_TOKEN_SECRET and settings.JANUS_ADMIN_KEY)


def _derived(purpose: str, *parts: object) -> bytes:
    message = ":".join([purpose, *map(str, parts)]).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()


def room_id(*, world_id: int, name: str) -> int:
    """The Janus room of one call of a world (`name`: "zone-3" for a meeting zone). Below 2**53,
    so that browsers read it exactly; never 0."""
    return int.from_bytes(_derived("janus-room", world_id, name)[:7], "big") >> 3 or 1


def room_secret(room: int) -> str:
    return _derived("janus-room-secret", room).hex()


def member_token(*, room: int, user_id: int) -> str:
    """What a player shows Janus to join `room`: accepted while on the room's `allowed` list."""
    return _derived("janus-member", room, user_id).hex()[:40]


@dataclass(frozen=True)
class Ticket:
    """What a player's page needs to join its call on Janus."""

    url: str
    token: str  # Janus core token (any request), valid JANUS_TOKEN_TTL seconds
    room: int
    member_token: str  # the room's entry token
    feed: int  # the player's publisher id in the room: its user id

    def as_message(self) -> dict[str, Any]:
        return asdict(self)


def ticket(*, room: int, user_id: int, now: float | None = None) -> Ticket:
    token = core_token(secret=settings.JANUS_TOKEN_SECRET, ttl=settings.JANUS_TOKEN_TTL, now=now)
    return Ticket(settings.JANUS_URL, token, room, member_token(room=room, user_id=user_id), user_id)


class RoomKeeper:
    """This process's hand on Janus's rooms. Safe to share between tasks; every call either does
    what it says or raises JanusError."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or settings.JANUS_INTERNAL_URL or settings.JANUS_URL
        self._session: JanusSession | None = None
        self._handles: dict[str, int] = {}  # plugin -> our handle on it
        self._lock = asyncio.Lock()
        self._created: set[tuple[str, int]] = set()
        self.reachable = True
        self._watching = False
        self._checked = asyncio.Event()  # set to ask the watch for a check now
        self._strangers: dict[tuple[str, int], set[int]] = {}  # (plugin, room) -> feeds found there, not members

    async def _handle(self, plugin: Plugin) -> tuple[JanusSession, int]:
        async with self._lock:
            if self._session is None or self._session.closed:
                token = core_token(secret=settings.JANUS_TOKEN_SECRET, plugins=(VIDEOROOM, AUDIOBRIDGE), ttl=86400)
                self._session = await JanusSession.open(self.url, token=token)
                self._handles.clear()
                self._created.clear()  # Janus may have restarted: rooms are created again
            if plugin.name not in self._handles:
                self._handles[plugin.name] = await self._session.attach(plugin.name)
            return self._session, self._handles[plugin.name]

    async def _request(self, body: dict[str, Any], plugin: Plugin) -> dict[str, Any]:
        session, handle = await self._handle(plugin)
        try:
            return await session.request(handle, body)
        except JanusError as error:
            if error.code == 0:  # the connection is gone: the next call opens a new one
                await self.close()
            raise

    async def ensure_room(self, room: int, *, description: str, plugin: Plugin = VIDEO) -> None:
        """Create the room unless it exists; idempotent across processes."""
        if (plugin.name, room) in self._created:
            return
        try:
            await self._request(plugin.create(room, description), plugin)
        except JanusError as error:
            if error.code != plugin.room_exists:
                raise
        self._created.add((plugin.name, room))

    async def admit(self, room: int, user_id: int, *, plugin: Plugin = VIDEO) -> None:
        """Put the player's token on the room's list: its page can now join."""
        await self.allow(room, user_id, plugin=plugin)

    async def allow(self, room: int, user_id: int, *, plugin: Plugin = VIDEO, allowed: bool = True) -> None:
        """Put the player's token on the room's list, or take it off (which lets a page already
        in the room stay: `kick` takes it out)."""
        action = "add" if allowed else "remove"
        await self._request(
            {"request": "allowed", "room": room, "secret": room_secret(room), "action": action,
             "allowed": [member_token(room=room, user_id=user_id)]},
            plugin,
        )  # fmt: skip

    async def dismiss(self, room: int, user_id: int, *, plugin: Plugin = VIDEO) -> None:
        """Take the player's token off the list and the player's feed out of the room."""
        await self.allow(room, user_id, plugin=plugin, allowed=False)
        await self.kick(room, user_id, plugin=plugin)

    async def kick(self, room: int, feed: int, *, plugin: Plugin = VIDEO) -> None:
        try:
            await self._request({"request": "kick", "room": room, "secret": room_secret(room), "id": feed}, plugin)
        except JanusError as error:
            if error.code not in (plugin.no_such_feed, plugin.no_such_room):
                raise

    async def participants(self, room: int, *, plugin: Plugin = VIDEO) -> list[dict[str, Any]]:
        answer = await self._request({"request": "listparticipants", "room": room, "secret": room_secret(room)}, plugin)
        return list(answer.get("participants", []))

    async def strangers(self, room: int, members: set[int], *, plugin: Plugin = VIDEO) -> set[int]:
        """The feeds in the room that are not one of `members` (ids as feeds)."""
        return {int(found["id"]) for found in await self.participants(room, plugin=plugin)} - members

    async def sweep(self, room: int, members: set[int], *, plugin: Plugin = VIDEO) -> list[int]:
        """Kick every feed in the room that is not one of `members`; the kicked."""
        strangers = sorted(await self.strangers(room, members, plugin=plugin))
        for feed in strangers:
            await self.kick(room, feed, plugin=plugin)
        return strangers

    async def sweep_calls(self, hub: Any) -> list[tuple[int, int]]:
        """Kick from each call's room every feed that is not a member of the call, as this
        process's worlds see it, on two sweeps in a row (a newcomer admitted by another process
        may be a moment ahead of this process's replica). The (room, feed) pairs kicked."""
        kicked: list[tuple[int, int]] = []
        strangers: dict[tuple[str, int], set[int]] = {}
        for engine in list(hub.engines.values()):
            members: dict[str, set[int]] = {}
            for player, call in engine.calls.items():
                members.setdefault(call, set()).add(player)
            for call, inside in members.items():
                room = room_id(world_id=engine.world_id, name=call)
                for plugin in (VIDEO, MIXER) if engine.call_mixed(call) else (VIDEO,):
                    key = (plugin.name, room)
                    try:
                        strangers[key] = await self.strangers(room, inside, plugin=plugin)
                    except JanusError:
                        continue  # not created yet, or Janus just went away
                    for feed in strangers[key] & self._strangers.get(key, set()):
                        await self.kick(room, feed, plugin=plugin)
                        kicked.append((room, feed))
        self._strangers = strangers
        if kicked:
            log.warning("janus: kicked %s feed(s) that were not in their calls: %s", len(kicked), kicked)
        return kicked

    async def destroy(self, room: int, *, plugin: Plugin = VIDEO) -> None:
        try:
            await self._request({"request": "destroy", "room": room, "secret": room_secret(room)}, plugin)
        except JanusError as error:
            if error.code != plugin.no_such_room:
                raise
        self._created.discard((plugin.name, room))

    async def answers(self) -> bool:
        """Does Janus answer now (a cheap request on our session, reopened if need be)?"""
        try:
            await self._request({"request": "exists", "room": 1}, VIDEO)
        except JanusError:
            return False
        return True

    def watch(self, hub: Any) -> None:
        """Keep the hub's worlds told whether Janus answers (once per process): while it does
        not, meetings fall back to peer-to-peer, and come back to Janus when it does."""
        if not self._watching:
            self._watching = True
            hub.spawn(self._watch(hub), name="media-server-watch")

    def check_soon(self) -> None:
        """A request just failed: the watch looks now rather than at its next beat."""
        self._checked.set()

    async def _watch(self, hub: Any) -> None:
        while True:
            reachable = await self.answers()
            if reachable != self.reachable:
                self.reachable = reachable
                if reachable:
                    log.warning("janus: reachable again at %s: meetings go through it", self.url)
                else:
                    log.warning("janus: unreachable at %s: meetings fall back to peer-to-peer", self.url)
            for engine in list(hub.engines.values()):
                engine.set_calls_available(reachable)
            if reachable:
                await self.sweep_calls(hub)
            self._checked.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(WATCH_SECONDS):
                    await self._checked.wait()

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


_keepers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomKeeper]" = weakref.WeakKeyDictionary()


def get_keeper() -> RoomKeeper:
    """This process's RoomKeeper (one per event loop, as the hub)."""
    loop = asyncio.get_running_loop()
    keeper = _keepers.get(loop)
    if keeper is None:
        keeper = _keepers[loop] = RoomKeeper()
    return keeper
