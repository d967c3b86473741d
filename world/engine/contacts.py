"""Who may talk to whom: a pure function of positions, zones and statuses.

Two players are candidates when they share a meeting room, or when both stand outside any
meeting room within the talk radius; nobody in a silent zone or on do-not-disturb is a
candidate. The mesh limit then keeps, for each player, at most `cap` peers, nearest pairs
first (ties broken by ids), so that every process computes the same answer from the same state.
In a crowd each player weighs only its nearest `cap × CANDIDATES_PER_CAP` candidates.
"""

import heapq
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from world.engine.mapdata import MEETING, SILENT, Zone

DO_NOT_DISTURB = "dnd"
Contacts = dict[int, frozenset[int]]

# In a crowd every pair within the radius is a candidate: 300 players on the 3×3 spawn tiles
# made 45,000 pairs and a 65 ms pass. Each player weighs only its nearest cap×4 candidates,
# which changes nothing until more than that many stand within reach of one player.
CANDIDATES_PER_CAP = 4


class Positioned(Protocol):
    id: int
    x: float
    y: float
    status: str
    zone: int
    left_call: bool  # stepped out of calls (WorldEngine.leave_call) until they walk away or come back
    stage: int  # a stage's index while on its speaker or audience area, else -1
    stage_speaker: bool  # on its speaker area


def talks(player: Positioned) -> bool:
    """May this player be put in a call at all? Not on do-not-disturb, not stepped out."""
    return player.status != DO_NOT_DISTURB and not player.left_call


def compute_contacts(players: Iterable[Positioned], *, zones: list[Zone], radius: float, cap: int) -> Contacts:
    return contacts_from(candidate_pairs(players, zones=zones, radius=radius, keep=cap * CANDIDATES_PER_CAP), cap=cap)


Pairs = set[tuple[float, int, int]]  # (distance², low id, high id)


def candidate_pairs(players: Iterable[Positioned], *, zones: list[Zone], radius: float, keep: int) -> Pairs:
    """Every pair that may talk, as far as each player's `keep` nearest go."""
    rooms: dict[int, list[Positioned]] = defaultdict(list)
    cells: dict[tuple[int, int], list[Positioned]] = defaultdict(list)
    for player in players:
        if not talks(player):
            continue
        zone = zones[player.zone] if player.zone >= 0 else None
        if zone is not None and zone.kind == SILENT:
            continue
        if zone is not None and zone.kind == MEETING:
            rooms[zone.index].append(player)
        else:
            cells[(int(player.x // radius), int(player.y // radius))].append(player)

    candidates: Pairs = set()
    for members in rooms.values():
        for player in members:
            _nearest(player, members, float("inf"), keep, candidates)
    limit = radius * radius
    for (cell_x, cell_y), members in cells.items():
        around = [
            other
            for step_x in (-1, 0, 1)
            for step_y in (-1, 0, 1)
            for other in cells.get((cell_x + step_x, cell_y + step_y), ())
        ]
        for player in members:
            _nearest(player, around, limit, keep, candidates)
    return candidates


def contacts_from(candidates: Pairs, *, cap: int) -> Contacts:
    """Nearest pairs first, each player up to `cap` peers."""
    degree: dict[int, int] = defaultdict(int)
    peers: dict[int, set[int]] = defaultdict(set)
    for _, first, second in sorted(candidates):
        if degree[first] < cap and degree[second] < cap:
            degree[first] += 1
            degree[second] += 1
            peers[first].add(second)
            peers[second].add(first)
    return {player: frozenset(found) for player, found in peers.items()}


def _nearest(
    player: Positioned, others: list[Positioned], limit: float, keep: int, out: set[tuple[float, int, int]]
) -> None:
    """Add `player`'s `keep` nearest candidates within sqrt(limit) to `out` as (distance², low id, high id)."""
    x, y = player.x, player.y
    found = [
        (distance, other.id)
        for other in others
        if other is not player and (distance := (x - other.x) ** 2 + (y - other.y) ** 2) <= limit
    ]
    if len(found) > keep:
        found = heapq.nsmallest(keep, found)
    own = player.id
    for distance, other_id in found:
        out.add((distance, own, other_id) if own < other_id else (distance, other_id, own))


def initiator_of(first: int, second: int) -> int:
    """Who makes the WebRTC offer for a pair: the lower player id. The other side is polite."""
    return min(first, second)
