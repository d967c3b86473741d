"""Build the demo Tiled maps ``world/demo/maps/demo.tmj`` (office campus) and ``annex.tmj`` (rooftop lounge).

Run ``python -m tools.demo_maps`` after ``python -m tools.art.tileset``. Both maps use the external tileset
``office.tsj``. Walls are placed as a set of cells and auto-tiled; every map is checked before it is written:
all walkable tiles must be reachable from the start area, zones must hold walkable tiles, and nothing
walkable may touch the map border.
"""

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any, cast

from tools.art.drawing import TILE, require
from tools.art.tileset import COLLIDES, MAPS_DIR, tile_ids
from tools.art.walls import wall_name
from tools.demo_areas import DEMO_INTERACTIONS, KITCHEN_SOUND, kitchen_sound

Cell = tuple[int, int]
Property = dict[str, object]

IDS = tile_ids()
COLLIDING_GIDS = {IDS[name] + 1 for name in COLLIDES}


def prop(name: str, kind: str, value: object) -> Property:
    return {"name": name, "type": kind, "value": value}


@dataclass(frozen=True)
class Zone:
    """A named rectangle of tiles (inclusive corners) with Tiled custom properties."""

    name: str
    x0: int
    y0: int
    x1: int
    y1: int
    properties: tuple[Property, ...] = ()

    def cells(self) -> set[Cell]:
        return {(x, y) for x in range(self.x0, self.x1 + 1) for y in range(self.y0, self.y1 + 1)}


@dataclass(frozen=True)
class LayerSpec:
    """One entry of the layer stack: a tile layer, or an object group ("floorLayer", "zones")."""

    name: str
    kind: str = "tilelayer"
    properties: tuple[Property, ...] = ()


@dataclass
class MapBuilder:
    """Tile layers addressed by piece name, plus wall cells that are auto-tiled on output."""

    width: int
    height: int
    layers: dict[str, dict[Cell, str]] = field(default_factory=dict)
    walls: set[Cell] = field(default_factory=set)
    windows: set[Cell] = field(default_factory=set)
    zones: list[Zone] = field(default_factory=list)
    interactions: list[Zone] = field(default_factory=list)  # areas that do something: tools/demo_areas.py

    def put(self, layer: str, x: int, y: int, name: str) -> None:
        require(0 <= x < self.width and 0 <= y < self.height, f"{name} at {(x, y)} is off the map")
        require(name in IDS, f"unknown tile {name}")
        self.layers.setdefault(layer, {})[(x, y)] = name

    def fill(self, layer: str, x0: int, y0: int, x1: int, y1: int, name: str) -> None:
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                self.put(layer, x, y, name)

    def stamp(self, layer: str, x: int, y: int, spec: str) -> None:
        """Place a multi-tile object given row by row ("a b / c d") with its top-left at (x, y)."""
        for dy, row in enumerate(spec.split("/")):
            for dx, name in enumerate(row.split()):
                self.put(layer, x + dx, y + dy, name)

    def rug(self, style: str, x0: int, y0: int, x1: int, y1: int) -> None:
        """A bordered rug (9-slice floor pieces) covering the inclusive rectangle."""
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                row = "t" if y == y0 else "b" if y == y1 else ""
                column = "l" if x == x0 else "r" if x == x1 else ""
                self.put("floor", x, y, f"{style}_{row + column or 'c'}")

    def wall(self, x0: int, y0: int, x1: int, y1: int) -> None:
        """A straight wall (or a filled block of wall) between inclusive corners."""
        self.walls |= {(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}

    def room(self, x0: int, y0: int, x1: int, y1: int) -> None:
        """The four walls of a rectangle."""
        self.wall(x0, y0, x1, y0)
        self.wall(x0, y1, x1, y1)
        self.wall(x0, y0, x0, y1)
        self.wall(x1, y0, x1, y1)

    def door(self, x0: int, y0: int, x1: int, y1: int, mat: bool = True) -> None:
        """Open a gap in a wall, optionally with a door-mat threshold on the floor."""
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                self.walls.discard((x, y))
                if mat:
                    self.put("floor", x, y, "doorway")

    def window(self, *cells: Cell) -> None:
        self.windows.update(cells)

    def tree(self, x: int, y: int) -> None:
        """A 2×2 tree: canopy on the "above" layer, trunk half on "furniture"."""
        self.stamp("above", x, y, "tree_tl tree_tr")
        self.stamp("furniture", x, y + 1, "tree_bl tree_br")

    def shelf(self, x: int, y: int, variant: int = 0) -> None:
        """A tall bookcase standing on (x, y); its top piece covers the cell above, over avatars."""
        prefix = ("shelf", "shelf2")[variant % 2]
        self.put("above", x, y - 1, f"{prefix}_top")
        self.put("furniture", x, y, f"{prefix}_bottom")

    def zone(self, name: str, x0: int, y0: int, x1: int, y1: int, *properties: Property) -> None:
        self.zones.append(Zone(name, x0, y0, x1, y1, properties))

    def wall_tiles(self) -> dict[Cell, str]:
        """Auto-tile: a wall cell with a wall below shows its cap only, else cap and front face."""
        tiles = {}
        for x, y in self.walls:
            kind = "top" if (x, y + 1) in self.walls else "face"
            north, west, east = (
                (x, y - 1) not in self.walls,
                (x - 1, y) not in self.walls,
                (x + 1, y) not in self.walls,
            )
            name = wall_name(kind, north, west, east)
            if (x, y) in self.windows:
                fits = name in (wall_name("face", True, False, False), wall_name("top", False, True, True))
                require(fits, f"no window fits the wall at {(x, y)}")
                name = "window_face" if kind == "face" else "window_top"
            tiles[(x, y)] = name
        return tiles

    def gids(self, layer: str) -> list[int]:
        names = self.wall_tiles() if layer == "walls" else self.layers.get(layer, {})
        return [IDS[names[(x, y)]] + 1 if (x, y) in names else 0 for y in range(self.height) for x in range(self.width)]


# ---------------------------------------------------------------------------------------------
# Checks.
# ---------------------------------------------------------------------------------------------


def walkable(builder: MapBuilder, tile_layers: list[str]) -> set[Cell]:
    """Cells with a floor and no colliding tile on any layer."""
    blocked = set()
    for layer in tile_layers:
        for index, gid in enumerate(builder.gids(layer)):
            if gid in COLLIDING_GIDS:
                blocked.add((index % builder.width, index // builder.width))
    floor = set(builder.layers["floor"])
    return floor - blocked


def reachable(start: set[Cell], open_cells: set[Cell]) -> set[Cell]:
    seen = set(start)
    queue = deque(start)
    while queue:
        x, y = queue.popleft()
        for neighbour in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if neighbour in open_cells and neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return seen


def check(builder: MapBuilder, stack: list[LayerSpec]) -> None:
    tile_layers = [spec.name for spec in stack if spec.kind == "tilelayer"]
    everywhere = {(x, y) for x in range(builder.width) for y in range(builder.height)}
    require(set(builder.layers["floor"]) == everywhere, "every cell needs a floor tile")
    open_cells = walkable(builder, tile_layers)
    border = {(x, y) for x, y in everywhere if x in (0, builder.width - 1) or y in (0, builder.height - 1)}
    require(not open_cells & border, f"walkable cells on the map edge: {sorted(open_cells & border)}")
    marker_layers = [spec.name for spec in stack if spec.name == "start" or spec.name.startswith(("from-", "exit-"))]
    floor_at = [spec.name for spec in stack].index("floorLayer")
    for layer in marker_layers:
        cells = set(builder.layers[layer])
        require(bool(cells) and cells <= open_cells, f"{layer} tiles must be walkable")
        # Drawn over the avatars, a tile people stand on or next to would hide them.
        require([spec.name for spec in stack].index(layer) < floor_at, f"{layer} must come before floorLayer")
    seen = reachable(set(builder.layers["start"]), open_cells)
    require(seen == open_cells, f"unreachable walkable cells: {sorted(open_cells - seen)[:20]}")
    for i, zone in enumerate(builder.zones):
        require(bool(zone.cells() & open_cells), f"zone {zone.name} has no walkable tile")
        for other in builder.zones[i + 1 :]:
            require(not zone.cells() & other.cells(), f"zones {zone.name} and {other.name} overlap")
    for area in builder.interactions:
        require(bool(area.cells() & open_cells), f"area {area.name} has no walkable tile")


# ---------------------------------------------------------------------------------------------
# Output.
# ---------------------------------------------------------------------------------------------


def zone_object(zone: Zone, object_id: int) -> dict[str, object]:
    obj: dict[str, object] = {
        "id": object_id,
        "name": zone.name,
        "type": "area",
        "x": zone.x0 * TILE,
        "y": zone.y0 * TILE,
        "width": (zone.x1 - zone.x0 + 1) * TILE,
        "height": (zone.y1 - zone.y0 + 1) * TILE,
        "rotation": 0,
        "visible": True,
    }
    if zone.properties:
        obj["properties"] = list(zone.properties)
    return obj


def layer_json(builder: MapBuilder, spec: LayerSpec, layer_id: int) -> dict[str, object]:
    layer: dict[str, object] = {"id": layer_id, "name": spec.name, "type": spec.kind}
    if spec.kind == "tilelayer":
        layer.update(width=builder.width, height=builder.height, data=builder.gids(spec.name))
    else:
        first = len(builder.zones) + 1
        objects = [zone_object(zone, i) for i, zone in enumerate(builder.zones, 1)] if spec.name == "zones" else []
        if spec.name == "interactions":
            objects = [zone_object(area, i) for i, area in enumerate(builder.interactions, first)]
        layer.update(draworder="topdown", objects=objects)
    layer.update(visible=True, opacity=1, x=0, y=0)
    if spec.properties:
        layer["properties"] = list(spec.properties)
    return layer


def map_json(builder: MapBuilder, stack: list[LayerSpec]) -> dict[str, object]:
    return {
        "type": "map",
        "version": "1.10",
        "tiledversion": "1.10.2",
        "orientation": "orthogonal",
        "renderorder": "right-down",
        "infinite": False,
        "width": builder.width,
        "height": builder.height,
        "tilewidth": TILE,
        "tileheight": TILE,
        "compressionlevel": -1,
        "nextlayerid": len(stack) + 1,
        "nextobjectid": len(builder.zones) + len(builder.interactions) + 1,
        "layers": [layer_json(builder, spec, i) for i, spec in enumerate(stack, 1)],
        "tilesets": [{"firstgid": 1, "source": "office.tsj"}],
    }


def dumps(tmj: dict[str, object], width: int) -> str:
    """Indented JSON, but each tile layer's data written one map row per line."""
    rows: dict[str, str] = {}
    for layer in cast(list[dict[str, Any]], tmj["layers"]):
        if "data" in layer:
            key = f"@data{layer['id']}@"
            data = layer["data"]
            lines = [",".join(map(str, data[i : i + width])) for i in range(0, len(data), width)]
            rows[key] = "[\n   " + ",\n   ".join(lines) + "\n  ]"
            layer["data"] = key
    text = json.dumps(tmj, indent=1, ensure_ascii=False)
    for key, value in rows.items():
        text = text.replace(f'"{key}"', value)
    return text + "\n"


def write(builder: MapBuilder, stack: list[LayerSpec], filename: str) -> None:
    check(builder, stack)
    (MAPS_DIR / filename).write_text(dumps(map_json(builder, stack), builder.width), encoding="utf-8")
    print(f"wrote {MAPS_DIR / filename} ({builder.width}×{builder.height})")


def layer_stack(arrival: str, exit_layer: str, exit_url: str) -> list[LayerSpec]:
    return [
        LayerSpec("start"),
        LayerSpec(arrival, properties=(prop("startLayer", "bool", True),)),
        LayerSpec("floor"),
        LayerSpec("walls"),
        LayerSpec("furniture"),
        # The exit is stairs in the floor: under the avatars, or it hides whoever stands below it.
        LayerSpec(exit_layer, properties=(prop("exitUrl", "string", exit_url),)),
        LayerSpec("floorLayer", "objectgroup"),
        LayerSpec("above"),
        LayerSpec("zones", "objectgroup"),
        LayerSpec("interactions", "objectgroup"),
    ]


def jitsi(room: str) -> Property:
    return prop("jitsiRoom", "string", room)


# ---------------------------------------------------------------------------------------------
# demo.tmj: the office campus. Building x 0-70, y 0-33; garden below, closed by a hedge.
# ---------------------------------------------------------------------------------------------

DEMO_WIDTH, DEMO_HEIGHT = 71, 46


def demo_shell(b: MapBuilder) -> None:
    """Outer walls, room walls, doorways and windows; default floor is wood, the garden is grass."""
    b.fill("floor", 0, 0, 70, 33, "wood")
    b.fill("floor", 0, 34, 70, 45, "grass")
    b.room(0, 0, 70, 33)
    b.wall(15, 0, 15, 13)  # library | office
    b.wall(54, 0, 54, 13)  # office | meeting rooms
    b.wall(0, 13, 54, 13)  # north rooms | corridor
    b.wall(54, 9, 70, 9)  # meeting rooms | hall
    b.wall(62, 0, 62, 9)  # blue | green
    b.wall(0, 17, 70, 17)  # corridor | south rooms
    b.wall(17, 17, 17, 33)  # kitchen | lobby
    b.wall(48, 17, 48, 33)  # lobby | lounge
    b.door(7, 13, 8, 13)  # library
    b.door(21, 13, 22, 13)  # open office, west
    b.door(33, 13, 36, 13)  # open office, centre aisle
    b.door(47, 13, 48, 13)  # open office, east
    b.door(57, 9, 59, 9)  # blue room
    b.door(65, 9, 67, 9)  # green room
    b.door(13, 17, 14, 17)  # kitchen
    b.door(28, 17, 37, 17, mat=False)  # lobby, wide open to the corridor
    b.door(51, 17, 53, 17)  # lounge
    b.door(5, 33, 6, 33)  # kitchen to the garden
    b.door(31, 33, 34, 33)  # main entrance
    b.window(*((x, 0) for x in (7, 8, 18, 21, 24, 27, 30, 39, 42, 45, 48, 51, 56, 60, 64, 68)))
    b.window(*((x, 33) for x in (2, 9, 12, 15, 20, 23, 26, 39, 42, 45, 51, 55, 59, 63, 67)))
    b.window(*((0, y) for y in (3, 7, 10, 21, 25, 29)), *((70, y) for y in (3, 6, 21, 25, 29)))


def demo_library(b: MapBuilder) -> None:
    """Shelves along the north wall and in a free-standing row, then a reading corner on a rug."""
    b.rug("rug", 3, 7, 12, 11)
    for x in (*range(2, 7), *range(9, 14)):
        b.shelf(x, 1, x)
        b.shelf(x, 5, x + 1)
    for x0 in (3, 9):
        b.stamp("furniture", x0, 8, "armchair_s floor_lamp armchair_s")
        b.put("furniture", x0 + 1, 9, "coffee_table")
        b.stamp("furniture", x0, 10, "armchair_n stool armchair_n")
    for x, y in ((1, 1), (14, 1), (1, 12), (14, 12)):
        b.put("furniture", x, y, "plant" if y == 1 else "fern")
    b.zone("Library", 1, 1, 14, 12, prop("silent", "bool", True))


def desk_island(b: MapBuilder, x: int, y: int) -> None:
    """Four tiles wide: a row of chairs, two desks back to back, another row of chairs (8 seats)."""
    b.fill("furniture", x, y, x + 3, y, "chair_s")
    b.stamp("furniture", x, y + 1, "desk_back_l desk_back_r desk_back_l desk_back_r")
    b.stamp("furniture", x, y + 2, "desk_pc_l desk_pc_r desk_pc_l desk_pc_r")
    b.fill("furniture", x, y + 3, x + 3, y + 3, "chair_n")


def demo_office(b: MapBuilder) -> None:
    b.fill("floor", 16, 1, 53, 12, "carpet_blue")
    b.fill("floor", 33, 1, 36, 12, "carpet_teal")
    for x in (17, 23, 29, 37, 43, 49):
        desk_island(b, x, 2)
        desk_island(b, x, 8)
    for x, y in ((16, 1), (53, 1), (16, 12), (53, 12), (28, 1), (41, 1)):
        b.put("furniture", x, y, "plant")
    b.stamp("furniture", 33, 1, "printer water_cooler")
    b.zone("Open Office", 16, 1, 53, 12)


def meeting_room(b: MapBuilder, name: str, x0: int, carpet: str) -> None:
    """A 7×8 room (x0 … x0+6, y 1-8): screen on the north wall, table for six in the middle."""
    b.fill("floor", x0, 1, x0 + 6, 8, carpet)
    b.stamp("furniture", x0 + 2, 0, "tv_l tv_r")
    b.stamp("furniture", x0 + 2, 4, "table_tl table_tm table_tr / table_bl table_bm table_br")
    b.fill("furniture", x0 + 2, 3, x0 + 4, 3, "chair_s")
    b.fill("furniture", x0 + 2, 6, x0 + 4, 6, "chair_n")
    b.stamp("furniture", x0 + 5, 1, "whiteboard_l whiteboard_r")
    b.put("furniture", x0, 1, "plant")
    b.put("furniture", x0, 8, "fern")
    b.put("furniture", x0 + 6, 8, "plant")
    b.zone(name, x0, 1, x0 + 6, 8, jitsi(name.lower().replace(" ", "-")))


def demo_hall(b: MapBuilder) -> None:
    """Corridor furniture and the hall in front of the meeting rooms."""
    b.stamp("furniture", 56, 10, "sofa_blue_l sofa_blue_r")
    b.stamp("furniture", 68, 10, "water_cooler plant")
    for x in (16, 26, 44):
        b.put("furniture", x, 14, "plant")
    b.put("furniture", 1, 14, "fern")


def demo_kitchen(b: MapBuilder) -> None:
    b.fill("floor", 1, 18, 16, 32, "kitchen_floor")
    b.stamp("furniture", 1, 18, "counter counter_coffee counter counter_sink counter counter fridge water_cooler")
    for x, y in ((3, 22), (8, 22), (3, 27), (8, 27)):
        b.fill("furniture", x, y - 1, x + 1, y - 1, "stool")
        b.stamp("furniture", x, y, "kitchen_table_l kitchen_table_r")
        b.fill("furniture", x, y + 1, x + 1, y + 1, "stool")
    b.rug("mat", 12, 22, 15, 26)
    b.stamp("furniture", 13, 23, "sofa_l sofa_r floor_lamp")
    b.stamp("furniture", 13, 24, "coffee_table coffee_table")
    b.stamp("furniture", 13, 25, "sofa_n_l sofa_n_r")
    for x, y in ((16, 18), (1, 32), (16, 32), (12, 18)):
        b.put("furniture", x, y, "plant" if y == 18 else "fern")
    b.zone("Kitchen", 1, 18, 16, 32)


def lounge_corner(b: MapBuilder, x: int, y: int) -> None:
    """Two sofas facing each other across two small tables, on a rug, with a lamp."""
    b.rug("mat", x - 2, y - 1, x + 3, y + 3)
    b.stamp("furniture", x, y, "sofa_l sofa_r")
    b.stamp("furniture", x, y + 1, "coffee_table coffee_table")
    b.stamp("furniture", x, y + 2, "sofa_n_l sofa_n_r")
    b.put("furniture", x - 1, y, "floor_lamp")


def demo_lobby(b: MapBuilder) -> None:
    """Reception facing the main entrance, the spawn area (the whole rug), waiting corners and two indoor trees."""
    b.fill("floor", 18, 18, 47, 32, "stone")
    b.fill("floor", 28, 17, 37, 17, "stone")
    b.stamp("furniture", 32, 20, "chair_s chair_s")
    b.stamp("furniture", 31, 21, "reception_l reception_m reception_m reception_r")
    b.rug("mat", 29, 24, 36, 29)
    b.fill("start", 29, 24, 36, 29, "start")  # the whole rug: arrivals spread out rather than stack
    lounge_corner(b, 21, 22)
    lounge_corner(b, 43, 22)
    b.tree(19, 29)
    b.tree(45, 29)
    for x, y in ((29, 21), (36, 21), (30, 32), (35, 32), (18, 18), (47, 18)):
        b.put("furniture", x, y, "plant")
    b.put("furniture", 27, 18, "water_cooler")
    b.zone("Lobby", 18, 18, 47, 32)


def demo_lounge(b: MapBuilder) -> None:
    """East room: sofas facing a wall screen, a games corner, and the stairs up to the annex in the far corner."""
    b.fill("floor", 49, 18, 69, 32, "carpet_teal")
    b.rug("mat", 55, 18, 64, 23)
    b.stamp("furniture", 59, 17, "tv_l tv_r")
    b.stamp("furniture", 57, 21, "armchair_n sofa_n_l sofa_n_r sofa_n_l sofa_n_r armchair_n")
    b.stamp("furniture", 59, 20, "coffee_table coffee_table")
    for x in (55, 64):
        b.put("furniture", x, 19, "floor_lamp")
    b.stamp("furniture", 51, 22, "pool_l pool_r")
    b.stamp("furniture", 51, 27, "pool_l pool_r")
    b.stamp("furniture", 55, 32, "arcade arcade arcade")
    b.stamp("furniture", 65, 18, "arcade arcade")
    lounge_corner(b, 61, 27)
    for x, y in ((49, 18), (69, 18), (49, 32), (58, 32), (66, 32)):
        b.put("furniture", x, y, "plant")
    b.stamp("exit-annex", 68, 32, "portal_l portal_r")
    b.fill("from-annex", 67, 31, 69, 31, "start")


def demo_garden(b: MapBuilder) -> None:
    """A path from the entrance to a fountain plaza, trees, benches and lamps; hedges all round."""
    b.fill("furniture", 0, 34, 0, 45, "hedge")
    b.fill("furniture", 70, 34, 70, 45, "hedge")
    b.fill("furniture", 1, 45, 69, 45, "hedge")
    b.fill("floor", 31, 34, 34, 37, "paving")
    b.fill("floor", 27, 38, 38, 43, "paving")
    b.fill("floor", 2, 40, 26, 41, "paving")
    b.fill("floor", 39, 40, 68, 41, "paving")
    b.fill("floor", 5, 34, 6, 39, "paving")
    b.stamp("furniture", 32, 40, "fountain_tl fountain_tr / fountain_bl fountain_br")
    b.stamp("furniture", 28, 38, "bench_l bench_r")
    b.stamp("furniture", 36, 38, "bench_l bench_r")
    for x in (27, 38):
        b.put("furniture", x, 43, "lamp_post")
    for x in (12, 20, 41, 49, 57, 64):
        b.tree(x, 34)
    for x in (3, 11, 19, 44, 52, 60, 66):
        b.tree(x, 42)
    for x in (9, 23, 44, 54, 62):
        b.stamp("furniture", x, 38, "bench_l bench_r")
    for x in (14, 29, 36, 47, 59):
        b.put("furniture", x, 44 if x in (29, 36) else 39, "flower_bed")
    for x, y in ((1, 34), (69, 34), (1, 44), (69, 44), (25, 36), (39, 36)):
        b.put("furniture", x, y, "bush")
    for x, y in ((16, 42), (24, 39), (43, 42), (57, 42), (65, 39)):
        b.put("furniture", x, y, "lamp_post")
    flowers = [(8, 36), (16, 44), (26, 35), (46, 44), (56, 36), (67, 38), (3, 38), (36, 35), (18, 37), (29, 36)]
    flowers += [(40, 38), (50, 37), (61, 36), (7, 43), (24, 43), (55, 44), (64, 43), (13, 38)]
    for x, y in flowers:
        b.put("floor", x, y, "grass_flowers")
    b.stamp("furniture", 2, 35, "kitchen_table_l kitchen_table_r")
    b.stamp("furniture", 2, 36, "stool stool")
    b.zone("Garden", 1, 34, 69, 44)


def build_demo() -> MapBuilder:
    b = MapBuilder(DEMO_WIDTH, DEMO_HEIGHT)
    demo_shell(b)
    demo_library(b)
    demo_office(b)
    meeting_room(b, "Blue Room", 55, "carpet_meeting_blue")
    meeting_room(b, "Green Room", 63, "carpet_meeting_green")
    demo_hall(b)
    demo_kitchen(b)
    demo_lobby(b)
    demo_lounge(b)
    demo_garden(b)
    b.interactions += [Zone(name, x0, y0, x1, y1, properties) for name, x0, y0, x1, y1, properties in DEMO_INTERACTIONS]
    return b


# ---------------------------------------------------------------------------------------------
# annex.tmj: a rooftop lounge. Indoors y 0-8 (lounge + booth), roof terrace below behind a railing.
# ---------------------------------------------------------------------------------------------

ANNEX_WIDTH, ANNEX_HEIGHT = 24, 17


def build_annex() -> MapBuilder:
    b = MapBuilder(ANNEX_WIDTH, ANNEX_HEIGHT)
    b.fill("floor", 0, 0, 23, 16, "deck")
    b.fill("floor", 1, 1, 22, 7, "wood")
    b.room(0, 0, 23, 8)
    b.wall(15, 0, 15, 5)
    b.wall(15, 5, 23, 5)
    b.door(20, 5, 21, 5)
    b.door(9, 8, 14, 8)
    b.window(*((x, 0) for x in (5, 8, 12)), *((x, 8) for x in (3, 6, 17, 20)), (0, 3), (0, 6))
    annex_lounge(b)
    annex_booth(b)
    annex_terrace(b)
    return b


def annex_lounge(b: MapBuilder) -> None:
    b.rug("mat", 7, 3, 12, 7)
    b.stamp("exit-demo", 1, 1, "portal_l portal_r")
    b.fill("from-demo", 1, 2, 3, 2, "start")
    b.fill("start", 2, 4, 4, 6, "start")
    b.stamp("furniture", 4, 1, "counter counter_coffee counter_sink fridge")
    b.stamp("furniture", 9, 1, "shelf_bottom shelf2_bottom shelf_bottom")
    b.stamp("above", 9, 0, "shelf_top shelf2_top shelf_top")
    b.put("furniture", 14, 1, "plant")
    b.stamp("furniture", 8, 4, "armchair_s sofa_blue_l sofa_blue_r armchair_s")
    b.stamp("furniture", 9, 5, "coffee_table coffee_table")
    b.stamp("furniture", 9, 6, "sofa_n_l sofa_n_r")
    b.put("furniture", 13, 7, "floor_lamp")
    b.put("furniture", 1, 7, "fern")
    b.put("furniture", 22, 7, "plant")
    b.zone("Lounge", 1, 1, 14, 7)


def annex_booth(b: MapBuilder) -> None:
    b.fill("floor", 16, 1, 22, 4, "carpet_meeting_green")
    b.stamp("furniture", 18, 2, "table_tl table_tm table_tr / table_bl table_bm table_br")
    b.fill("furniture", 18, 1, 20, 1, "chair_s")
    b.fill("furniture", 18, 4, 20, 4, "chair_n")
    b.put("furniture", 22, 1, "plant")
    b.put("furniture", 16, 1, "fern")
    b.zone("Rooftop Booth", 16, 1, 22, 4, jitsi("rooftop-booth"))


def annex_terrace(b: MapBuilder) -> None:
    b.fill("furniture", 0, 9, 0, 15, "fence_v")
    b.fill("furniture", 23, 9, 23, 15, "fence_v")
    b.fill("furniture", 0, 16, 23, 16, "fence_h")
    b.tree(1, 9)
    b.tree(20, 9)
    b.stamp("furniture", 3, 13, "bench_l bench_r")
    b.stamp("furniture", 18, 13, "bench_l bench_r")
    b.stamp("furniture", 9, 12, "sofa_l sofa_r sofa_l sofa_r")
    b.stamp("furniture", 10, 13, "coffee_table coffee_table")
    for x in (1, 7, 16, 22):
        b.put("furniture", x, 15, "flower_bed")
    for x in (4, 19):
        b.put("furniture", x, 15, "lamp_post")
    b.put("furniture", 7, 9, "bush")
    b.put("furniture", 16, 9, "bush")


def main() -> None:
    (MAPS_DIR / KITCHEN_SOUND).write_bytes(kitchen_sound())
    write(build_demo(), layer_stack("from-annex", "exit-annex", "annex.tmj#from-demo"), "demo.tmj")
    write(build_annex(), layer_stack("from-demo", "exit-demo", "demo.tmj#from-annex"), "annex.tmj")


if __name__ == "__main__":
    main()
