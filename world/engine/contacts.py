"""Who may talk to whom: a pure function of positions, zones and statuses.

Two players are candidates when they share a meeting room, or when both stand outside any
meeting room within the talk radius; nobody in a silent zone or on do-not-disturb is a
candidate. The mesh limit then keeps, for each player, at most `cap` peers, nearest pairs
first (ties broken by ids), so that every process computes the same answer from the same state.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from world.engine.mapdata import MEETING, SILENT, Zone

DO_NOT_DISTURB = "dnd"
Contacts = dict[int, frozenset[int]]

_HALF_NEIGHBOURHOOD = ((1, 0), (-1, 1), (0, 1), (1, 1))


class Positioned(Protocol):
    id: int
    x: float
    y: float
    status: str
    zone: int


def compute_contacts(players: Iterable[Positioned], *, zones: list[Zone], radius: float, cap: int) -> Contacts:
    rooms: dict[int, list[Positioned]] = defaultdict(list)
    cells: dict[tuple[int, int], list[Positioned]] = defaultdict(list)
    for player in players:
        if player.status == DO_NOT_DISTURB:
            continue
        zone = zones[player.zone] if player.zone >= 0 else None
        if zone is not None and zone.kind == SILENT:
            continue
        if zone is not None and zone.kind == MEETING:
            rooms[zone.index].append(player)
        else:
            cells[(int(player.x // radius), int(player.y // radius))].append(player)

    candidates: list[tuple[float, int, int]] = []
    for members in rooms.values():
        _pairs_within(members, members, float("inf"), candidates, same=True)
    limit = radius * radius
    for (cell_x, cell_y), members in cells.items():
        _pairs_within(members, members, limit, candidates, same=True)
        for step_x, step_y in _HALF_NEIGHBOURHOOD:
            others = cells.get((cell_x + step_x, cell_y + step_y))
            if others:
                _pairs_within(members, others, limit, candidates, same=False)

    candidates.sort()
    degree: dict[int, int] = defaultdict(int)
    peers: dict[int, set[int]] = defaultdict(set)
    for _, first, second in candidates:
        if degree[first] < cap and degree[second] < cap:
            degree[first] += 1
            degree[second] += 1
            peers[first].add(second)
            peers[second].add(first)
    return {player: frozenset(found) for player, found in peers.items()}


def _pairs_within(
    group: list[Positioned],
    others: list[Positioned],
    limit: float,
    out: list[tuple[float, int, int]],
    *,
    same: bool,
) -> None:
    for position, first in enumerate(group):
        for second in others[position + 1 :] if same else others:
            distance = (first.x - second.x) ** 2 + (first.y - second.y) ** 2
            if distance <= limit:
                low, high = (first.id, second.id) if first.id < second.id else (second.id, first.id)
                out.append((distance, low, high))


def initiator_of(first: int, second: int) -> int:
    """Who makes the WebRTC offer for a pair: the lower player id. The other side is polite."""
    return min(first, second)
