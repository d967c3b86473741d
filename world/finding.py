"""Finding people in a world (docs/protocol.md "people", "locate"): everyone online in it, and
where one of them stands, as far as they allow. Reads of the engine's replica, which holds every
player of the world whichever process they are connected to; nothing here touches the database."""

from typing import Any

from django.utils.translation import gettext

from metaverse.errors import AppError
from world.engine.contacts import DO_NOT_DISTURB
from world.engine.engine import WorldEngine
from world.engine.state import PlayerState


def people_in(engine: WorldEngine, *, asker: int) -> list[dict[str, Any]]:
    """Everyone in the world but those kept apart from `asker` by a block, by name: how they look,
    their status and the zone they are in (not where: that is `locate`'s), unless they hide where
    they are (`location_hidden`: then no zone either, but to themselves)."""
    me = engine.players.get(asker)
    avoided = me.avoids if me is not None else frozenset()
    found = []
    for player in engine.players.values():
        if player.id in avoided or asker in player.avoids:
            continue
        hidden = player.hide_location and player.id != asker
        zone = engine.map.zones[player.zone].name if player.zone >= 0 and not hidden else None
        found.append(
            {"id": player.id, "name": player.name, "avatar": player.avatar, "avatar_url": player.avatar_url,
             "status": player.status, "zone": zone, "guest": player.guest, "location_hidden": player.hide_location}
        )  # fmt: skip
    found.sort(key=lambda person: (str(person["name"]).casefold(), person["id"]))
    return found


def reachable(engine: WorldEngine, *, asker: int, target: int) -> PlayerState:
    """`target`, for `asker` to find or knock on: absent, or kept apart by a block (answered
    alike, so a block is not revealed), is `unknown_player`; oneself is `invalid`."""
    player = engine.players.get(target)
    me = engine.players.get(asker)
    if player is None or (me is not None and (target in me.avoids or asker in player.avoids)):
        raise AppError(
            "unknown_player", gettext("There is no player %(id)s in this world.") % {"id": target}, id=target
        )
    if target == asker:
        raise AppError("invalid", gettext("'id' is your own id"))
    return player


def knock_target(engine: WorldEngine, *, asker: int, target: int) -> PlayerState:
    """Whom `asker` may ask to come over: anyone reachable who is not on do-not-disturb."""
    player = reachable(engine, asker=asker, target=target)
    if player.status == DO_NOT_DISTURB:
        message = (
            gettext("%(name)s is on do not disturb.") % {"name": player.name}
            if player.name
            else gettext("They are on do not disturb.")
        )
        raise AppError("do_not_disturb", message, id=target)
    return player


def locate(engine: WorldEngine, *, asker: int, target: int, invited: bool = False) -> dict[str, Any]:
    """Where `target` stands ({id, x, y, zone}), for `asker` to look or walk there. Someone kept apart by a block is
    answered as if absent (so a block is not revealed); someone on do-not-disturb, or who hides where they are,
    refuses, unless they `invited` the asker over (a knock the asker accepted)."""
    player = reachable(engine, asker=asker, target=target)
    if player.status == DO_NOT_DISTURB and not invited:
        message = (
            gettext("%(name)s is on do not disturb and does not share where they are.") % {"name": player.name}
            if player.name
            else gettext("They are on do not disturb and do not share where they are.")
        )
        raise AppError("location_hidden", message, id=target)
    if player.hide_location and not invited:
        message = (
            gettext("%(name)s does not share where they are.") % {"name": player.name}
            if player.name
            else gettext("They do not share where they are.")
        )
        raise AppError("location_hidden", message, id=target)
    zone = engine.map.zones[player.zone].name if player.zone >= 0 else None
    return {"id": target, "x": round(player.x, 3), "y": round(player.y, 3), "zone": zone}
