"""One world as one server process holds it: the authority for the players connected here, a
replica of everyone else's, and the tick that tells each connected player what changed.

Nothing here awaits or touches the database: consumers call `join`/`move`/`leave`, the hub
calls `tick` and applies other processes' batches, and sends what `tick` returns.
"""

import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from metaverse.frames import FrameWriter
from world import messages
from world.engine.calls import Calls
from world.engine.contacts import Contacts
from world.engine.conversations import Conversations
from world.engine.mapdata import Area, MapData, Zone
from world.engine.session import ContactListener, EngineSettings, MoveResult, Session, Sink, TickResult, always
from world.engine.state import PlayerState

GONE = -1
LEAVE_CALL_TILES = 3.0  # stepping out of calls lasts until one walks this far


class WorldEngine(Conversations):
    def __init__(
        self, *, world_id: int, slug: str, name: str, capacity: int, mapdata: MapData, map_url: str,
        settings: EngineSettings, origin: str = "",
    ) -> None:  # fmt: skip
        self.world_id = world_id
        self.slug = slug
        self.name = name
        self.capacity = capacity
        self.map = mapdata
        self.map_url = map_url
        self.settings = settings
        self.origin = origin
        self.players: dict[int, PlayerState] = {}
        self.sessions: dict[int, Session] = {}
        self.contacts: Contacts = {}
        self.calls: Calls = {}
        self.mixed: frozenset[str] = frozenset()  # the calls whose sound the media server mixes
        self._hidden: dict[int, frozenset[int]] = {}  # call members kept apart by a block
        self.calls_available = True  # False while the media server cannot be reached: mesh only
        self.contact_listeners: dict[int, set[ContactListener]] = {}
        self._cells_x = math.ceil(mapdata.width / settings.aoi_cell)
        self._cells_y = math.ceil(mapdata.height / settings.aoi_cell)
        self._grid: dict[int, set[int]] = {}
        self._windows: dict[int, frozenset[int]] = {}
        self._moved: set[int] = set()
        self._updated: set[int] = set()
        self._reacted: set[int] = set()  # players who reacted (an emote) since the last tick
        self._cell_changed: set[int] = set()
        self._contacts_stale = False
        self._contacts_at = -(10**12)  # ms of the last contacts refresh
        self._contacts_wait_ms: float = settings.contacts_interval_ms
        self._local_moved: set[int] = set()
        self._local_upserts: set[int] = set()
        self._local_gone: set[int] = set()
        self._publication_seq = 0
        self._shadows: dict[int, PlayerState] = {}  # remote claims on players connected here
        # what each listened player's listeners last heard: contacts, call, whether it is mixed,
        # who in it they are kept apart from
        self._listened_contacts: dict[int, tuple[frozenset[int], str | None, bool, frozenset[int], str | None]] = {}
        self.stage_speakers: frozenset[int] = frozenset()  # on a stage in a stage's call (calls.py)
        self.one_way: frozenset[tuple[int, int]] = frozenset()  # (speaker, listener): peer-to-peer stages

    # --- placing players ----------------------------------------------------------------------

    def cell_of(self, x: float, y: float) -> int:
        cell_x = max(0, min(int(x) // self.settings.aoi_cell, self._cells_x - 1))
        cell_y = max(0, min(int(y) // self.settings.aoi_cell, self._cells_y - 1))
        return cell_y * self._cells_x + cell_x

    def window_of(self, cell: int) -> frozenset[int]:
        window = self._windows.get(cell)
        if window is None:
            cell_x, cell_y = cell % self._cells_x, cell // self._cells_x
            reach = self.settings.aoi_radius
            window = frozenset(
                y * self._cells_x + x
                for y in range(max(0, cell_y - reach), min(self._cells_y, cell_y + reach + 1))
                for x in range(max(0, cell_x - reach), min(self._cells_x, cell_x + reach + 1))
            )
            self._windows[cell] = window
        return window

    def _place(self, player: PlayerState) -> None:
        """Put a player (new or moved) in the right cell and zone, noting what changed."""
        cell = self.cell_of(player.x, player.y)
        if cell != player.cell:
            if player.cell != GONE:
                self._grid[player.cell].discard(player.id)
            self._grid.setdefault(cell, set()).add(player.id)
            player.cell = cell
            self._cell_changed.add(player.id)
        index = self.map.index_of(player.x, player.y)
        zone = self.map.zone_at[index] if index >= 0 else -1
        if zone != player.zone:
            player.zone = zone
        stage = self.map.stage_of_set[self.map.areas_at[index]] if index >= 0 else None
        player.stage, player.stage_speaker = stage if stage is not None else (-1, False)
        self._moved.add(player.id)
        self._contacts_stale = True

    def _remove(self, player_id: int) -> PlayerState | None:
        player = self.players.pop(player_id, None)
        if player is None:
            return None
        if player.cell != GONE:
            self._grid[player.cell].discard(player_id)
        player.cell = GONE
        self._cell_changed.add(player_id)
        self._moved.discard(player_id)
        self._updated.discard(player_id)
        self._contacts_stale = True
        return player

    def population(self) -> int:
        return len(self.players)

    def spawn_point(self, entry: str | None = None) -> tuple[float, float]:
        """The centre of a free tile of the entry (or default spawn), a random one if all are taken."""
        tiles = self.map.entry_tiles(entry)
        taken = {(int(player.x), int(player.y)) for player in self.players.values()}
        free = [tile for tile in tiles if tile not in taken] or tiles
        tile_x, tile_y = random.choice(free)
        return tile_x + 0.5, tile_y + 0.5

    # --- local players ------------------------------------------------------------------------

    def join(
        self, player: PlayerState, *, sink: Sink, close: Callable[[int, str], Awaitable[None]],
        alive: Callable[[], bool] = always, write: FrameWriter | None = None,
    ) -> Session:  # fmt: skip
        """Add a player connected to this process; an older connection of the same player here is
        dropped from the world (the caller closes its socket, see `session_of`)."""
        old = self.sessions.pop(player.id, None)
        if old is not None:
            self._remove(player.id)
        self._shadows.pop(player.id, None)
        if player.id in self.players:  # a copy from another process; this connection wins
            self._remove(player.id)
        player.origin = ""
        player.cell = GONE
        self.players[player.id] = player
        self._place(player)
        session = Session(
            player=player, sink=sink, close=close, alive=alive, write=write, budget=self.settings.burst_tiles
        )
        session.window = self.window_of(player.cell)
        session.visible = self._players_in(session.window) - {player.id}
        index = self.map.index_of(player.x, player.y)
        session.exit_index, session.area_set = self.map.exit_at[index], self.map.areas_at[index]
        self.sessions[player.id] = session
        self._local_upserts.add(player.id)
        self._local_gone.discard(player.id)
        return session

    def session_of(self, player_id: int) -> Session | None:
        return self.sessions.get(player_id)

    def leave(self, session: Session) -> None:
        if self.sessions.get(session.player.id) is not session:
            return  # already replaced by a newer connection
        del self.sessions[session.player.id]
        self._remove(session.player.id)
        self._local_gone.add(session.player.id)
        self._local_upserts.discard(session.player.id)
        self._local_moved.discard(session.player.id)
        shadow = self._shadows.pop(session.player.id, None)
        if shadow is not None:  # the same player is connected elsewhere: show that copy now
            shadow.cell = GONE
            self.players[shadow.id] = shadow
            self._place(shadow)
            self._updated.add(shadow.id)

    def move(
        self, session: Session, *, x: float, y: float, direction: str, moving: bool, seq: int | None, now: float
    ) -> MoveResult:
        player = session.player
        seq = player.seq + 1 if seq is None else seq
        if seq <= player.seq:
            return MoveResult(False, "stale_seq")
        index = self.map.index_of(x, y)
        if index < 0:
            return MoveResult(False, "out_of_bounds")
        if self.map.blocked[index]:
            return MoveResult(False, "blocked")
        distance = math.hypot(x - player.x, y - player.y)
        elapsed = max(0.0, now - session.last_move)
        allowance = self.settings.walk_speed * self.settings.speed_allowance
        budget = min(self.settings.burst_tiles, session.budget + elapsed * allowance)
        if distance > budget:
            session.budget, session.last_move = budget, now
            return MoveResult(False, "too_fast")
        if distance and not self.map.path_is_clear(player.x, player.y, x, y):
            return MoveResult(False, "blocked")
        session.budget, session.last_move = budget - distance, now
        if session.left_call_at is not None and math.dist(session.left_call_at, (x, y)) > LEAVE_CALL_TILES:
            self.rejoin_call(session)  # walked away from where they stepped out: back in calls
        previous_zone = player.zone
        player.x, player.y, player.dir, player.moving, player.seq = x, y, direction, moving, seq
        self._place(player)
        self._local_moved.add(player.id)
        result = MoveResult(True, zone_changed=player.zone != previous_zone)
        exit_index = self.map.exit_at[index]
        if exit_index != session.exit_index:
            session.exit_index = exit_index
            if exit_index >= 0:
                result.exit = self.map.exits[exit_index]
        if self.map.areas_at[index] != session.area_set:
            session.area_set = self.map.areas_at[index]
            result.areas_changed = True
        return result

    def set_position(self, session: Session, x: float, y: float) -> None:
        """Put a local player somewhere without a speed check (spawn fix-ups after a map change)."""
        player = session.player
        player.x, player.y, player.moving = x, y, False
        player.seq += 1
        self._place(player)
        self._local_moved.add(player.id)
        session.budget = self.settings.burst_tiles
        session.area_set = self.map.areas_at[self.map.index_of(x, y)]

    def leave_call(self, session: Session) -> None:
        """Step out of calls where one stands: no contact, no call, shown busy, until walking
        LEAVE_CALL_TILES away or `rejoin_call`."""
        session.left_call_at = (session.player.x, session.player.y)
        self._set_left_call(session, True)

    def rejoin_call(self, session: Session) -> None:
        session.left_call_at = None
        self._set_left_call(session, False)

    def _set_left_call(self, session: Session, left: bool) -> None:
        if session.player.left_call == left:
            return
        session.player.left_call = left
        self._updated.add(session.player.id)
        self._local_upserts.add(session.player.id)
        self._contacts_now()

    def react(self, session: Session, emote: str) -> None:
        """A reaction over the player's avatar: everyone in view (the player too) gets it in the
        next tick's shared frame (`reacted`, written once per window like `moved`); other
        processes with the next batch."""
        session.player.react(emote)
        self._reacted.add(session.player.id)
        self._local_upserts.add(session.player.id)

    def update_profile(
        self, player_id: int, *, name: str, avatar: str, avatar_url: str, status: str, hide_location: bool
    ) -> None:
        player = self.players.get(player_id)
        if player is None or player.origin:
            return
        hiding = player.hide_location != hide_location
        if player.set_profile(
            name=name, avatar=avatar, avatar_url=avatar_url, status=status, hide_location=hide_location
        ):
            self._updated.add(player_id)
            self._local_upserts.add(player_id)
            self._contacts_stale = True
        elif hiding:  # nothing pages see: only the other processes' replicas (world/finding.py)
            self._local_upserts.add(player_id)

    def replace_map(self, mapdata: MapData, map_url: str) -> list[Session]:
        """Swap in a re-imported map. Returns the local sessions standing where they no longer
        may (the caller moves them to a spawn point with `set_position`)."""
        self.map, self.map_url = mapdata, map_url
        self._cells_x = math.ceil(mapdata.width / self.settings.aoi_cell)
        self._cells_y = math.ceil(mapdata.height / self.settings.aoi_cell)
        self._windows.clear()
        self._grid.clear()
        for player in self.players.values():
            player.cell = GONE
            self._place(player)
        for session in self.sessions.values():
            index = mapdata.index_of(session.player.x, session.player.y)
            session.exit_index = mapdata.exit_at[index] if index >= 0 else -1
            session.area_set = mapdata.areas_at[index] if index >= 0 else 0
        return [
            session for session in self.sessions.values() if not mapdata.is_walkable(session.player.x, session.player.y)
        ]

    def areas_of(self, session: Session) -> list[Area]:
        """The interactive areas a local player stands in (as of its last move)."""
        return [self.map.areas[each] for each in self.map.area_sets[session.area_set]]

    def zone_of_player(self, player_id: int) -> Zone | None:
        player = self.players.get(player_id)
        if player is None or player.zone < 0:
            return None
        return self.map.zones[player.zone]

    # --- other processes' players -------------------------------------------------------------

    def apply_remote(
        self, origin: str, *, upserts: list[dict[str, Any]], moved: list[list[Any]], gone: list[int]
    ) -> bool:
        """Apply another process's batch; False when it names a player this replica never saw
        (a batch went missing), so the hub asks that process for a full snapshot."""
        complete = True
        for data in upserts:
            incoming = PlayerState.from_full(data, origin=origin)
            if incoming.id in self.sessions:
                self._shadows[incoming.id] = incoming
                continue
            current = self.players.get(incoming.id)
            if current is None:
                self.players[incoming.id] = incoming
                self._place(incoming)
                continue
            current.origin = origin
            if current.avoids != incoming.avoids or current.left_call != incoming.left_call:
                current.avoids, current.left_call = incoming.avoids, incoming.left_call
                self._updated.add(current.id)
                self._contacts_now()
            if current.set_profile(
                name=incoming.name, avatar=incoming.avatar, avatar_url=incoming.avatar_url, status=incoming.status,
                hide_location=incoming.hide_location,
            ):  # fmt: skip
                self._updated.add(current.id)
            if incoming.emote and incoming.emote_seq != current.emote_seq:
                current.emote, current.emote_at, current.emote_seq = (
                    incoming.emote,
                    incoming.emote_at,
                    incoming.emote_seq,
                )
                self._reacted.add(current.id)
            self._move_remote(current, incoming.x, incoming.y, incoming.dir, incoming.moving, incoming.seq)
        for player_id, x, y, direction, moving, seq in moved:
            shadow = self._shadows.get(player_id)
            if shadow is not None and shadow.origin == origin:
                shadow.x, shadow.y, shadow.dir, shadow.moving, shadow.seq = x, y, direction, moving, seq
                continue
            current = self.players.get(player_id)
            if current is None:
                complete = complete and player_id in self.sessions
                continue
            if current.origin == origin:
                self._move_remote(current, x, y, direction, moving, seq)
        for player_id in gone:
            shadow = self._shadows.get(player_id)
            if shadow is not None and shadow.origin == origin:
                del self._shadows[player_id]
            current = self.players.get(player_id)
            if current is not None and current.origin == origin:
                self._remove(player_id)
        return complete

    def _move_remote(self, player: PlayerState, x: float, y: float, direction: str, moving: bool, seq: int) -> None:
        if self.map.index_of(x, y) < 0:
            return  # the owner validated it against its copy of the map; ours may be newer
        player.x, player.y, player.dir, player.moving, player.seq = float(x), float(y), direction, bool(moving), seq
        self._place(player)

    def replace_origin(self, origin: str, players: list[dict[str, Any]]) -> None:
        """A full snapshot from one process: its players are exactly these."""
        present = {int(data["id"]) for data in players}
        for player in [p for p in self.players.values() if p.origin == origin and p.id not in present]:
            self._remove(player.id)
        self.apply_remote(origin, upserts=players, moved=[], gone=[])

    def drop_origin(self, origin: str) -> None:
        for player in [p for p in self.players.values() if p.origin == origin]:
            self._remove(player.id)
        for player_id in [pid for pid, shadow in self._shadows.items() if shadow.origin == origin]:
            del self._shadows[player_id]

    def origins(self) -> set[str]:
        return {player.origin for player in self.players.values() if player.origin}

    # --- queries for chat and signaling ------------------------------------------------------

    def players_within(self, player_id: int, radius: float) -> list[int]:
        centre = self.players.get(player_id)
        if centre is None:
            return []
        limit = radius * radius
        return sorted(
            other.id
            for other in self.players.values()
            if other.id != player_id and (other.x - centre.x) ** 2 + (other.y - centre.y) ** 2 <= limit
        )

    def zone_members(self, player_id: int) -> tuple[Zone | None, list[int]]:
        zone = self.zone_of_player(player_id)
        if zone is None:
            return None, []
        return zone, sorted(player.id for player in self.players.values() if player.zone == zone.index)

    def welcome(self, session: Session) -> str:
        """The snapshot a player gets on connecting: itself, who is in view, the zones, its contacts."""
        return messages.welcome(
            world_id=self.world_id, slug=self.slug, name=self.name, map_url=self.map_url, mapdata=self.map,
            walk_speed=self.settings.walk_speed, talk_radius=self.settings.talk_radius, you=session.player,
            zone=self.zone_of_player(session.player.id), areas=self.areas_of(session),
            players=[self.players[pid] for pid in sorted(session.visible) if pid in self.players],
            contacts=self.contacts_of(session.player.id), server_time=int(time.time() * 1000),
        )  # fmt: skip

    # --- the tick -----------------------------------------------------------------------------

    def _players_in(self, window: frozenset[int]) -> set[int]:
        found: set[int] = set()
        for cell in window:
            members = self._grid.get(cell)
            if members:
                found |= members
        return found

    def tick(self, now_ms: int, *, contacts: bool = True, publish: bool = True) -> TickResult:
        """What changed since the last tick, for each player here and, with `publish`, for the
        other processes; with `contacts`, the contacts too when they are due (else ask
        `tick_contacts` after)."""
        result = TickResult()
        if self._moved or self._updated or self._cell_changed or self._reacted:
            self._fan_out(now_ms, result)
        if contacts:
            self._contacts_if_due(now_ms, result)
        result.publication = self._take_publication(build=publish)
        self._moved.clear()
        self._updated.clear()
        self._reacted.clear()
        self._cell_changed.clear()
        return result

    def _fan_out(self, now_ms: int, result: TickResult) -> None:
        moved_by_cell: dict[int, list[str]] = {}
        for player_id in self._moved:
            player = self.players.get(player_id)
            if player is not None:
                moved_by_cell.setdefault(player.cell, []).append(player.compact_json())
        moved_json = {cell: ",".join(entries) for cell, entries in moved_by_cell.items()}
        reacted_by_cell: dict[int, list[str]] = {}
        for player_id in self._reacted:
            player = self.players.get(player_id)
            if player is not None:
                reacted_by_cell.setdefault(player.cell, []).append(player.reaction_json())
        reacted_json = {cell: ",".join(entries) for cell, entries in reacted_by_cell.items()}
        # By id(): the windows are alive all through the tick. (moved JSON, who gets it)
        shared: dict[int, tuple[str, str, list[Session]]] = {}
        now = str(now_ms)
        full_json: dict[int, str] = {}

        def full(player_id: int) -> str:
            text = full_json.get(player_id)
            if text is None:
                text = full_json[player_id] = self.players[player_id].full_json()
            return text

        updated_by_cell: dict[int, list[int]] = {}
        for player_id in self._updated:
            player = self.players.get(player_id)
            if player is not None:
                updated_by_cell.setdefault(player.cell, []).append(player_id)

        for session in self.sessions.values():
            own = session.player
            entered: list[int] = []
            left: list[int] = []
            if own.id in self._cell_changed:
                session.window = self.window_of(own.cell)
                now_visible = self._players_in(session.window)
                now_visible.discard(own.id)
                entered = list(now_visible - session.visible)
                left = list(session.visible - now_visible)
                session.visible = now_visible
            else:
                for player_id in self._cell_changed:
                    if player_id == own.id:
                        continue
                    player = self.players.get(player_id)
                    inside = player is not None and player.cell in session.window
                    if player_id in session.visible:
                        if not inside:
                            session.visible.discard(player_id)
                            left.append(player_id)
                    elif inside:
                        session.visible.add(player_id)
                        entered.append(player_id)
            updated = (
                [pid for cell in session.window for pid in updated_by_cell.get(cell, ()) if pid != own.id]
                if updated_by_cell
                else ()
            )
            if entered or updated or left:
                frame = messages.tick(
                    now,
                    ",".join([full(pid) for pid in sorted(entered)]) if entered else "",
                    "",
                    ",".join([full(pid) for pid in sorted(updated)]) if updated else "",
                    ",".join([str(pid) for pid in sorted(left)]) if left else "",
                )
                result.messages.append((session, frame))
            # Everyone standing in the same cell sees the same window, so the same moves: one
            # frame per window, which the hub encodes once and writes to each of them.
            audience = shared.get(id(session.window))
            if audience is None:
                moved = ",".join([moved_json[cell] for cell in session.window if cell in moved_json])
                reacted = (
                    ",".join([reacted_json[cell] for cell in session.window if cell in reacted_json])
                    if reacted_json
                    else ""
                )
                audience = shared[id(session.window)] = (moved, reacted, [])
            if audience[0] or audience[1]:
                audience[2].append(session)
        for moved, reacted, sessions in shared.values():
            if sessions:
                result.shared.append((messages.tick(now, "", moved, "", "", reacted), sessions))

    def _take_publication(self, *, build: bool) -> dict[str, Any] | None:
        """This tick's changes of the players here, for the other processes. Without `build`
        (nobody else holds the world) it is not built, but it is still numbered: a process that
        comes later, or hears again, sees the gap and asks for a snapshot."""
        if not (self._local_moved or self._local_upserts or self._local_gone):
            return None
        self._publication_seq += 1
        publication = None
        if build:
            upserts = [self.players[pid].replica() for pid in sorted(self._local_upserts) if pid in self.sessions]
            moved = [
                self.players[pid].compact()
                for pid in sorted(self._local_moved)
                if pid in self.sessions and pid not in self._local_upserts
            ]
            gone = sorted(self._local_gone)
            publication = {"seq": self._publication_seq, "upserts": upserts, "moved": moved, "gone": gone}
        self._local_moved.clear()
        self._local_upserts.clear()
        self._local_gone.clear()
        return publication

    @property
    def publication_seq(self) -> int:
        return self._publication_seq

    def local_snapshot(self) -> dict[str, Any]:
        """Everything another process needs to know about this process's players here."""
        return {
            "seq": self._publication_seq,
            "players": [session.player.replica() for session in self.sessions.values()],
        }
