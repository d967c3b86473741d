"""/ws/world/<slug>/: a player in a world. Thin: admission, then moves go to the engine."""

import asyncio
import contextlib
import math
import time
from typing import Any
from urllib.parse import parse_qs

from django.utils.translation import gettext, ngettext

from metaverse import wire
from metaverse.database import database_sync_to_async
from metaverse.errors import AppError
from metaverse.sockets import (
    CloseCode,
    Flood,
    TokenBucket,
    client_address,
)
from world import messages
from world.admission import Admission
from world.engine.engine import Session, WorldEngine
from world.engine.hub import Hub, get_hub
from world.engine.mapdata import Exit
from world.engine.session import MoveResult
from world.engine.state import PlayerState
from world.finding import knock_target, locate, people_in
from world.schemas import Move, parse_emote, parse_knock_answer, parse_locate, parse_move, parse_ping
from world.selectors import Entry, exit_destination, player_entry, player_profile
from world.services import position_row, presence_join, presence_leave
from world.sockets import WorldSocketConsumer

MOVES_PER_SECOND = 20  # clients send at most ~10 a second; the rest is slack for bursts
MOVE_BURST = 20
RATE_DROPS_BEFORE_CLOSE = 100  # within RATE_WINDOW_SECONDS
RATE_WINDOW_SECONDS = 10.0
# Finding people: the list at most once a second (a page refreshes it every few seconds while
# shown), a whereabouts a few times a second (following someone asks once a second).
PEOPLE_PER_SECOND, PEOPLE_BURST = 1, 3
LOCATE_PER_SECOND, LOCATE_BURST = 4, 8
EMOTES_PER_SECOND, EMOTE_BURST = 1, 3
KNOCKS_PER_MINUTE, KNOCK_BURST = 3, 3  # asking people to come over: a few, not a stream
KNOCK_ANSWER_SECONDS = 120.0  # a knock can be answered this long
INVITED_SECONDS = 120.0  # after accepting a knock, the knocker may be located (walked to) this long
REPLICA_WAIT_SECONDS = 1.0  # for the other processes' snapshots, when the player is connected elsewhere


class WorldConsumer(WorldSocketConsumer):
    message_types = frozenset(
        {"move", "ping", "people", "locate", "knock", "knock_answer", "emote", "leave_call", "rejoin_call"}
    )
    # Someone who left, or went on do-not-disturb, while being looked for, followed or knocked on.
    uncounted_codes = frozenset({"unavailable", "unknown_player", "location_hidden", "do_not_disturb", "no_knock"})
    max_message_bytes = 1024

    hub: Hub | None = None
    engine: WorldEngine | None = None
    session: Session | None = None
    entry: Entry
    arrived_at = 0.0  # when admitted (time.time()), to tell a newer socket of the player's from an older one

    async def connect(self) -> None:
        self.knocks = TokenBucket(KNOCKS_PER_MINUTE / 60, KNOCK_BURST)
        self.emotes = TokenBucket(EMOTES_PER_SECOND, EMOTE_BURST)
        self.call_switches = TokenBucket(EMOTES_PER_SECOND, EMOTE_BURST)  # leave_call / rejoin_call
        self.knocked_by: dict[int, float] = {}  # who knocked on us, and when: answerable for a while
        self.invited_by: dict[int, float] = {}  # whose knock we accepted, and when: we may find them
        admission = await self.admit()
        if admission is None:
            return
        user, record, entry = self.scope["user"], admission.record, self.entry
        self.hub = get_hub()
        self.engine = engine = await self.hub.attach(record)
        # One connection per player and world: an older one, here or on another process, closes,
        # and this one carries on from where that one stands now (not from the last save). A
        # replica just started here learns of the older one from the others' snapshots.
        live = engine.players.get(user.pk)
        if live is None and entry.connected_elsewhere:
            live = await self._replicated(engine, user.pk)
        # Not awaited: the arrival does not wait on Redis for the older socket to hear of it.
        self.arrived_at = time.time()
        replaced = {"type": "world.replaced", "world": record.id, "channel": self.channel_name,
                    "arrived_at": self.arrived_at}  # fmt: skip
        self.hub.spawn(
            self.bus.publish_user_event(user.pk, replaced),
            name=f"world-replaced-{user.pk}",
        )
        older = engine.session_of(user.pk)
        if older is not None:
            await older.close(CloseCode.REPLACED, "replaced")
        if engine.population() >= record.capacity and live is None:
            full = gettext("%(world)s is full (%(capacity)d).") % {"world": record.name, "capacity": record.capacity}
            await self.close_with(CloseCode.WORLD_FULL, "world_full", full)
            return
        x, y, direction = self._starting_point(engine, (live.x, live.y, live.dir) if live else entry.saved)
        profile = entry.profile
        player = PlayerState(
            id=user.pk, x=x, y=y, dir=direction, name=profile["name"], avatar=profile["avatar"],
            avatar_url=profile["avatar_url"], status=profile["status"], avoids=entry.avoids, guest=entry.guest,
            hide_location=profile["hide_location"],
        )  # fmt: skip
        self.moves = TokenBucket(MOVES_PER_SECOND, MOVE_BURST)
        self.flood = Flood(
            limit=RATE_DROPS_BEFORE_CLOSE,
            window=RATE_WINDOW_SECONDS,
            notice=gettext("at most %(count)d moves a second") % {"count": MOVES_PER_SECOND},
            closing=gettext("Too many moves."),
        )
        self.finding = TokenBucket(PEOPLE_PER_SECOND, PEOPLE_BURST), TokenBucket(LOCATE_PER_SECOND, LOCATE_BURST)
        self.session = engine.join(
            player, sink=self.send_text, close=self.close_with, alive=self.is_alive, write=self.frame_writer()
        )
        await self.send_text(engine.welcome(self.session))
        self.receive_inline(self.move_now)
        await database_sync_to_async(presence_join)(
            user_id=user.pk,
            world_id=record.id,
            server=self.hub.server_name,
            row=position_row(engine, self.session),
            connected_at=self.session.connected_at,
            address=client_address(self.scope),
        )

    def read_on_admission(self, admission: Admission) -> None:
        self.entry = player_entry(user_id=self.scope["user"].pk, world_id=admission.record.id)

    async def _replicated(self, engine: WorldEngine, user_id: int) -> PlayerState | None:
        """The player as another process holds them, once its snapshot has arrived (or None)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(REPLICA_WAIT_SECONDS):
                while user_id not in engine.players:  # noqa: ASYNC110 - the replica announces no arrivals
                    await asyncio.sleep(0.02)
        return engine.players.get(user_id)

    def _starting_point(self, engine: WorldEngine, saved: tuple[float, float, str] | None) -> tuple[float, float, str]:
        entry = parse_qs(self.scope.get("query_string", b"").decode(errors="replace")).get("entry", [""])[0]
        if saved is not None and not entry and engine.map.is_walkable(saved[0], saved[1]):
            return saved
        x, y = engine.spawn_point(entry[:100] or None)
        return x, y, "down"

    async def disconnect(self, code: int) -> None:
        if self.hub is None or self.engine is None:
            return
        engine, session = self.engine, self.session
        still_current = session is not None and engine.session_of(session.player.id) is session
        if session is not None:
            engine.leave(session)
        await self.hub.detach(engine.world_id)
        if session is not None:
            self.hub.forget_saved(engine.world_id, session.player.id)
            row = position_row(engine, session)
            server = self.hub.server_name if still_current else ""  # a newer connection here owns the row
            await database_sync_to_async(presence_leave)(
                user_id=session.player.id, world_id=engine.world_id, server=server, row=row
            )

    # --- messages from the client -------------------------------------------------------------

    async def handle_move(self, data: dict[str, Any]) -> None:
        engine, session = self.engine, self.session
        if engine is None or session is None:
            return
        if not self.moves.take():
            await self.drop_for_rate(self.flood)
            return
        move = parse_move(data)
        await self._after_move(engine, session, apply_move(engine, session, move), move.seq)

    def move_now(self, text: str) -> bool:
        """A move as the server reads it (JsonSocketConsumer.receive_inline): applied at once, no
        queue, no task. Anything else, and any move that must be refused in words, is left to the
        queue (False), which parses it again and answers as `handle_move` does."""
        engine, session = self.engine, self.session
        if engine is None or session is None:
            return False
        try:
            data = wire.loads(text, max_bytes=self.max_message_bytes)
            if type(data) is not dict or data.get("type") != "move":
                return False
            move = parse_move(data)
        except AppError:
            return False
        if not self.moves.take():
            return False  # the queue takes again, fails again, and says so
        result = apply_move(engine, session, move)
        if result.accepted and not (result.zone_changed or result.areas_changed or result.exit):
            return True
        self.post({"type": "world.move_outcome", "result": result, "seq": move.seq})
        return True

    async def world_move_outcome(self, event: dict[str, Any]) -> None:
        """What a move applied inline needs said, in this socket's task (never from another process)."""
        if self.engine is None or self.session is None:
            return
        try:
            await self._after_move(self.engine, self.session, event["result"], event["seq"])
        except AppError as error:
            await self.refuse(error)

    async def _after_move(self, engine: WorldEngine, session: Session, result: MoveResult, seq: int | None) -> None:
        """A correction for a refused move; the zone, areas or exit a move led into."""
        if not result.accepted:
            if result.reason == "stale_seq":
                raise AppError("stale_seq", gettext("'seq' must be greater than %(seq)s") % {"seq": session.player.seq})
            await self.send_text(messages.correction(session.player, seq=seq, reason=result.reason))
            return
        if result.zone_changed:
            await self.send_text(messages.zone(engine.zone_of_player(session.player.id)))
        if result.areas_changed:
            await self.send_text(messages.areas(engine.areas_of(session)))
        if result.exit is not None:
            await self._announce_exit(result.exit)

    async def handle_people(self, data: dict[str, Any]) -> None:
        if self.engine is None or self.session is None:
            return
        if not self.finding[0].take():
            await self.drop_for_rate(self.flood)
            return
        people = people_in(self.engine, asker=self.session.player.id)
        await self.send_text(messages.people(people))

    async def handle_locate(self, data: dict[str, Any]) -> None:
        if self.engine is None or self.session is None:
            return
        if not self.finding[1].take():
            await self.drop_for_rate(self.flood)
            return
        target = parse_locate(data)
        accepted = self.invited_by.get(target)
        invited = accepted is not None and time.monotonic() - accepted < INVITED_SECONDS
        await self.send_text(
            messages.located(locate(self.engine, asker=self.session.player.id, target=target, invited=invited))
        )

    async def handle_leave_call(self, data: dict[str, Any]) -> None:
        if self.engine is not None and self.session is not None and await self._call_switch_allowed():
            self.engine.leave_call(self.session)

    async def handle_rejoin_call(self, data: dict[str, Any]) -> None:
        if self.engine is not None and self.session is not None and await self._call_switch_allowed():
            self.engine.rejoin_call(self.session)

    async def _call_switch_allowed(self) -> bool:
        # Each switch has contacts worked out again at once: a few a second, not a stream.
        if self.call_switches.take():
            return True
        await self.drop_for_rate(self.flood)
        return False

    async def handle_emote(self, data: dict[str, Any]) -> None:
        if self.engine is None or self.session is None:
            return
        emote = parse_emote(data)
        if not self.emotes.take():
            await self.drop_for_rate(self.flood)
            return
        self.engine.react(self.session, emote)

    async def handle_knock(self, data: dict[str, Any]) -> None:
        """Ask someone anywhere in the world to come over: their page asks them (`knocked`)."""
        if self.engine is None or self.session is None:
            return
        me = self.session.player
        target = knock_target(self.engine, asker=me.id, target=parse_locate(data))
        if not self.knocks.take():
            limit = ngettext(
                "You can knock at most %(count)d time a minute.",
                "You can knock at most %(count)d times a minute.",
                KNOCKS_PER_MINUTE,
            )
            raise AppError("rate_limited", limit % {"count": KNOCKS_PER_MINUTE}, id=target.id)
        knock = {"type": "world.knock", "world": self.engine.world_id, "from": {"id": me.id, "name": me.name}}
        if not await self.bus.publish_user_event(target.id, knock):
            raise AppError("unavailable", gettext("Could not knock right now; try again."), id=target.id)
        await self.send_text(messages.knock_sent(target.id))

    async def handle_knock_answer(self, data: dict[str, Any]) -> None:
        if self.engine is None or self.session is None:
            return
        knocker, accept = parse_knock_answer(data)
        knocked_at = self.knocked_by.pop(knocker, None)
        if knocked_at is None or time.monotonic() - knocked_at > KNOCK_ANSWER_SECONDS:
            raise AppError(
                "no_knock", gettext("Player %(id)d has not knocked on your door lately.") % {"id": knocker}, id=knocker
            )
        me = self.session.player
        answer = {"type": "world.knock_answered", "world": self.engine.world_id, "from": {"id": me.id, "name": me.name},
                  "accept": accept}  # fmt: skip
        if accept:  # they asked us over: their page walks us there even if they hide where they are
            self.invited_by[knocker] = time.monotonic()
        await self.bus.publish_user_event(knocker, answer)

    async def handle_ping(self, data: dict[str, Any]) -> None:
        await self.send_text(messages.pong(parse_ping(data), server_time=int(time.time() * 1000)))

    async def _announce_exit(self, exit: Exit) -> None:
        slug = await database_sync_to_async(exit_destination)(target=exit.target)
        if slug is None:
            if exit.url.startswith(("https://", "http://")):
                await self.send_text(messages.exit(exit, world=None))
                return
            raise AppError(
                "exit_unavailable",
                gettext("This exit leads to '%(target)s', which is not on this server.") % {"target": exit.target},
            )
        await self.send_text(messages.exit(exit, world=slug))

    # --- events from the channel layer --------------------------------------------------------

    async def world_replaced(self, event: dict[str, Any]) -> None:
        """A newer socket of this player opened this world. One that arrived before this one is
        not newer: its event can reach this socket late (it is not awaited), when the player
        closed it and came straight back."""
        if self.engine is None or event["world"] != self.engine.world_id or event["channel"] == self.channel_name:
            return
        if event.get("arrived_at", math.inf) > self.arrived_at:
            await self.close_with(CloseCode.REPLACED, "replaced", gettext("You opened this world somewhere else."))

    async def world_knock(self, event: dict[str, Any]) -> None:
        if self.engine is None or event.get("world") != self.engine.world_id:
            return
        knocker = event["from"]
        self.knocked_by[int(knocker["id"])] = time.monotonic()
        await self.send_text(messages.knocked(knocker))

    async def world_knock_answered(self, event: dict[str, Any]) -> None:
        if self.engine is not None and event.get("world") == self.engine.world_id:
            await self.send_text(messages.knock_answered(event["from"], accept=bool(event["accept"])))

    async def chat_blocked(self, event: dict[str, Any]) -> None:
        """This player blocked someone (chat/services.py): never in contact with them again."""
        if self.engine is not None and self.session is not None:
            player = self.session.player
            self.engine.set_avoids(player.id, player.avoids | {int(event["user"])})

    async def chat_unblocked(self, event: dict[str, Any]) -> None:
        if self.engine is not None and self.session is not None:
            player = self.session.player
            self.engine.set_avoids(player.id, player.avoids - {int(event["user"])})

    async def player_profile_changed(self, event: dict[str, Any]) -> None:
        if self.engine is None or self.session is None:
            return
        profile = await database_sync_to_async(player_profile)(user_id=self.session.player.id)
        self.engine.update_profile(self.session.player.id, **profile)


def apply_move(engine: WorldEngine, session: Session, move: Move) -> MoveResult:
    direction = move.dir or session.player.dir
    return engine.move(
        session, x=move.x, y=move.y, direction=direction, moving=move.moving, seq=move.seq, now=time.monotonic()
    )
