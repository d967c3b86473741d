"""Draw the demo office tileset: ``world/demo/maps/office.png`` plus its Tiled 1.10 JSON tileset ``office.tsj``.

Run ``python -m tools.art.tileset``. Every tile is 32×32 px, drawn in a top-down, three-quarter view (tops
of things plus a sliver of their front face) by the modules beside this one, one per part of the office:
``floors``, ``walls``, ``garden``, ``furniture``, ``kitchen`` (``drawing`` has what they share). Multi-tile
objects (desks, tables, trees…) are drawn whole and cut into named pieces; ``LAYOUT`` places the pieces in
the 8-column sheet and ``tile_ids()`` gives the map builder the local id of every piece by name.
"""

import json
from pathlib import Path

from PIL import Image

# Importing the drawings registers them in ARTWORK: nothing else of theirs is used here.
from tools.art import floors, furniture, garden, kitchen, walls  # noqa: F401
from tools.art.drawing import ARTWORK, TILE, require
from tools.art.walls import wall_name

COLUMNS = 8
MAPS_DIR = Path(__file__).resolve().parents[2] / "world" / "demo" / "maps"

LAYOUT = [
    "start wood carpet_blue carpet_teal carpet_sand carpet_meeting_blue carpet_meeting_green kitchen_floor",
    "grass grass_flowers paving doorway stone deck - -",
    " ".join(wall_name("top", bool(c & 4), bool(c & 2), bool(c & 1)) for c in range(8)),
    " ".join(wall_name("face", bool(c & 4), bool(c & 2), bool(c & 1)) for c in range(8)),
    "window_face window_top portal_l portal_r hedge fence_h fence_v flower_bed",
    "rug_tl rug_t rug_tr mat_tl mat_t mat_tr - -",
    "rug_l rug_c rug_r mat_l mat_c mat_r - -",
    "rug_bl rug_b rug_br mat_bl mat_b mat_br - -",
    "desk_l desk_r desk_pc_l desk_pc_r desk_back_l desk_back_r chair_n chair_s",
    "table_tl table_tm table_tr whiteboard_l whiteboard_r shelf_top shelf2_top plant",
    "table_bl table_bm table_br tv_l tv_r shelf_bottom shelf2_bottom fern",
    "sofa_l sofa_r sofa_n_l sofa_n_r sofa_blue_l sofa_blue_r armchair_s armchair_n",
    "counter counter_coffee counter_sink fridge kitchen_table_l kitchen_table_r stool water_cooler",
    "reception_l reception_m reception_r coffee_table printer floor_lamp pool_l pool_r",
    "tree_tl tree_tr fountain_tl fountain_tr bench_l bench_r arcade bush",
    "tree_bl tree_br fountain_bl fountain_br lamp_post - - -",
]

EMPTY = "-"


COLLIDES = frozenset(name for art in ARTWORK for name in art.solid)


def render_pieces() -> dict[str, Image.Image]:
    """Draw every artwork and cut it into its named 32×32 pieces."""
    pieces: dict[str, Image.Image] = {}
    for art in ARTWORK:
        canvas = Image.new("RGBA", (len(art.grid[0]) * TILE, len(art.grid) * TILE), (0, 0, 0, 0))
        art.draw(canvas)
        for row, names in enumerate(art.grid):
            for column, name in enumerate(names):
                box = (column * TILE, row * TILE, (column + 1) * TILE, (row + 1) * TILE)
                pieces[name] = canvas.crop(box)
    return pieces


def layout_names() -> list[str]:
    names = [name for row in LAYOUT for name in row.split()]
    require(all(len(row.split()) == COLUMNS for row in LAYOUT), "every layout row must have 8 tiles")
    placed = [name for name in names if name != EMPTY]
    require(len(placed) == len(set(placed)), "a piece is placed twice")
    return names


def tile_ids() -> dict[str, int]:
    """Local tile id (0-based) of every named piece."""
    return {name: index for index, name in enumerate(layout_names()) if name != EMPTY}


def draw_sheet() -> Image.Image:
    names = layout_names()
    pieces = render_pieces()
    missing = {name for name in names if name != EMPTY} - set(pieces)
    require(not missing, f"no drawing for {sorted(missing)}")
    unplaced = set(pieces) - set(names)
    require(not unplaced, f"drawn but not placed: {sorted(unplaced)}")
    sheet = Image.new("RGBA", (COLUMNS * TILE, len(LAYOUT) * TILE), (0, 0, 0, 0))
    for index, name in enumerate(names):
        if name != EMPTY:
            sheet.paste(pieces[name], ((index % COLUMNS) * TILE, (index // COLUMNS) * TILE))
    return sheet


def tileset_json(sheet: Image.Image) -> dict[str, object]:
    ids = tile_ids()
    return {
        "type": "tileset",
        "version": "1.10",
        "tiledversion": "1.10.2",
        "name": "office",
        "tilewidth": TILE,
        "tileheight": TILE,
        "tilecount": len(LAYOUT) * COLUMNS,
        "columns": COLUMNS,
        "image": "office.png",
        "imagewidth": sheet.width,
        "imageheight": sheet.height,
        "margin": 0,
        "spacing": 0,
        "tiles": [
            {"id": ids[name], "properties": [{"name": "collides", "type": "bool", "value": True}]}
            for name in sorted(COLLIDES, key=ids.__getitem__)
        ],
    }


def main() -> None:
    MAPS_DIR.mkdir(parents=True, exist_ok=True)
    sheet = draw_sheet()
    sheet.save(MAPS_DIR / "office.png", optimize=True)
    tileset = tileset_json(sheet)
    (MAPS_DIR / "office.tsj").write_text(json.dumps(tileset, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {tileset['tilecount']} tiles to {MAPS_DIR / 'office.png'}")


if __name__ == "__main__":
    main()
