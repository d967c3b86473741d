"""Finding people in a world (docs/protocol.md "people", "locate"): everyone online in it, and
where one of them stands, as far as they allow. Reads of the engine's replica, which holds every
player of the world whichever process they are connected to; nothing here touches the database."""

from typing import Any

from metaverse.errors import AppError
from world.engine.contacts import DO_NOT_DISTURB
from world.engine.engine import WorldEngine
from world.engine.state import PlayerState


def people_in(engine: WorldEngine, *, asker: int) -> list[dict[str, Any]]:
    """Everyone in the world but those kept apart from `asker` by a block, by name: how they look,
    their status and the zone they are in (not where: that is `locate`'s)."""
    me = engine.players.get(asker)
    avoided = me.avoids if me is not None else frozenset()
    found = []
    for player in engine.players.values():
        if player.id in avoided or asker in player.avoids:
            continue
        zone = engine.map.zones[player.zone].name if player.zone >= 0 else None
        found.append(
            {"id": player.id, "name": player.name, "avatar": player.avatar, "avatar_url": player.avatar_url,
             "status": player.status, "zone": zone, "guest": player.guest}
        )  # fmt: skip
    found.sort(key=lambda person: (str(person["name"]).casefold(), person["id"]))
    return found


def reachable(engine: WorldEngine, *, asker: int, target: int) -> PlayerState:
    """`target`, for `asker` to find or knock on: absent, or kept apart by a block (answered
    alike, so a block is not revealed), is `unknown_player`; oneself is `invalid`."""
    player = engine.players.get(target)
    me = engine.players.get(asker)
    if player is None or (me is not None and (target in me.avoids or asker in player.avoids)):
        raise AppError("unknown_player", f"There is no player {target} in this world.", id=target)
    if target == asker:
        raise AppError("invalid", "'id' is your own id")
    return player


def knock_target(engine: WorldEngine, *, asker: int, target: int) -> PlayerState:
    """Whom `asker` may ask to come over: anyone reachable who is not on do-not-disturb."""
    player = reachable(engine, asker=asker, target=target)
    if player.status == DO_NOT_DISTURB:
        raise AppError("do_not_disturb", f"{player.name or 'They'} is on do not disturb.", id=target)
    return player


def locate(engine: WorldEngine, *, asker: int, target: int) -> dict[str, Any]:
    """Where `target` stands ({id, x, y, zone}), for `asker` to look or walk there. Someone kept apart by a block is
    answered as if absent (so a block is not revealed); someone on do-not-disturb refuses."""
    player = reachable(engine, asker=asker, target=target)
    if player.status == DO_NOT_DISTURB:
        raise AppError(
            "location_hidden", f"{player.name or 'They'} is on do not disturb and does not share where they are.",
            id=target,
        )  # fmt: skip
    zone = engine.map.zones[player.zone].name if player.zone >= 0 else None
    return {"id": target, "x": round(player.x, 3), "y": round(player.y, 3), "zone": zone}
