"""What the engine needs of a map, read from normalised Tiled JSON following WorkAdventure's
conventions (see docs/maps.md): collisions, spawn entries, zones and exits, one lookup per tile."""

import math
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from world.tiled import GID_MASK, MapError

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
class Exit:
    url: str  # as written in the map: "annex.tmj#from-demo", "/w/annex/", "annex"
    target: str  # the part before '#'
    entry: str  # the part after '#', "" for the default entry


def _properties(owner: dict[str, Any]) -> dict[str, Any]:
    raw = owner.get("properties") or []
    if isinstance(raw, dict):  # very old Tiled versions wrote properties as an object
        return dict(raw)
    return {str(prop.get("name")): prop.get("value") for prop in raw if isinstance(prop, dict)}


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def iter_layers(layers: list[dict[str, Any]], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every layer with its full name; group layers are walked, their names joined with '/'."""
    for layer in layers:
        name = f"{prefix}{layer.get('name', '')}"
        if layer.get("type") == "group":
            yield from iter_layers(layer.get("layers", []), f"{name}/")
        else:
            yield name, layer


class MapData:
    def __init__(self, tiled: dict[str, Any]) -> None:
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
        zone_tiles: dict[tuple[str, str], tuple[str, set[int]]] = {}  # (kind, name) -> (room, tiles)
        self._read_layers(tiled, zone_tiles)
        self._paint_zones(zone_tiles)
        self._check_entries()

    # --- building ---------------------------------------------------------------------------

    def _read_layers(self, tiled: dict[str, Any], zone_tiles: dict[tuple[str, str], tuple[str, set[int]]]) -> None:
        colliding = self._colliding_gids(tiled["tilesets"])
        for name, layer in iter_layers(tiled["layers"]):
            properties = _properties(layer)
            if layer.get("type") == "tilelayer":
                tiles = {index for index, gid in enumerate(layer["data"]) if gid & GID_MASK}
                if _truthy(properties.get("collides")):
                    for index in tiles:
                        self.blocked[index] = 1
                else:
                    for index, gid in enumerate(layer["data"]):
                        if gid & GID_MASK in colliding:
                            self.blocked[index] = 1
                self._read_area(name, properties, tiles, zone_tiles, layer_name=True)
            elif layer.get("type") == "objectgroup":
                for obj in layer.get("objects", []):
                    if str(obj.get("type") or obj.get("class") or "").lower() in AREA_CLASSES:
                        tiles = self._object_tiles(obj)
                        if tiles:
                            self._read_area(str(obj.get("name") or ""), _properties(obj), tiles, zone_tiles)

    def _colliding_gids(self, tilesets: list[dict[str, Any]]) -> set[int]:
        gids = set()
        for tileset in tilesets:
            for tile in tileset.get("tiles", []):
                if _truthy(_properties(tile).get("collides")):
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
        if _truthy(properties.get("startLayer")) and short:
            self.entries.setdefault(short, []).extend(self._coords(tiles))
        exit_url = properties.get("exitUrl") or properties.get("exitSceneUrl")  # the older name
        if isinstance(exit_url, str) and exit_url.strip():
            target, _, entry = exit_url.strip().partition("#")
            self.exits.append(Exit(url=exit_url.strip(), target=target, entry=entry))
            for index in tiles:
                self.exit_at[index] = len(self.exits) - 1
        marks_place = bool(exit_url) or _truthy(properties.get("startLayer"))
        room = properties.get("jitsiRoom")
        if isinstance(room, str) and room.strip():
            title = properties.get("jitsiRoomName") or (short if not layer_name else "") or room.strip()
            self._add_zone_tiles(zone_tiles, MEETING, str(title), room.strip(), tiles)
        elif _truthy(properties.get("silent")):
            self._add_zone_tiles(zone_tiles, SILENT, short or "Silent zone", "", tiles)
        elif not layer_name and short and not marks_place:
            self._add_zone_tiles(zone_tiles, PLAIN, short, "", tiles)
        elif layer_name and isinstance(properties.get("zone"), str) and properties["zone"].strip():
            self._add_zone_tiles(zone_tiles, PLAIN, properties["zone"].strip(), "", tiles)

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

    def _object_tiles(self, obj: dict[str, Any]) -> set[int]:
        if obj.get("ellipse") or obj.get("point") or "polygon" in obj or "polyline" in obj:
            return set()
        try:
            x, y = float(obj.get("x", 0)), float(obj.get("y", 0))
            width, height = float(obj.get("width", 0)), float(obj.get("height", 0))
        except (TypeError, ValueError):
            return set()
        if width <= 0 or height <= 0:
            return set()
        left, top = max(0, math.floor(x / self.tile_width)), max(0, math.floor(y / self.tile_height))
        right = min(self.width, math.ceil((x + width) / self.tile_width))
        bottom = min(self.height, math.ceil((y + height) / self.tile_height))
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

    def exit_of(self, x: float, y: float) -> Exit | None:
        index = self.index_of(x, y)
        if index < 0:
            return None
        found = self.exit_at[index]
        return self.exits[found] if found >= 0 else None

    def entry_tiles(self, name: str | None) -> list[tuple[int, int]]:
        """Spawn tiles of a named entry (start layer or area), or of the default one."""
        return self.entries.get(name or DEFAULT_ENTRY) or self.entries[DEFAULT_ENTRY]
