"""Which meetings go through the media server: a pure function of positions, zones and statuses,
like contacts (world/engine/contacts.py), so every process reaches the same answer.

A meeting zone holding more than `limit` players who may talk (not on do-not-disturb) is one
call, named `zone-<index>`, carried by the media server; its members are not also put in
peer-to-peer contact with each other. With `limit` 0 there is no media server and no such call.
"""

from collections import defaultdict
from collections.abc import Iterable

from world.engine.contacts import DO_NOT_DISTURB, Positioned
from world.engine.mapdata import MEETING, Zone

Calls = dict[int, str]  # player id -> the call it is in


def compute_calls(players: Iterable[Positioned], *, zones: list[Zone], limit: int) -> Calls:
    if limit <= 0:
        return {}
    rooms: dict[int, list[int]] = defaultdict(list)
    for player in players:
        if player.status == DO_NOT_DISTURB or player.zone < 0:
            continue
        zone = zones[player.zone]
        if zone.kind == MEETING:
            rooms[zone.index].append(player.id)
    return {member: f"zone-{index}" for index, members in rooms.items() if len(members) > limit for member in members}


def without_call_pairs(contacts: dict[int, frozenset[int]], calls: Calls) -> dict[int, frozenset[int]]:
    """The contacts less the pairs who share a call: those hear each other through the call."""
    if not calls:
        return contacts
    kept: dict[int, frozenset[int]] = {}
    for player, peers in contacts.items():
        call = calls.get(player)
        remaining = peers if call is None else frozenset(peer for peer in peers if calls.get(peer) != call)
        if remaining:
            kept[player] = remaining
    return kept
