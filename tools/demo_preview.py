"""Render the demo maps to PNGs (``/tmp/demo-preview.png``, ``/tmp/annex-preview.png``) for a look at them.

Run ``python -m tools.demo_preview`` after ``python -m tools.demo_maps``. Tile layers are composited in
order, with a few avatars from ``players/sprites`` standing on the "floorLayer" object group.
"""

import json
from pathlib import Path

from PIL import Image

from tools.art.drawing import TILE
from tools.art.tileset import MAPS_DIR

SPRITES_DIR = Path(__file__).resolve().parents[1] / "players" / "sprites"

# (map, output, [(sprite slug, tile x, tile y, sheet row)]); rows: 0 down, 1 left, 2 right, 3 up.
PREVIEWS = [
    (
        "demo.tmj",
        "/tmp/demo-preview.png",
        [
            ("ada", 32, 26, 0),
            ("ben", 33, 24, 3),
            ("chen", 18, 5, 3),
            ("dara", 24, 7, 2),
            ("elif", 57, 3, 0),
            ("finn", 58, 6, 3),
            ("gita", 6, 3, 1),
            ("hugo", 4, 8, 0),
            ("ines", 10, 24, 0),
            ("jamal", 33, 39, 0),
            ("kai", 60, 20, 3),
            ("lena", 45, 15, 1),
            ("milo", 68, 31, 0),
            ("nora", 8, 38, 2),
        ],
    ),
    ("annex.tmj", "/tmp/annex-preview.png", [("kai", 2, 2, 0), ("lena", 18, 1, 0), ("ada", 11, 10, 2)]),
]


def tileset_tiles() -> list[Image.Image]:
    sheet = Image.open(MAPS_DIR / "office.png").convert("RGBA")
    return [
        sheet.crop((x, y, x + TILE, y + TILE))
        for y in range(0, sheet.height, TILE)
        for x in range(0, sheet.width, TILE)
    ]


def avatar(slug: str, row: int) -> Image.Image:
    sheet = Image.open(SPRITES_DIR / f"{slug}.png").convert("RGBA")
    return sheet.crop((0, row * TILE, TILE, (row + 1) * TILE))


def render(map_name: str, avatars: list[tuple[str, int, int, int]]) -> Image.Image:
    tmj = json.loads((MAPS_DIR / map_name).read_text(encoding="utf-8"))
    tiles = tileset_tiles()
    width = tmj["width"]
    image = Image.new("RGBA", (width * TILE, tmj["height"] * TILE), (0, 0, 0, 255))
    for layer in tmj["layers"]:
        if layer["type"] == "tilelayer":
            for index, gid in enumerate(layer["data"]):
                if gid:
                    image.alpha_composite(tiles[gid - 1], ((index % width) * TILE, (index // width) * TILE))
        elif layer["name"] == "floorLayer":
            for slug, x, y, row in avatars:
                image.alpha_composite(avatar(slug, row), (x * TILE, y * TILE - 8))
    return image


def main() -> None:
    for map_name, output, avatars in PREVIEWS:
        render(map_name, avatars).save(output)
        print(f"wrote {output}")


if __name__ == "__main__":
    main()
