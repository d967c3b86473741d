"""Reads for the world app."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from world.avoidance import blocked_expression, blocked_ids_read
from world.engine.records import WorldRecord
from world.models import Presence, SavedPosition, World
from world.services import presence_stale_seconds


def record_of(world: World, *, with_map: bool = True) -> WorldRecord:
    """The world as the engine is built from it; `with_map=False` for a row read without its map
    (a socket's admission: only the hub needs the map, once per process and world)."""
    return WorldRecord(
        id=world.pk,
        slug=world.slug,
        name=world.name,
        capacity=world.capacity,
        guests_allowed=world.guests_allowed,
        map_json=world.map_json if with_map else None,
        map_version=world.map_version,
        map_url=world.map_url,
    )


def world_record_by_id(world_id: int) -> WorldRecord | None:
    world = World.objects.filter(pk=world_id).first()
    return record_of(world) if world else None


def saved_position(*, user_id: int, world_id: int) -> tuple[float, float, str] | None:
    saved = SavedPosition.objects.filter(player_id=user_id, world_id=world_id).first()
    return (saved.x, saved.y, saved.direction) if saved else None


def presence_live(*, user_id: int, world_id: int) -> bool:
    """Is the player connected to this world right now (a presence lease still running)?"""
    cutoff = timezone.now() - timedelta(seconds=presence_stale_seconds())
    return Presence.objects.filter(user_id=user_id, world_id=world_id, last_seen__gte=cutoff).exists()


def presence_live_anywhere(*, user_id: int) -> bool:
    """Is the player connected to some world right now?"""
    cutoff = timezone.now() - timedelta(seconds=presence_stale_seconds())
    return Presence.objects.filter(user_id=user_id, last_seen__gte=cutoff).exists()


def _fresh() -> Q:
    return Q(presences__last_seen__gte=timezone.now() - timedelta(seconds=presence_stale_seconds()))


def sees_members_only(user: Any) -> bool:
    """Whether `user` may see who is inside a members-only world: the same rule as entering it
    (world/admission.py), members only; guests are refused, and so is someone not logged in,
    who can at most become a guest."""
    return bool(user.is_authenticated and not user.is_guest)


def worlds_with_online_counts(*, viewer: Any = None) -> QuerySet[World]:
    """Every world with how many are online. For a `viewer` who may not enter members-only
    worlds, their `online` is None: how many are inside is not theirs to know. No viewer: all
    counts (the admin, operators' commands)."""
    online: Any = Count("presences", filter=_fresh())
    if viewer is not None and not sees_members_only(viewer):
        online = Case(When(guests_allowed=True, then=online), default=Value(None), output_field=IntegerField())
    return World.objects.annotate(online=online).order_by("name")


def _saved() -> QuerySet[SavedPosition]:
    """The saved position of the presence's user in its world, for subqueries."""
    return SavedPosition.objects.filter(player_id=OuterRef("user_id"), world_id=OuterRef("world_id"))


def presence_with_positions() -> QuerySet[Presence]:
    saved = _saved()
    return Presence.objects.annotate(
        x=Subquery(saved.values("x")[:1]), y=Subquery(saved.values("y")[:1]), zone=Subquery(saved.values("zone")[:1])
    )


def world_online(*, world: World) -> list[dict[str, Any]]:
    cutoff = timezone.now() - timedelta(seconds=presence_stale_seconds())
    presences = (
        Presence.objects.filter(world=world, last_seen__gte=cutoff)
        .select_related("user__player__avatar")
        .annotate(zone=Subquery(_saved().values("zone")[:1]))
        .order_by("connected_at")
    )
    return [
        {
            "id": presence.user_id,
            "name": presence.user.player.display_name,
            "avatar": presence.user.player.avatar.slug if presence.user.player.avatar else None,
            "status": presence.user.player.status,
            "zone": None if presence.user.player.hide_location else presence.zone or None,  # finding.py
            "connected_at": presence.connected_at.isoformat(),
        }
        for presence in presences
    ]


@dataclass(frozen=True)
class Entry:
    """What the world socket needs to place a player who was just admitted."""

    profile: dict[str, Any]  # name, look, status, hide_location
    saved: tuple[float, float, str] | None  # where they last stood in this world
    connected_elsewhere: bool  # already in this world on another connection
    avoids: frozenset[int] = frozenset()  # whom they have blocked (world/avoidance.py)
    guest: bool = False


def player_entry(*, user_id: int, world_id: int) -> Entry:
    """Profile, saved position and whether a connection is live elsewhere: one query, because
    it is read on every arrival, on a thread that waits for the interpreter after each round trip
    while the world's loop is busy (docs/performance.md, "Arrivals")."""
    from players.models import Player

    saved = SavedPosition.objects.filter(player_id=OuterRef("user_id"), world_id=world_id)
    cutoff = timezone.now() - timedelta(seconds=presence_stale_seconds())
    blocked = blocked_expression()  # None where the database cannot read it in this query
    player = (
        Player.objects.select_related("avatar", "user")
        .filter(user_id=user_id)
        .annotate(
            saved_x=Subquery(saved.values("x")[:1]),
            saved_y=Subquery(saved.values("y")[:1]),
            saved_direction=Subquery(saved.values("direction")[:1]),
            live=Exists(Presence.objects.filter(user_id=OuterRef("user_id"), world_id=world_id, last_seen__gte=cutoff)),
            **({"blocked": blocked} if blocked is not None else {}),
        )
        .first()
    )
    if player is None:  # no profile (yet): the three questions one by one
        return Entry(
            profile=player_profile(user_id=user_id),
            saved=saved_position(user_id=user_id, world_id=world_id),
            connected_elsewhere=presence_live(user_id=user_id, world_id=world_id),
            avoids=frozenset(blocked_ids_read(user_id)),
        )
    found = player.saved_x is not None
    return Entry(
        profile=_profile(player),
        saved=(player.saved_x, player.saved_y, player.saved_direction) if found else None,
        connected_elsewhere=player.live,
        avoids=frozenset(
            (getattr(player, "blocked", None) or ()) if blocked is not None else blocked_ids_read(user_id)
        ),
        guest=player.user.is_guest,
    )


def player_profile(*, user_id: int) -> dict[str, Any]:
    """What the engine shows of a player: name, look and status; and whether they hide where
    they are (world/finding.py)."""
    from players.models import Player

    player = Player.objects.select_related("avatar").filter(user_id=user_id).first()
    if player is None:
        return {"name": "", "avatar": "", "avatar_url": "", "status": "available", "hide_location": False}
    return _profile(player)


def _profile(player: Any) -> dict[str, Any]:
    return {
        "name": player.display_name,
        "avatar": player.avatar.slug if player.avatar else "",
        "avatar_url": player.avatar.url if player.avatar else "",
        "status": player.status,
        "hide_location": player.hide_location,
    }


def exit_destination(*, target: str) -> str | None:
    """The slug of the world an exitUrl names: a slug, /w/<slug>/, or the map file it came from."""
    target = target.strip()
    if target.startswith("/w/"):
        slug = target[3:].strip("/")
        return slug if World.objects.filter(slug=slug).exists() else None
    if "/" not in target and "." not in target:
        return target if World.objects.filter(slug=target).exists() else None
    file_name = target.rsplit("/", 1)[-1]
    world = World.objects.filter(source_name=file_name).order_by("pk").first()
    return world.slug if world else None
