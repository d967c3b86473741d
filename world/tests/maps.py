"""Small Tiled maps written from code, for tests."""

import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

FLOOR, WALL = 1, 2  # gids: tile 0 of the tileset is floor, tile 1 a colliding wall
TILE = 32


def tileset_png() -> bytes:
    image = Image.new("RGBA", (TILE * 2, TILE), (200, 190, 170, 255))
    image.paste((90, 80, 80, 255), (TILE, 0, TILE * 2, TILE))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def tileset(**overrides: Any) -> dict[str, Any]:
    data = {
        "firstgid": 1, "name": "test", "tilewidth": TILE, "tileheight": TILE, "tilecount": 2, "columns": 2,
        "image": "tiles.png", "imagewidth": TILE * 2, "imageheight": TILE, "margin": 0, "spacing": 0,
        "tiles": [{"id": 1, "properties": [{"name": "collides", "type": "bool", "value": True}]}],
    }  # fmt: skip
    data.update(overrides)
    return data


def tile_layer(name: str, width: int, height: int, tiles: dict[tuple[int, int], int] | None = None,
               fill: int = 0, properties: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # fmt: skip
    data = [fill] * (width * height)
    for (x, y), gid in (tiles or {}).items():
        data[y * width + x] = gid
    layer: dict[str, Any] = {
        "type": "tilelayer", "name": name, "width": width, "height": height, "data": data,
        "visible": True, "opacity": 1, "x": 0, "y": 0,
    }  # fmt: skip
    if properties:
        layer["properties"] = properties
    return layer


def area(name: str, x: int, y: int, width: int, height: int, **properties: Any) -> dict[str, Any]:
    """A rectangle area object, given in tiles."""
    kinds = {bool: "bool", str: "string", int: "int", float: "float"}
    return {
        "type": "area", "name": name, "x": x * TILE, "y": y * TILE, "width": width * TILE, "height": height * TILE,
        "properties": [{"name": key, "type": kinds[type(value)], "value": value} for key, value in properties.items()],
    }  # fmt: skip


def room_map(width: int = 20, height: int = 12) -> dict[str, Any]:
    """A walled room: an inner wall at x=10 (open at y 8–10), a meeting room, a silent corner,
    a named hall, a start area at (2–3, 2), an entry 'arrive' at (17, 10), an exit at (18, 1)."""
    walls = {(x, y): WALL for x in range(width) for y in range(height) if x in (0, width - 1) or y in (0, height - 1)}
    walls.update({(10, y): WALL for y in range(1, 8)})
    return {
        "type": "map", "orientation": "orthogonal", "renderorder": "right-down", "infinite": False,
        "width": width, "height": height, "tilewidth": TILE, "tileheight": TILE, "version": "1.10",
        "tilesets": [tileset()],
        "layers": [
            tile_layer("start", width, height, {(2, 2): FLOOR, (3, 2): FLOOR}),
            tile_layer("arrive", width, height, {(17, 10): FLOOR},
                       properties=[{"name": "startLayer", "type": "bool", "value": True}]),
            tile_layer("floor", width, height, fill=FLOOR),
            tile_layer("walls", width, height, walls),
            {"type": "objectgroup", "name": "floorLayer", "objects": [], "visible": True, "opacity": 1, "x": 0, "y": 0},
            tile_layer("exit", width, height, {(18, 1): FLOOR},
                       properties=[{"name": "exitUrl", "type": "string", "value": "other.tmj#arrive"}]),
            {"type": "objectgroup", "name": "zones", "visible": True, "opacity": 1, "x": 0, "y": 0, "objects": [
                area("Room", 12, 2, 6, 4, jitsiRoom="room"),
                area("Quiet", 2, 7, 4, 4, silent=True),
                area("Hall", 1, 1, 9, 5),
            ]},
        ],
    }  # fmt: skip


def open_map(width: int = 60, height: int = 20) -> dict[str, Any]:
    """Nothing but floor: for interest management and contacts."""
    return {
        "type": "map", "orientation": "orthogonal", "infinite": False, "width": width, "height": height,
        "tilewidth": TILE, "tileheight": TILE, "tilesets": [tileset()],
        "layers": [tile_layer("floor", width, height, fill=FLOOR),
                   tile_layer("start", width, height, {(1, 1): FLOOR})],
    }  # fmt: skip


def write_map(directory: Path, tiled: dict[str, Any], name: str = "map.tmj", *, image: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if image:
        (directory / "tiles.png").write_bytes(tileset_png())
    path = directory / name
    path.write_text(json.dumps(tiled))
    return path


def interactive_map(**board: Any) -> dict[str, Any]:
    """room_map with interactive areas (world/areas.py): a notice board opening a website on
    action (3–5, 8–9; `board` overrides its properties), a kitchen with a looping sound inside the
    hall (6–8, 2–3), a focusable stage speaker area (12–13, 7–8) and its audience (14–17, 7–9),
    and a website opened on entering (2–3, 4)."""
    tiled = room_map()
    properties = {"openWebsite": "/about/", "openWebsiteTrigger": "onaction", **board}
    tiled["layers"].append(
        {"type": "objectgroup", "name": "interactions", "visible": True, "opacity": 1, "x": 0, "y": 0, "objects": [
            area("Notice board", 3, 8, 3, 2, **properties),
            area("Kitchen", 6, 2, 3, 2, playAudio="https://sounds.example.org/kitchen.ogg", audioLoop=True,
                 audioVolume=0.4),
            area("Stage", 12, 7, 2, 2, speakerMegaphone="garden", focusable=True, zoom_margin=1.0),
            area("Audience", 14, 7, 4, 3, listenerMegaphone="garden"),
            area("Welcome", 2, 4, 2, 1, openWebsite="https://example.org/welcome", openWebsiteWidth=40,
                 openWebsitePolicy="fullscreen", openWebsiteClosable=True, openWebsiteAllowApi=True),
        ]},
    )  # fmt: skip
    return tiled
