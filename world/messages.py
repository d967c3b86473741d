"""Every message the world socket (`/ws/world/<slug>/`) sends, one function per type, each
returning the text frame as the client gets it. docs/protocol.md documents them all, and
world/tests/test_messages.py holds this module to it. `error` and `closing` are every socket's
(metaverse/sockets.py).

`tick` is put together by hand from JSON its caller has already joined: the engine builds one
per player per tick, and shares the parts players in the same place see (docs/performance.md).
"""

from collections.abc import Iterable
from typing import Any

from metaverse import wire
from world.engine.mapdata import Area, Exit, MapData, Zone
from world.engine.state import PlayerState

PROTOCOL = 1


def welcome(
    *, world_id: int, slug: str, name: str, map_url: str, mapdata: MapData, walk_speed: float, talk_radius: float,
    you: PlayerState, zone: Zone | None, areas: list[Area], players: Iterable[PlayerState],
    contacts: list[dict[str, Any]], server_time: int,
) -> str:  # fmt: skip
    return wire.dumps(
        {
            "type": "welcome",
            "protocol": PROTOCOL,
            "world": {
                "id": world_id,
                "slug": slug,
                "name": name,
                "map_url": map_url,
                "width": mapdata.width,
                "height": mapdata.height,
                "tile_width": mapdata.tile_width,
                "tile_height": mapdata.tile_height,
                "walk_speed": walk_speed,
                "talk_radius": talk_radius,
            },
            "you": you.full(),
            "zone": zone.as_json() if zone else None,
            "zones": [each.as_json() for each in mapdata.zones],
            "areas": [area.as_json() for area in areas],
            "players": [player.full() for player in players],
            "contacts": contacts,
            "server_time": server_time,
        }
    )


def areas(inside: list[Area]) -> str:
    """The interactive areas the player now stands in, sent whenever that set changes."""
    return wire.dumps({"type": "areas", "areas": [area.as_json() for area in inside]})


def tick(t: str, entered: str, moved: str, updated: str, left: str, reacted: str = "") -> str:
    """What changed in one player's view. Every argument is JSON already: the time, and each list
    as its entries joined with commas, "" for none (then left out): player states
    (`PlayerState.full_json`) in `entered` and `updated`, compact positions
    (`PlayerState.compact_json`) in `moved`, ids in `left`, [id, emote] in `reacted`. Positional
    and unchecked: this runs for every player every tick."""
    frame = '{"type":"tick","t":' + t
    if entered:
        frame += ',"entered":[' + entered + "]"
    if moved:
        frame += ',"moved":[' + moved + "]"
    if updated:
        frame += ',"updated":[' + updated + "]"
    if left:
        frame += ',"left":[' + left + "]"
    if reacted:
        frame += ',"reacted":[' + reacted + "]"
    return frame + "}"


def correction(player: PlayerState, *, seq: int | None, reason: str) -> str:
    """Where the player stands after a move was refused (`seq` the refused move's), or was moved."""
    return wire.dumps(
        {"type": "correction", "x": player.x, "y": player.y, "dir": player.dir, "seq": seq, "reason": reason}
    )


def zone(zone: Zone | None) -> str:
    return wire.dumps({"type": "zone", "zone": zone.as_json() if zone else None})


def contacts(contacts: list[dict[str, Any]], *, added: list[int], removed: list[int], call: str | None = None) -> str:
    """`call`: the media server's call you are in (world/engine/calls.py), or None."""
    return wire.dumps({"type": "contacts", "contacts": contacts, "added": added, "removed": removed, "call": call})


def exit(target: Exit, *, world: str | None) -> str:
    """Where an exit leads: `world`, the slug of a world on this server, or with None the site at the exit's url."""
    if world is None:
        return wire.dumps({"type": "exit", "world": None, "url": target.url, "external": True})
    query = f"?entry={target.entry}" if target.entry else ""
    return wire.dumps(
        {
            "type": "exit",
            "world": world,
            "entry": target.entry or None,
            "url": f"/w/{world}/{query}",
            "ws_url": f"/ws/world/{world}/{query}",
            "external": False,
        }
    )


def map_changed(map_url: str) -> str:
    return wire.dumps({"type": "map_changed", "map_url": map_url})


def people(found: list[dict[str, Any]]) -> str:
    return wire.dumps({"type": "people", "people": found})


def located(found: dict[str, Any]) -> str:
    return wire.dumps({"type": "located", **found})


def knock_sent(target: int) -> str:
    return wire.dumps({"type": "knock_sent", "id": target})


def knocked(knocker: dict[str, Any]) -> str:
    return wire.dumps({"type": "knocked", "from": knocker})


def knock_answered(answerer: dict[str, Any], *, accept: bool) -> str:
    return wire.dumps({"type": "knock_answered", "from": answerer, "accept": accept})


def pong(t: float | None, *, server_time: int) -> str:
    return wire.dumps({"type": "pong", "t": t, "server_time": server_time})
