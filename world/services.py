"""Writes for the world app: importing maps, saving positions, recording presence."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from metaverse.events import world_event_after_commit
from players.models import Player
from world.area_edits import areas_reapply_edits, areas_sync
from world.engine.engine import Session, WorldEngine
from world.engine.mapdata import MapData
from world.engine.store import PRESENCE_RENEW_SECONDS
from world.models import MapAsset, Presence, SavedPosition, World
from world.tiled import load_map_file

PRESENCE_LEASE_SECONDS = 10.0  # the hub renews every PRESENCE_RENEW_SECONDS

ASSET_TYPES = {
    b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif", b"OggS": "audio/ogg",
    b"ID3": "audio/mpeg", b"\xff\xfb": "audio/mpeg", b"\xff\xf3": "audio/mpeg", b"fLaC": "audio/flac",
}  # fmt: skip
RIFF_TYPES = {b"WEBP": "image/webp", b"WAVE": "audio/wav"}


def _content_type(content: bytes) -> str:
    if content.startswith(b"RIFF"):
        return RIFF_TYPES.get(content[8:12], "application/octet-stream")
    for magic, kind in ASSET_TYPES.items():
        if content.startswith(magic):
            return kind
    return "application/octet-stream"


@dataclass
class ImportResult:
    world: World
    created: bool
    changed: bool
    assets: int
    areas: int = 0  # interactive areas (websites, sounds, focus, stages)
    ignored: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (where, properties nothing here reads)
    kept_edits: int = 0  # moderators' area edits written into the new map (keep_area_edits)


@transaction.atomic
def world_import_map(
    *, path: str | Path, slug: str, name: str | None = None, capacity: int | None = None,
    keep_area_edits: bool = False,
) -> ImportResult:  # fmt: skip
    """Create or update a world from a Tiled map file; open replicas reload it once committed.
    `capacity` applies to a new world only: an operator's later change is kept. Moderators' edits
    of its areas are lost unless `keep_area_edits` (world/area_edits.py)."""
    loaded = load_map_file(path, max_tiles=settings.WORLD_MAX_MAP_TILES, max_bytes=settings.WORLD_MAX_MAP_BYTES)
    world = World.objects.select_for_update().filter(slug=slug).first()
    kept = areas_reapply_edits(world, loaded.map) if keep_area_edits else []
    mapdata = MapData(loaded.map, strict=True)  # refuses maps the engine cannot use (no walkable spawn, ...)
    version = loaded.version
    created = world is None
    if world is None:
        world = World(slug=slug, name=name or slug.replace("-", " ").title())
        if capacity is not None:
            world.capacity = capacity
    elif name:
        world.name = name
    changed = created or world.map_version != version
    world.map_json = loaded.map
    world.map_version = version
    world.source_name = loaded.source_name
    world.width, world.height = mapdata.width, mapdata.height
    world.save()
    if changed:
        world.assets.all().delete()
        MapAsset.objects.bulk_create(
            MapAsset(world=world, path=asset, content=content, content_type=_content_type(content))
            for asset, content in loaded.assets.items()
        )
        areas_sync(world, kept=kept)
        if not created:
            world_event_after_commit(world.pk, {"type": "sync.map_changed", "world": world.pk})
    return ImportResult(
        world=world, created=created, changed=changed, assets=len(loaded.assets), areas=len(mapdata.areas),
        ignored=tuple(mapdata.ignored), kept_edits=len(kept),
    )  # fmt: skip


@dataclass(frozen=True)
class PositionRow:
    user_id: int
    x: float
    y: float
    direction: str
    zone: str


def position_row(engine: WorldEngine, session: Session) -> PositionRow:
    """Where a player connected here stands, as it is saved."""
    player = session.player
    zone = engine.zone_of_player(player.id)
    return PositionRow(user_id=player.id, x=player.x, y=player.y, direction=player.dir, zone=zone.name if zone else "")


def positions_save(*, world_id: int, rows: list[PositionRow]) -> None:
    """Remember where players stand: one statement for all of them, written as SQL because the
    ORM's bulk upsert builds a model instance per row (hundreds of players every save, on the
    thread every socket's database work waits for). A player deleted while connected (a purged
    guest, a user removed in the admin) is left out, not a failure of everyone's save."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, players = quote(SavedPosition._meta.db_table), quote(Player._meta.db_table)
    now = timezone.now()
    params: list[Any]
    if connection.vendor == "postgresql":
        # Five arrays, not seven parameters a row: the driver writes each array in one go, where
        # 4,200 placeholders cost it ~35 ms of Python at 600 players (docs/performance.md).
        saved = (
            "SELECT player_id, %s, x, y, direction, zone, %s FROM unnest(%s::bigint[], %s::float8[], "
            "%s::float8[], %s::text[], %s::text[]) AS saved(player_id, x, y, direction, zone)"
        )
        params = [world_id, now, [row.user_id for row in rows], [float(row.x) for row in rows]]
        params += [[float(row.y) for row in rows], [row.direction for row in rows], [row.zone for row in rows]]
        player = "saved.player_id"
    else:
        # VALUES names its columns column1..column7 (SQLite's arrays do not exist).
        saved = "SELECT * FROM (VALUES " + ",".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows)) + ") AS saved"
        params = []
        for row in rows:
            params += [row.user_id, world_id, row.x, row.y, row.direction, row.zone, now]
        player = "saved.column1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (player_id, world_id, x, y, direction, zone, updated_at) {saved} "
            f"WHERE EXISTS (SELECT 1 FROM {players} WHERE {players}.user_id = {player}) "
            "ON CONFLICT (player_id, world_id) DO UPDATE SET x = excluded.x, y = excluded.y, "
            "direction = excluded.direction, zone = excluded.zone, updated_at = excluded.updated_at",
            params,
        )


def presence_join(
    *, user_id: int, world_id: int, server: str, row: PositionRow, connected_at: float, address: str | None = None
) -> None:
    now = timezone.now()
    Presence.objects.update_or_create(
        user_id=user_id,
        world_id=world_id,
        defaults={
            "server": server,
            "connected_at": datetime.fromtimestamp(connected_at, tz=UTC),
            "last_seen": now,
            "address": address,
        },
    )
    positions_save(world_id=world_id, rows=[row])


def presence_leave(*, user_id: int, world_id: int, server: str, row: PositionRow) -> None:
    """The player left: keep where they stood, forget that they are here."""
    positions_save(world_id=world_id, rows=[row])
    Presence.objects.filter(user_id=user_id, world_id=world_id, server=server).delete()


def presence_refresh(*, world_id: int, server: str, live: list[int], moved: list[PositionRow]) -> None:
    """The periodic renewal: "still here" for the players connected to this server (`live`),
    gone for any other row of this server (a leave that could not reach the database), and the
    positions of those who moved; three statements whatever the number of players."""
    now = timezone.now()
    positions_save(world_id=world_id, rows=moved)
    stale = now - timedelta(seconds=PRESENCE_RENEW_SECONDS)
    if connection.vendor == "postgresql":
        # The ids as one array (`= ANY`), not a placeholder each: see positions_save.
        table = connection.ops.quote_name(Presence._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_seen = %s "
                "WHERE world_id = %s AND server = %s AND user_id = ANY(%s::bigint[])",
                [now, world_id, server, live],
            )
            # A row joined after `live` was read has a newer last_seen: it is not touched.
            cursor.execute(
                f"DELETE FROM {table} WHERE world_id = %s AND server = %s AND last_seen < %s "
                "AND NOT (user_id = ANY(%s::bigint[]))",
                [world_id, server, stale, live],
            )
        return
    rows = Presence.objects.filter(world_id=world_id, server=server)
    rows.filter(user_id__in=live).update(last_seen=now)
    rows.exclude(user_id__in=live).filter(last_seen__lt=stale).delete()


def presence_purge_stale() -> int:
    """Forget presence rows no process has refreshed lately (a process that crashed)."""
    cutoff = timezone.now() - timedelta(seconds=presence_stale_seconds())
    deleted, _ = Presence.objects.filter(last_seen__lt=cutoff).delete()
    return deleted


def presence_stale_seconds() -> float:
    """A presence row not renewed for this long is a player who is gone (their server died)."""
    return PRESENCE_LEASE_SECONDS
