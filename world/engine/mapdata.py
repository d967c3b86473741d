"""What the engine needs of a map, read from normalised Tiled JSON following WorkAdventure's
conventions (see docs/maps.md): collisions, spawn entries, zones and exits, one lookup per tile."""

import logging
import math
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from world.areas import INTERACTIVE, Features, read_features
from world.tiled import GID_MASK, MapError

logger = logging.getLogger(__name__)

MEETING, SILENT, PLAIN = "meeting", "silent", "plain"
_KIND_RANK = {MEETING: 0, SILENT: 1, PLAIN: 2}
AREA_CLASSES = {"area", "zone"}
DEFAULT_ENTRY = "start"


@dataclass(frozen=True)
class Zone:
    index: int
    name: str
    kind: str  # meeting: everyone inside shares one call; silent: nobody talks; plain: a name
    room: str  # the jitsiRoom name for meeting rooms, "" otherwise

    def as_json(self) -> dict[str, Any]:
        return {"id": self.index, "name": self.name, "kind": self.kind}


@dataclass(frozen=True)
class Area:
    """An area that does something to the people inside (world/areas.py): a website, a sound, a
    camera focus, a stage. `left`..`bottom` bound its tiles (right and bottom exclusive)."""

    index: int
    name: str
    left: int
    top: int
    right: int
    bottom: int
    features: Features

    def as_json(self) -> dict[str, Any]:
        features = self.features
        return {
            "id": self.index,
            "name": self.name,
            "bounds": [self.left, self.top, self.right, self.bottom],
            "website": features.website.as_json() if features.website else None,
            "sound": features.sound.as_json() if features.sound else None,
            "focus": None if features.focus_margin is None else {"margin": features.focus_margin},
            "stage": features.stage.as_json() if features.stage else None,
        }


@dataclass(frozen=True)
class Exit:
    url: str  # as written in the map: "annex.tmj#from-demo", "/w/annex/", "annex"
    target: str  # the part before '#'
    entry: str  # the part after '#', "" for the default entry


def properties_of(owner: dict[str, Any]) -> dict[str, Any]:
    """A layer's, object's or tile's custom properties by name."""
    raw = owner.get("properties") or []
    if isinstance(raw, dict):  # very old Tiled versions wrote properties as an object
        return dict(raw)
    return {str(prop.get("name")): prop.get("value") for prop in raw if isinstance(prop, dict)}


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_area_object(obj: Any) -> bool:
    """A rectangle object of class `area` (or `zone`): ellipses, points and polygons are not areas."""
    if not isinstance(obj, dict) or str(obj.get("type") or obj.get("class") or "").lower() not in AREA_CLASSES:
        return False
    return not (obj.get("ellipse") or obj.get("point") or "polygon" in obj or "polyline" in obj)


def object_rect(obj: dict[str, Any], tiled: dict[str, Any]) -> tuple[int, int, int, int] | None:
    """The tiles an area object covers (every tile it touches) as (left, top, right, bottom),
    right and bottom exclusive, within the map; None for an empty or unreadable one."""
    try:
        x, y = float(obj.get("x", 0)), float(obj.get("y", 0))
        width, height = float(obj.get("width", 0)), float(obj.get("height", 0))
    except (TypeError, ValueError):
        return None
    if width <= 0 or height <= 0:
        return None
    tile_width, tile_height = tiled["tilewidth"], tiled["tileheight"]
    left, top = max(0, math.floor(x / tile_width)), max(0, math.floor(y / tile_height))
    right = min(tiled["width"], math.ceil((x + width) / tile_width))
    bottom = min(tiled["height"], math.ceil((y + height) / tile_height))
    return (left, top, right, bottom) if left < right and top < bottom else None


def iter_layers(layers: list[dict[str, Any]], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every layer with its full name; group layers are walked, their names joined with '/'."""
    for layer in layers:
        name = f"{prefix}{layer.get('name', '')}"
        if layer.get("type") == "group":
            yield from iter_layers(layer.get("layers", []), f"{name}/")
        else:
            yield name, layer


class MapData:
    def __init__(self, tiled: dict[str, Any], *, strict: bool = False) -> None:
        """`strict` (importing): an interactive area with a bad value refuses the map. Otherwise
        (a stored map read by a server) such an area is left out, with a warning."""
        self.width: int = tiled["width"]
        self.height: int = tiled["height"]
        self.tile_width: int = tiled["tilewidth"]
        self.tile_height: int = tiled["tileheight"]
        size = self.width * self.height
        self.blocked = bytearray(size)
        self.zone_at = array("h", [-1]) * size
        self.exit_at = array("h", [-1]) * size
        self.zones: list[Zone] = []
        self.exits: list[Exit] = []
        self.entries: dict[str, list[tuple[int, int]]] = {}
        self.strict = strict
        self.areas: list[Area] = []
        self.area_sets: list[tuple[int, ...]] = [()]  # the areas one tile is in; 0: none
        self.areas_at = array("h", [0]) * size
        self.ignored: list[tuple[str, tuple[str, ...]]] = []  # (where, properties left unread)
        self.stages: list[str] = []  # stage names (speakerMegaphone/listenerMegaphone), by index
        self.stage_of_set: list[tuple[int, bool] | None] = [None]  # per area set: (stage, speaker?)
        self._area_tiles: list[set[int]] = []
        zone_tiles: dict[tuple[str, str], tuple[str, set[int]]] = {}  # (kind, name) -> (room, tiles)
        self._read_layers(tiled, zone_tiles)
        self._paint_zones(zone_tiles)
        self._paint_areas()
        self._check_entries()

    # --- building ---------------------------------------------------------------------------

    def _read_layers(self, tiled: dict[str, Any], zone_tiles: dict[tuple[str, str], tuple[str, set[int]]]) -> None:
        colliding = self._colliding_gids(tiled["tilesets"])
        for name, layer in iter_layers(tiled["layers"]):
            properties = properties_of(layer)
            if layer.get("type") == "tilelayer":
                tiles = {index for index, gid in enumerate(layer["data"]) if gid & GID_MASK}
                if truthy(properties.get("collides")):
                    for index in tiles:
                        self.blocked[index] = 1
                else:
                    for index, gid in enumerate(layer["data"]):
                        if gid & GID_MASK in colliding:
                            self.blocked[index] = 1
                self._read_area(name, properties, tiles, zone_tiles, layer_name=True)
                self._read_features(name, properties, tiles, f"layer '{name}'")
            elif layer.get("type") == "objectgroup":
                for obj in layer.get("objects", []):
                    if is_area_object(obj):
                        tiles = self._object_tiles(obj, tiled)
                        if tiles:
                            area_name, properties = str(obj.get("name") or ""), properties_of(obj)
                            self._read_area(area_name, properties, tiles, zone_tiles)
                            where = f"area '{area_name}' (object {obj.get('id', '?')} in layer '{name}')"
                            self._read_features(area_name, properties, tiles, where)

    def _colliding_gids(self, tilesets: list[dict[str, Any]]) -> set[int]:
        gids = set()
        for tileset in tilesets:
            for tile in tileset.get("tiles", []):
                if truthy(properties_of(tile).get("collides")):
                    gids.add(tileset["firstgid"] + tile["id"])
        return gids

    def _read_area(
        self,
        name: str,
        properties: dict[str, Any],
        tiles: set[int],
        zone_tiles: dict[tuple[str, str], tuple[str, set[int]]],
        *,
        layer_name: bool = False,
    ) -> None:
        short = name.rsplit("/", 1)[-1]
        if layer_name and short == DEFAULT_ENTRY:
            self.entries.setdefault(DEFAULT_ENTRY, []).extend(self._coords(tiles))
        if truthy(properties.get("startLayer")) and short:
            self.entries.setdefault(short, []).extend(self._coords(tiles))
        exit_url = properties.get("exitUrl") or properties.get("exitSceneUrl")  # the older name
        if isinstance(exit_url, str) and exit_url.strip():
            target, _, entry = exit_url.strip().partition("#")
            self.exits.append(Exit(url=exit_url.strip(), target=target, entry=entry))
            for index in tiles:
                self.exit_at[index] = len(self.exits) - 1
        marks_place = bool(exit_url) or truthy(properties.get("startLayer")) or bool(INTERACTIVE & properties.keys())
        room = properties.get("jitsiRoom")
        if isinstance(room, str) and room.strip():
            title = properties.get("jitsiRoomName") or (short if not layer_name else "") or room.strip()
            self._add_zone_tiles(zone_tiles, MEETING, str(title), room.strip(), tiles)
        elif truthy(properties.get("silent")):
            self._add_zone_tiles(zone_tiles, SILENT, short or "Silent zone", "", tiles)
        elif not layer_name and short and not marks_place:
            self._add_zone_tiles(zone_tiles, PLAIN, short, "", tiles)
        elif layer_name and isinstance(properties.get("zone"), str) and properties["zone"].strip():
            self._add_zone_tiles(zone_tiles, PLAIN, properties["zone"].strip(), "", tiles)

    def _read_features(self, name: str, properties: dict[str, Any], tiles: set[int], where: str) -> None:
        try:
            features = read_features(properties, where)
        except MapError:
            if self.strict:
                raise
            logger.warning("map: %s left out", where, exc_info=True)
            return
        if features.ignored:
            self.ignored.append((where, features.ignored))
        if not features or not tiles:
            return
        columns = {index % self.width for index in tiles}
        rows = {index // self.width for index in tiles}
        self.areas.append(
            Area(
                index=len(self.areas), name=name.rsplit("/", 1)[-1], left=min(columns), top=min(rows),
                right=max(columns) + 1, bottom=max(rows) + 1, features=features,
            )
        )  # fmt: skip
        self._area_tiles.append(tiles)

    def _paint_areas(self) -> None:
        """Each tile gets the index of the set of areas it is in (areas overlap freely)."""
        known: dict[tuple[int, ...], int] = {(): 0}
        inside: dict[int, list[int]] = {}
        for area, tiles in zip(self.areas, self._area_tiles, strict=True):
            for index in tiles:
                inside.setdefault(index, []).append(area.index)
        for index, found in inside.items():
            key = tuple(found)
            if key not in known:
                known[key] = len(self.area_sets)
                self.area_sets.append(key)
            self.areas_at[index] = known[key]
        self._area_tiles = []
        self.stage_of_set = [self._stage_of(areas) for areas in self.area_sets]

    def _stage_of(self, areas: tuple[int, ...]) -> tuple[int, bool] | None:
        """The stage a tile belongs to, and whether as its speaker area (which wins)."""
        found: tuple[int, bool] | None = None
        for each in areas:
            stage = self.areas[each].features.stage
            if stage is None:
                continue
            if stage.name not in self.stages:
                self.stages.append(stage.name)
            candidate = (self.stages.index(stage.name), stage.role == "speaker")
            if found is None or (candidate[1] and not found[1]):
                found = candidate
        return found

    @staticmethod
    def _add_zone_tiles(
        zone_tiles: dict[tuple[str, str], tuple[str, set[int]]], kind: str, name: str, room: str, tiles: set[int]
    ) -> None:
        _, existing = zone_tiles.setdefault((kind, name), (room, set()))
        existing.update(tiles)

    def _paint_zones(self, zone_tiles: dict[tuple[str, str], tuple[str, set[int]]]) -> None:
        # Where zones overlap, a meeting room beats a silent zone beats a plain name, and the
        # smaller area wins among equals: paint the weakest first so the strongest stays.
        ordered = sorted(zone_tiles.items(), key=lambda item: (_KIND_RANK[item[0][0]], len(item[1][1])), reverse=True)
        for (kind, name), (room, tiles) in ordered:
            zone = Zone(index=len(self.zones), name=name, kind=kind, room=room)
            self.zones.append(zone)
            for index in tiles:
                self.zone_at[index] = zone.index

    def _object_tiles(self, obj: dict[str, Any], tiled: dict[str, Any]) -> set[int]:
        rect = object_rect(obj, tiled)
        if rect is None:
            return set()
        left, top, right, bottom = rect
        return {ty * self.width + tx for ty in range(top, bottom) for tx in range(left, right)}

    def _coords(self, tiles: set[int]) -> list[tuple[int, int]]:
        return sorted((index % self.width, index // self.width) for index in tiles)

    def _check_entries(self) -> None:
        for name, tiles in list(self.entries.items()):
            walkable = [tile for tile in tiles if not self.blocked[tile[1] * self.width + tile[0]]]
            if not walkable:
                raise MapError(f"the spawn layer or area '{name}' has no walkable tile")
            self.entries[name] = walkable
        if DEFAULT_ENTRY not in self.entries:
            self.entries[DEFAULT_ENTRY] = self._tiles_nearest_centre()

    def _tiles_nearest_centre(self, count: int = 9) -> list[tuple[int, int]]:
        free = [(index % self.width, index // self.width) for index, blocked in enumerate(self.blocked) if not blocked]
        if not free:
            raise MapError("the map has no walkable tile")
        centre_x, centre_y = self.width / 2, self.height / 2
        free.sort(key=lambda tile: (tile[0] - centre_x) ** 2 + (tile[1] - centre_y) ** 2)
        return free[:count]

    # --- lookups (hot path: called for every move) -----------------------------------------

    def index_of(self, x: float, y: float) -> int:
        """The tile index under a point in tile units, or -1 outside the map."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            return -1
        return int(y) * self.width + int(x)

    def is_walkable(self, x: float, y: float) -> bool:
        index = self.index_of(x, y)
        return index >= 0 and not self.blocked[index]

    def path_is_clear(self, x0: float, y0: float, x1: float, y1: float, step: float = 0.25) -> bool:
        """No blocked tile on the straight line between two points (sampled every `step` tiles)."""
        distance = math.hypot(x1 - x0, y1 - y0)
        samples = max(1, math.ceil(distance / step))
        for sample in range(1, samples + 1):
            fraction = sample / samples
            if not self.is_walkable(x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction):
                return False
        return True

    def zone_of(self, x: float, y: float) -> Zone | None:
        index = self.index_of(x, y)
        if index < 0:
            return None
        zone = self.zone_at[index]
        return self.zones[zone] if zone >= 0 else None

    def areas_of(self, x: float, y: float) -> list[Area]:
        index = self.index_of(x, y)
        return [self.areas[each] for each in self.area_sets[self.areas_at[index]]] if index >= 0 else []

    def exit_of(self, x: float, y: float) -> Exit | None:
        index = self.index_of(x, y)
        if index < 0:
            return None
        found = self.exit_at[index]
        return self.exits[found] if found >= 0 else None

    def entry_tiles(self, name: str | None) -> list[tuple[int, int]]:
        """Spawn tiles of a named entry (start layer or area), or of the default one."""
        return self.entries.get(name or DEFAULT_ENTRY) or self.entries[DEFAULT_ENTRY]
