"""Who talks to whom in one world: contacts (peer-to-peer pairs), calls through the media server,
and the blocks that keep people apart, worked out from the engine's players at most every
`contacts_interval_ms` and told to the players' sockets and listeners. A part of WorldEngine
(world/engine/engine.py), apart so that each module reads in one go."""

import time
from typing import Any

from world import messages
from world.engine.calls import Calls, compute_calls, is_stage, mixed_calls, stage_pairs, without_call_pairs
from world.engine.contacts import CANDIDATES_PER_CAP, Contacts, candidate_pairs, contacts_from, initiator_of
from world.engine.mapdata import MapData
from world.engine.session import ContactListener, EngineSettings, Session, TickResult
from world.engine.state import PlayerState

CONTACTS_SHARE = 20  # a contacts pass waits at least 20 times as long as the last one took


class Conversations:
    """WorldEngine's contacts and calls; the state is the engine's (made in its __init__)."""

    players: dict[int, PlayerState]
    sessions: dict[int, Session]
    settings: EngineSettings
    map: MapData
    contacts: Contacts
    calls: Calls
    mixed: frozenset[str]
    calls_available: bool
    contact_listeners: dict[int, set[ContactListener]]
    _hidden: dict[int, frozenset[int]]
    _listened_contacts: dict[int, tuple[frozenset[int], str | None, bool, frozenset[int], str | None]]
    stage_speakers: frozenset[int]
    one_way: frozenset[tuple[int, int]]
    _local_upserts: set[int]
    _contacts_stale: bool
    _contacts_at: int
    _contacts_wait_ms: float

    def listen_contacts(self, player_id: int, listener: ContactListener) -> None:
        """Call `listener(added, removed)` after each tick in which the player's contacts change."""
        self.contact_listeners.setdefault(player_id, set()).add(listener)
        call = self.calls.get(player_id)
        current = (
            self.contacts.get(player_id, frozenset()),
            call,
            call in self.mixed,
            self._hidden.get(player_id, frozenset()),
            self.stage_role(player_id),
        )
        self._listened_contacts.setdefault(player_id, current)

    def unlisten_contacts(self, player_id: int, listener: ContactListener) -> None:
        listeners = self.contact_listeners.get(player_id)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self.contact_listeners[player_id]
                self._listened_contacts.pop(player_id, None)

    def set_calls_available(self, available: bool) -> None:
        """The media server went away (False) or came back: calls are worked out again at once."""
        if available != self.calls_available:
            self.calls_available = available
            self._contacts_now()

    def set_avoids(self, player_id: int, avoids: frozenset[int]) -> None:
        """Whom a player connected here has blocked changed: any contact between them ends at the
        next tick, here and, with the next publication, on every process."""
        session = self.sessions.get(player_id)
        if session is None or session.player.avoids == avoids:
            return
        session.player.avoids = avoids
        self._local_upserts.add(player_id)
        self._contacts_now()

    def _contacts_now(self) -> None:
        self._contacts_stale = True
        self._contacts_at = -(10**12)

    def hidden_from(self, player_id: int) -> list[int]:
        """The members of the player's call who blocked them or whom they blocked: a page shows
        and hears none of them (a call's room cannot keep them apart)."""
        return sorted(self._hidden.get(player_id, ()))

    def call_of(self, player_id: int) -> str | None:
        """The media server's call the player is in (world/engine/calls.py), if any."""
        return self.calls.get(player_id)

    def call_mixed(self, call: str | None) -> bool:
        """Does the media server mix this call's sound (world/engine/calls.py `mixed_calls`)?"""
        return call in self.mixed

    def stage_role(self, player_id: int) -> str | None:
        """In a stage's call: "speaker" (publishes) or "listener" (only receives); else None."""
        if not is_stage(self.calls.get(player_id)):
            return None
        return "speaker" if player_id in self.stage_speakers else "listener"

    def call_members(self, call: str) -> list[int]:
        return sorted(player for player, joined in self.calls.items() if joined == call)

    def in_contact(self, first: int, second: int) -> bool:
        return second in self.contacts.get(first, ())

    def contacts_of(self, player_id: int) -> list[dict[str, Any]]:
        entries = []
        for peer in sorted(self.contacts.get(player_id, ())):
            initiator = self.initiator(player_id, peer) == player_id
            entry: dict[str, Any] = {"id": peer, "initiator": initiator, "polite": not initiator}
            if (peer, player_id) in self.one_way:
                entry["listen"] = True  # a stage's speaker: receive, send nothing
            elif (player_id, peer) in self.one_way:
                entry["speak"] = True  # one of our stage's audience: send, take nothing from them
            entries.append(entry)
        return entries

    def initiator(self, first: int, second: int) -> int:
        """Who offers: a stage's speaker to its audience (peer-to-peer), else the lower id."""
        if (second, first) in self.one_way:
            return second
        if (first, second) in self.one_way:
            return first
        return initiator_of(first, second)

    def listens_to(self, player_id: int, peer: int) -> bool:
        """Does `player_id` only receive from `peer` (its stage's speaker, peer-to-peer)?"""
        return (peer, player_id) in self.one_way

    def tick_contacts(self, now_ms: int) -> TickResult:
        """The contacts' half of a tick, when they are due: the hub asks for it once the tick's
        frames are out, so that working them out in a crowd delays no move."""
        result = TickResult()
        self._contacts_if_due(now_ms, result)
        return result

    def _contacts_if_due(self, now_ms: int, result: TickResult) -> None:
        if self._contacts_stale and now_ms - self._contacts_at >= self._contacts_wait_ms:
            self._contacts_stale = False
            self._contacts_at = now_ms
            started = time.perf_counter()
            self._refresh_contacts(result)
            # In a dense crowd a pass costs tens of milliseconds: the next waits long enough that
            # contacts take at most 1/CONTACTS_SHARE of the process's time.
            took_ms = (time.perf_counter() - started) * 1000
            self._contacts_wait_ms = max(self.settings.contacts_interval_ms, took_ms * CONTACTS_SHARE)

    def _refresh_contacts(self, result: TickResult) -> None:
        cap = self.settings.mesh_limit
        pairs = candidate_pairs(
            self.players.values(), zones=self.map.zones, radius=self.settings.talk_radius, keep=cap * CANDIDATES_PER_CAP
        )
        avoided = self._avoided_pairs()
        if avoided:
            pairs = {pair for pair in pairs if (pair[1], pair[2]) not in avoided}
        contacts = contacts_from(pairs, cap=cap)
        limit = self.settings.call_limit if self.calls_available else 0
        self.calls = compute_calls(self.players.values(), zones=self.map.zones, limit=limit, pairs=pairs)
        self.stage_speakers = frozenset(
            player.id
            for player in self.players.values()
            if player.stage_speaker and is_stage(self.calls.get(player.id))
        )
        contacts = without_call_pairs(contacts, self.calls, self.stage_speakers)
        self.one_way = frozenset(
            pair for pair in stage_pairs(self.players.values(), cap=cap) if (min(pair), max(pair)) not in avoided
        ) if not limit else frozenset()  # fmt: skip
        for speaker, listener in self.one_way:
            contacts[speaker] = contacts.get(speaker, frozenset()) | {listener}
            contacts[listener] = contacts.get(listener, frozenset()) | {speaker}
        self.contacts = contacts
        self.mixed = mixed_calls(self.calls, mix_limit=self.settings.mix_limit)
        hidden: dict[int, set[int]] = {}
        for first, second in avoided:
            if self.calls.get(first) is not None and self.calls.get(first) == self.calls.get(second):
                hidden.setdefault(first, set()).add(second)
                hidden.setdefault(second, set()).add(first)
        self._hidden = {player: frozenset(others) for player, others in hidden.items()}
        for session in self.sessions.values():
            player_id = session.player.id
            current, call = self.contacts.get(player_id, frozenset()), self.calls.get(player_id)
            if current == session.contacts and call == session.call:
                continue
            added = sorted(current - session.contacts)
            removed = sorted(session.contacts - current)
            session.contacts, session.call = current, call
            message = messages.contacts(self.contacts_of(player_id), added=added, removed=removed, call=call)
            result.messages.append((session, message))
        # Listeners (signaling sockets) may sit on another process than the player's world
        # socket, so their view of the player's contacts is tracked separately.
        for player_id in self.contact_listeners:
            current, call = self.contacts.get(player_id, frozenset()), self.calls.get(player_id)
            heard = self._listened_contacts.get(player_id, (frozenset(), None, False, frozenset(), None))
            previous = heard[0]
            kept_apart, role = self._hidden.get(player_id, frozenset()), self.stage_role(player_id)
            now = (current, call, call in self.mixed, kept_apart, role)
            if now != heard:
                self._listened_contacts[player_id] = now
                change = (player_id, sorted(current - previous), sorted(previous - current), call)
                result.contact_changes.append(change)

    def _avoided_pairs(self) -> set[tuple[int, int]]:
        """(low id, high id) of every pair where one has blocked the other."""
        return {
            (min(player.id, other), max(player.id, other))
            for player in self.players.values()
            if player.avoids
            for other in player.avoids
        }
