"""Calls through the media server (Janus VideoRoom): Django decides who is in which room.

Rooms, their secrets and each member's entry token are derived from SECRET_KEY, so every server
process names the same room and token for the same call without asking the others, and can add
or take out any member. A room is private, needs its secret to be managed and lets in only the
tokens on its `allowed` list: a player's token is on it exactly while the player belongs to the
call. Taking a player out removes the token and kicks the player's feed; a token of one room
opens no other (Janus answers 433).

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

from signaling.janus import VIDEOROOM, JanusError, JanusSession, core_token

log = logging.getLogger(__name__)

NO_SUCH_ROOM, ROOM_EXISTS, NO_SUCH_FEED = 426, 427, 428
WATCH_SECONDS = 5.0  # how often each process asks whether Janus answers
ROOM_PUBLISHERS = 100  # Janus's own cap per room; our callers stay far below it
ROOM_BITRATE = 512_000  # bits/s per publisher: a 640×360 camera


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
        self._handle = 0
        self._lock = asyncio.Lock()
        self._created: set[int] = set()
        self.reachable = True
        self._watching = False
        self._checked = asyncio.Event()  # set to ask the watch for a check now
        self._strangers: dict[int, set[int]] = {}  # room -> feeds found there last time, not members

    async def _videoroom(self) -> tuple[JanusSession, int]:
        async with self._lock:
            if self._session is None or self._session.closed:
                token = core_token(secret=settings.JANUS_TOKEN_SECRET, plugins=(VIDEOROOM,), ttl=86400)
                self._session = await JanusSession.open(self.url, token=token)
                self._handle = await self._session.attach(VIDEOROOM)
                self._created.clear()  # Janus may have restarted: rooms are created again
            return self._session, self._handle

    async def _request(self, body: dict[str, Any]) -> dict[str, Any]:
        session, handle = await self._videoroom()
        try:
            return await session.request(handle, body)
        except JanusError as error:
            if error.code == 0:  # the connection is gone: the next call opens a new one
                await self.close()
            raise

    async def ensure_room(self, room: int, *, description: str) -> None:
        """Create the room unless it exists; idempotent across processes."""
        if room in self._created:
            return
        body = {
            "request": "create", "room": room, "admin_key": settings.JANUS_ADMIN_KEY, "secret": room_secret(room),
            "description": description[:100], "is_private": True, "allowed": [], "publishers": ROOM_PUBLISHERS,
            "bitrate": ROOM_BITRATE, "fir_freq": 10, "require_pvtid": True, "notify_joining": True,
            "audiolevel_event": True, "audio_active_packets": 50, "audio_level_average": 40,
        }  # fmt: skip
        try:
            await self._request(body)
        except JanusError as error:
            if error.code != ROOM_EXISTS:
                raise
        self._created.add(room)

    async def admit(self, room: int, user_id: int) -> None:
        """Put the player's token on the room's list: its page can now join."""
        await self._allowed(room, "add", [member_token(room=room, user_id=user_id)])

    async def dismiss(self, room: int, user_id: int) -> None:
        """Take the player's token off the list and the player's feed out of the room."""
        await self._allowed(room, "remove", [member_token(room=room, user_id=user_id)])
        await self.kick(room, user_id)

    async def kick(self, room: int, feed: int) -> None:
        try:
            await self._request({"request": "kick", "room": room, "secret": room_secret(room), "id": feed})
        except JanusError as error:
            if error.code not in (NO_SUCH_FEED, NO_SUCH_ROOM):
                raise

    async def participants(self, room: int) -> list[dict[str, Any]]:
        answer = await self._request({"request": "listparticipants", "room": room, "secret": room_secret(room)})
        return list(answer.get("participants", []))

    async def strangers(self, room: int, members: set[int]) -> set[int]:
        """The feeds in the room that are not one of `members` (ids as feeds)."""
        return {int(found["id"]) for found in await self.participants(room)} - members

    async def sweep(self, room: int, members: set[int]) -> list[int]:
        """Kick every feed in the room that is not one of `members`; the kicked."""
        strangers = sorted(await self.strangers(room, members))
        for feed in strangers:
            await self.kick(room, feed)
        return strangers

    async def sweep_calls(self, hub: Any) -> list[tuple[int, int]]:
        """Kick from each call's room every feed that is not a member of the call, as this
        process's worlds see it, on two sweeps in a row (a newcomer admitted by another process
        may be a moment ahead of this process's replica). The (room, feed) pairs kicked."""
        kicked: list[tuple[int, int]] = []
        strangers: dict[int, set[int]] = {}
        for engine in list(hub.engines.values()):
            members: dict[str, set[int]] = {}
            for player, call in engine.calls.items():
                members.setdefault(call, set()).add(player)
            for call, inside in members.items():
                room = room_id(world_id=engine.world_id, name=call)
                try:
                    strangers[room] = await self.strangers(room, inside)
                except JanusError:
                    continue  # not created yet, or Janus just went away
                for feed in strangers[room] & self._strangers.get(room, set()):
                    await self.kick(room, feed)
                    kicked.append((room, feed))
        self._strangers = strangers
        if kicked:
            log.warning("janus: kicked %s feed(s) that were not in their calls: %s", len(kicked), kicked)
        return kicked

    async def destroy(self, room: int) -> None:
        try:
            await self._request({"request": "destroy", "room": room, "secret": room_secret(room)})
        except JanusError as error:
            if error.code != NO_SUCH_ROOM:
                raise
        self._created.discard(room)

    async def _allowed(self, room: int, action: str, tokens: list[str]) -> None:
        await self._request(
            {"request": "allowed", "room": room, "secret": room_secret(room), "action": action, "allowed": tokens}
        )

    async def answers(self) -> bool:
        """Does Janus answer now (a cheap request on our session, reopened if need be)?"""
        try:
            await self._request({"request": "exists", "room": 1})
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
