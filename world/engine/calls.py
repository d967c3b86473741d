"""Which conversations go through the media server: a pure function of positions, zones and
statuses, like contacts (world/engine/contacts.py), so every process reaches the same answer.

Two kinds of group become one call, carried by the media server, when they hold more than `limit`
people who may talk (not on do-not-disturb, not in a silent zone):

- a meeting zone: everyone in it, named `zone-<index>`;
- a group standing together outside meeting zones: the people linked by being within the talk
  radius of one another (a chain counts), named `group-<lowest member id>` (so the call keeps its
  room while that member stays, and every process names it alike). A group of more than
  `group_max` (a crowd, not a conversation) is not a call: its members keep their nearest
  peers peer-to-peer.

A stage (docs/maps.md: `speakerMegaphone` / `listenerMegaphone`) with someone on its speaker
area and someone in its audience is one call too, whatever its size, named `stage-<index>`: its
speakers publish, its audience only receives (the page is told its role), and it takes its members
out of any other call. Its audience stays in peer-to-peer contact among themselves (they whisper;
they do not publish to the stage).

Without a media server (`limit` 0) a stage is peer-to-peer, one way (`stage_pairs`): each speaker
reaches the `cap` of its audience nearest to it (CALL_P2P_LIMIT), who only receive.

Members of a call are not also put in peer-to-peer contact with each other. With `limit` 0 there
is no media server and no call.

A call of more than `mix_limit` people is *mixed* (`mixed_calls`): its sound goes through the media
server's audio mixer (one spatial mix per listener) instead of one stream per speaker; cameras and
screens stay in the video room.
"""

from collections import defaultdict
from collections.abc import Iterable

from world.engine.contacts import Pairs, Positioned, talks
from world.engine.mapdata import MEETING, SILENT, Zone

Calls = dict[int, str]  # player id -> the call it is in
GROUP_MAX = 50


def compute_calls(
    players: Iterable[Positioned],
    *,
    zones: list[Zone],
    limit: int,
    pairs: Pairs | None = None,
    group_max: int = GROUP_MAX,
) -> Calls:
    if limit <= 0:
        return {}
    rooms: dict[int, list[int]] = defaultdict(list)
    outside: set[int] = set()
    talking = [player for player in players if talks(player)]
    calls = _stage_calls(talking)
    for player in talking:
        if player.id in calls:
            continue
        zone = zones[player.zone] if player.zone >= 0 else None
        if zone is not None and zone.kind == MEETING:
            rooms[zone.index].append(player.id)
        elif zone is None or zone.kind != SILENT:
            outside.add(player.id)
    calls.update(
        {member: f"zone-{index}" for index, members in rooms.items() if len(members) > limit for member in members}
    )
    for members in _groups(outside, pairs or set()):
        if limit < len(members) <= group_max:
            name = f"group-{min(members)}"
            calls.update(dict.fromkeys(members, name))
    return calls


def _stage_calls(players: list[Positioned]) -> Calls:
    speakers: dict[int, list[int]] = defaultdict(list)
    audiences: dict[int, list[int]] = defaultdict(list)
    for player in players:
        if player.stage >= 0:
            (speakers if player.stage_speaker else audiences)[player.stage].append(player.id)
    return {
        member: f"stage-{stage}"
        for stage, on_stage in speakers.items()
        if audiences.get(stage)
        for member in (*on_stage, *audiences[stage])
    }


def stage_pairs(players: Iterable[Positioned], *, cap: int) -> set[tuple[int, int]]:
    """(speaker, listener) for a stage without a media server: each speaker and the `cap` of its
    stage's audience nearest to it."""
    speakers: dict[int, list[Positioned]] = defaultdict(list)
    audiences: dict[int, list[Positioned]] = defaultdict(list)
    for player in players:
        if player.stage >= 0 and talks(player):
            (speakers if player.stage_speaker else audiences)[player.stage].append(player)
    pairs: set[tuple[int, int]] = set()
    for stage, on_stage in speakers.items():
        for speaker in on_stage:
            by_distance = sorted(
                ((listener.x - speaker.x) ** 2 + (listener.y - speaker.y) ** 2, listener.id)
                for listener in audiences.get(stage, [])
            )
            pairs.update((speaker.id, listener) for _, listener in by_distance[:cap])
    return pairs


def is_stage(call: str | None) -> bool:
    return call is not None and call.startswith("stage-")


def mixed_calls(calls: Calls, *, mix_limit: int) -> frozenset[str]:
    """The calls of more than `mix_limit` people (none when `mix_limit` is 0). A stage is never
    mixed: its audience does not speak, and a few speakers are few streams for anyone."""
    if mix_limit <= 0:
        return frozenset()
    sizes: dict[str, int] = defaultdict(int)
    for call in calls.values():
        if not is_stage(call):
            sizes[call] += 1
    return frozenset(call for call, size in sizes.items() if size > mix_limit)


def _groups(players: set[int], pairs: Pairs) -> list[list[int]]:
    """The players linked by pairs (union-find), each group once; loners left out."""
    parent: dict[int, int] = {}

    def root(player: int) -> int:
        while parent.get(player, player) != player:
            parent[player] = parent.get(parent[player], parent[player])  # halve the path
            player = parent[player]
        return player

    for _, first, second in pairs:
        if first in players and second in players:
            low, high = sorted((root(first), root(second)))
            if low != high:
                parent[high] = low
    groups: dict[int, list[int]] = defaultdict(list)
    for player in parent.keys() | set(parent.values()):
        groups[root(player)].append(player)
    return [sorted(members) for members in groups.values()]


def without_call_pairs(
    contacts: dict[int, frozenset[int]], calls: Calls, speakers: frozenset[int] = frozenset()
) -> dict[int, frozenset[int]]:
    """The contacts less the pairs who share a call: those hear each other through the call. Two
    of a stage's audience (neither among `speakers`) keep theirs: the stage does not carry them."""
    if not calls:
        return contacts
    kept: dict[int, frozenset[int]] = {}
    for player, peers in contacts.items():
        call = calls.get(player)
        if call is None:
            remaining = peers
        elif is_stage(call) and player not in speakers:
            remaining = frozenset(peer for peer in peers if calls.get(peer) != call or peer not in speakers)
        else:
            remaining = frozenset(peer for peer in peers if calls.get(peer) != call)
        if remaining:
            kept[player] = remaining
    return kept
