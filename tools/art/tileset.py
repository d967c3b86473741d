"""Draw the demo office tileset: ``world/demo/maps/office.png`` plus its Tiled 1.10 JSON tileset ``office.tsj``.

Run ``python -m tools.art.tileset``. Every tile is 32×32 px, drawn by the functions below in a top-down,
three-quarter view (tops of things plus a sliver of their front face). Multi-tile objects (desks, tables,
trees…) are drawn whole and cut into named pieces; ``LAYOUT`` places the pieces in the 8-column sheet and
``tile_ids()`` gives the map builder the local id of every piece by name.
"""

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

TILE = 32
COLUMNS = 8
MAPS_DIR = Path(__file__).resolve().parents[2] / "world" / "demo" / "maps"

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]
Drawer = Callable[[Image.Image], None]

OUTLINE = (52, 40, 48)
SHADOW = (24, 18, 28)


@dataclass(frozen=True)
class Artwork:
    """One drawing, cut into named pieces (rows of names); ``solid`` pieces block walking."""

    grid: list[list[str]]
    draw: Drawer
    solid: frozenset[str]


ARTWORK: list[Artwork] = []


def artwork(spec: str, solid: bool | str = False) -> Callable[[Drawer], Drawer]:
    """Register a drawing; ``spec`` names its pieces row by row, rows separated by "/".

    ``solid`` is True when every piece collides, or the space-separated names of the pieces that do.
    """
    grid = [row.split() for row in spec.split("/")]

    def register(draw: Drawer) -> Drawer:
        names = [name for row in grid for name in row]
        blocking = names if solid is True else solid.split() if solid else []
        ARTWORK.append(Artwork(grid, draw, frozenset(blocking)))
        return draw

    return register


def require(condition: bool, message: str) -> None:
    """Fail the build (also under ``python -O``) when an invariant does not hold."""
    if not condition:
        raise ValueError(message)


# ---------------------------------------------------------------------------------------------
# Drawing helpers.
# ---------------------------------------------------------------------------------------------


def shade(color: RGB, factor: float) -> RGB:
    """Darken (factor < 1) or lighten towards white (factor > 1)."""
    if factor <= 1:
        return (round(color[0] * factor), round(color[1] * factor), round(color[2] * factor))
    t = factor - 1
    return (
        round(color[0] + (255 - color[0]) * t),
        round(color[1] + (255 - color[1]) * t),
        round(color[2] + (255 - color[2]) * t),
    )


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def jitter(color: RGB, rng: random.Random, spread: int) -> RGB:
    delta = rng.randint(-spread, spread)
    return (
        max(0, min(255, color[0] + delta)),
        max(0, min(255, color[1] + delta)),
        max(0, min(255, color[2] + delta)),
    )


def put(img: Image.Image, x: int, y: int, color: RGB | tuple[int, int, int, int]) -> None:
    """Set a pixel, wrapping around the image edges so textures tile seamlessly."""
    img.putpixel((x % img.width, y % img.height), color if len(color) == 4 else (*color, 255))


def fill(img: Image.Image, color: RGB) -> None:
    ImageDraw.Draw(img).rectangle((0, 0, img.width - 1, img.height - 1), fill=color)


def speckle(img: Image.Image, rng: random.Random, colors: list[RGB], count: int) -> None:
    for _ in range(count):
        put(img, rng.randrange(img.width), rng.randrange(img.height), rng.choice(colors))


def streak(img: Image.Image, x: int, y: int, length: int, color: RGB) -> None:
    for i in range(length):
        put(img, x + i, y, color)


def soft_shadow(img: Image.Image, box: Box, alpha: int = 70) -> None:
    """A translucent ellipse on the ground under an object."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).ellipse(box, fill=(*SHADOW, alpha))
    img.alpha_composite(layer)


def block(draw: ImageDraw.ImageDraw, box: Box, depth: int, top: RGB, front: RGB, radius: int = 2) -> None:
    """A solid seen from above and a little from the front: outlined top face over a darker front face."""
    x0, y0, x1, y1 = box
    draw.rounded_rectangle(box, radius=radius, fill=front, outline=OUTLINE)
    draw.rounded_rectangle((x0, y0, x1, y1 - depth), radius=radius, fill=top, outline=OUTLINE)
    draw.line((x0 + radius, y0 + 1, x1 - radius, y0 + 1), fill=shade(top, 1.25))
    draw.line((x0 + 1, y1 - depth + 1, x1 - 1, y1 - depth + 1), fill=shade(front, 1.15))


def disc(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, color: RGB, outline: RGB | None = None) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=color, outline=outline)


# ---------------------------------------------------------------------------------------------
# Floors and ground.
# ---------------------------------------------------------------------------------------------


@artwork("start")
def start_marker(img: Image.Image) -> None:
    fill(img, (255, 0, 255))


WOOD = (198, 148, 100)


def planks(img: Image.Image, seed: str, base: RGB, height: int, joints: list[int]) -> None:
    """Horizontal floor boards ``height`` px tall with grain, seams and staggered end joints."""
    rng = random.Random(seed)
    draw = ImageDraw.Draw(img)
    for row in range(img.height // height):
        y0 = row * height
        board = jitter(base, rng, 6)
        draw.rectangle((0, y0, img.width - 1, y0 + height - 1), fill=board)
        for _ in range(10):
            grain = shade(board, rng.choice((0.9, 0.93, 1.06)))
            streak(img, rng.randrange(img.width), y0 + rng.randrange(1, height - 1), rng.randrange(3, 10), grain)
        draw.line((0, y0, img.width - 1, y0), fill=shade(board, 1.12))
        draw.line((0, y0 + height - 1, img.width - 1, y0 + height - 1), fill=shade(base, 0.66))
        joint = joints[row % len(joints)]
        draw.line((joint, y0, joint, y0 + height - 2), fill=shade(base, 0.66))
        put(img, joint + 1, y0 + 1, shade(board, 1.12))


@artwork("wood")
def wood_floor(img: Image.Image) -> None:
    planks(img, "wood", WOOD, 8, [5, 21, 12, 28])


@artwork("deck")
def deck_floor(img: Image.Image) -> None:
    """Roof-terrace decking: weathered boards running north-south, with screw heads."""
    boards = Image.new("RGBA", img.size)
    planks(boards, "deck", (184, 160, 128), 8, [9, 25, 17, 2])
    img.paste(boards.transpose(Image.Transpose.ROTATE_90))
    for x in (3, 11, 19, 27):
        for y in (6, 22):
            put(img, x, y, (128, 112, 96))


def carpet(img: Image.Image, seed: str, base: RGB) -> None:
    """Short-pile office carpet: fine noise plus a faint 8-px dotted grid."""
    rng = random.Random(seed)
    fill(img, base)
    speckle(img, rng, [shade(base, 0.9), shade(base, 0.94), shade(base, 1.06)], 340)
    for x in range(4, 32, 8):
        for y in range(4, 32, 8):
            put(img, x, y, shade(base, 0.86))
            put(img, x + 1, y, shade(base, 1.08))


@artwork("carpet_blue")
def carpet_blue(img: Image.Image) -> None:
    carpet(img, "carpet_blue", (118, 138, 172))


@artwork("carpet_teal")
def carpet_teal(img: Image.Image) -> None:
    carpet(img, "carpet_teal", (98, 160, 158))


@artwork("carpet_sand")
def carpet_sand(img: Image.Image) -> None:
    carpet(img, "carpet_sand", (212, 192, 156))


def diamonds(img: Image.Image, seed: str, base: RGB, line: RGB, dot: RGB) -> None:
    """Patterned meeting-room carpet: a 16-px diamond lattice with a dot in every diamond."""
    carpet(img, seed, base)
    for x in range(32):
        for y in range(32):
            if (x + y) % 16 == 0 or (x - y) % 16 == 0:
                put(img, x, y, line)
            elif (x % 16, y % 16) in ((8, 0), (0, 8)):
                put(img, x, y, dot)


@artwork("carpet_meeting_blue")
def carpet_meeting_blue(img: Image.Image) -> None:
    diamonds(img, "meeting_blue", (72, 98, 152), (92, 122, 178), (196, 210, 236))


@artwork("carpet_meeting_green")
def carpet_meeting_green(img: Image.Image) -> None:
    diamonds(img, "meeting_green", (84, 132, 102), (104, 154, 120), (220, 232, 200))


@artwork("kitchen_floor")
def kitchen_floor(img: Image.Image) -> None:
    rng = random.Random("kitchen")
    draw = ImageDraw.Draw(img)
    for ty in range(2):
        for tx in range(2):
            color = (238, 232, 214) if (tx + ty) % 2 == 0 else (172, 198, 206)
            x0, y0 = tx * 16, ty * 16
            draw.rectangle((x0, y0, x0 + 15, y0 + 15), fill=color)
            draw.line((x0 + 1, y0 + 1, x0 + 14, y0 + 1), fill=shade(color, 1.3))
            draw.line((x0 + 1, y0 + 1, x0 + 1, y0 + 14), fill=shade(color, 1.2))
            draw.line((x0 + 1, y0 + 14, x0 + 14, y0 + 14), fill=shade(color, 0.93))
            speckle_box(img, rng, (x0 + 2, y0 + 2, x0 + 13, y0 + 13), shade(color, 0.96), 8)
            draw.line((x0, y0 + 15, x0 + 15, y0 + 15), fill=(150, 150, 146))
            draw.line((x0 + 15, y0, x0 + 15, y0 + 15), fill=(150, 150, 146))


def speckle_box(img: Image.Image, rng: random.Random, box: Box, color: RGB, count: int) -> None:
    x0, y0, x1, y1 = box
    for _ in range(count):
        put(img, rng.randint(x0, x1), rng.randint(y0, y1), color)


RUG_STYLES: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    # style: base, pattern, border band, inner trim
    "rug": ((146, 60, 64), (220, 176, 96), (70, 92, 84), (226, 196, 128)),
    "mat": ((64, 110, 140), (150, 200, 214), (236, 222, 190), (214, 150, 80)),
}
RUG_PIECES = {"tl": "nw", "t": "n", "tr": "ne", "l": "w", "c": "", "r": "e", "bl": "sw", "b": "s", "br": "se"}
RUG_BAND = 6


def rug_pattern(img: Image.Image, seed: str, base: RGB, pattern: RGB) -> None:
    """The field of a rug: woven noise with a 16-px lattice of small diamonds."""
    rng = random.Random(seed)
    fill(img, base)
    speckle(img, rng, [shade(base, 0.92), shade(base, 1.06)], 220)
    draw = ImageDraw.Draw(img)
    for cx, cy in ((8, 8), (24, 24), (8, 24), (24, 8)):
        if (cx + cy) % 32 == 16:
            draw.polygon(((cx, cy - 5), (cx + 5, cy), (cx, cy + 5), (cx - 5, cy)), fill=shade(base, 0.78))
            draw.polygon(((cx, cy - 3), (cx + 3, cy), (cx, cy + 3), (cx - 3, cy)), fill=pattern)
            put(img, cx, cy, shade(base, 0.78))
        else:
            for dx, dy in ((0, -1), (1, 0), (0, 1), (-1, 0)):
                put(img, cx + dx, cy + dy, shade(base, 1.12))


def rug_piece(img: Image.Image, style: str, sides: str) -> None:
    """One piece of a 9-slice rug; ``sides`` lists its outer edges ("n", "s", "w", "e")."""
    base, pattern, band, trim = RUG_STYLES[style]
    rug_pattern(img, style, base, pattern)
    draw = ImageDraw.Draw(img)
    inner = RUG_BAND - 1
    lo = {"x": inner if "w" in sides else 0, "y": inner if "n" in sides else 0}
    hi = {"x": 31 - inner if "e" in sides else 31, "y": 31 - inner if "s" in sides else 31}
    edges = {"n": (0, 0, 31, inner), "s": (0, 31 - inner, 31, 31), "w": (0, 0, inner, 31), "e": (31 - inner, 0, 31, 31)}
    for side in sides:
        draw.rectangle(edges[side], fill=band)
    for side in sides:
        x0, y0, x1, y1 = edges[side]
        if side in "ns":
            edge_y, trim_y = (y0, y1) if side == "n" else (y1, y0)
            draw.line((0, edge_y, 31, edge_y), fill=shade(band, 0.55))
            draw.line((lo["x"], trim_y, hi["x"], trim_y), fill=trim)
            for x in range(2, 32, 4):
                put(img, x, (y0 + y1) // 2, shade(band, 0.8))
        else:
            edge_x, trim_x = (x0, x1) if side == "w" else (x1, x0)
            draw.line((edge_x, 0, edge_x, 31), fill=shade(band, 0.55))
            draw.line((trim_x, lo["y"], trim_x, hi["y"]), fill=trim)
            for y in range(2, 32, 4):
                put(img, (x0 + x1) // 2, y, shade(band, 0.8))


def rug_drawer(style: str, sides: str) -> Drawer:
    def draw(img: Image.Image) -> None:
        rug_piece(img, style, sides)

    return draw


def register_rugs() -> None:
    for style in RUG_STYLES:
        for piece, sides in RUG_PIECES.items():
            name = f"{style}_{piece}"
            artwork(name)(rug_drawer(style, sides))


register_rugs()


GRASS = (122, 182, 88)


@artwork("grass")
def grass(img: Image.Image) -> None:
    grass_texture(img, "grass")


def grass_texture(img: Image.Image, seed: str) -> None:
    rng = random.Random(seed)
    fill(img, GRASS)
    speckle(img, rng, [shade(GRASS, 0.94), shade(GRASS, 1.05)], 260)
    for _ in range(34):
        x, y = rng.randrange(32), rng.randrange(32)
        put(img, x, y, shade(GRASS, 0.78))
        put(img, x, y + 1, shade(GRASS, 0.86))
        put(img, x + 1, y - 1, shade(GRASS, 1.14))


@artwork("grass_flowers")
def grass_flowers(img: Image.Image) -> None:
    grass_texture(img, "grass_flowers")
    for (x, y), petal in zip(
        ((6, 7), (22, 5), (14, 18), (27, 23), (5, 26)),
        ((255, 255, 255), (250, 214, 80), (240, 140, 170), (255, 255, 255), (180, 160, 240)),
        strict=True,
    ):
        for dx, dy in ((0, -1), (1, 0), (0, 1), (-1, 0)):
            put(img, x + dx, y + dy, petal)
        put(img, x, y, (240, 180, 60))
        put(img, x, y + 2, shade(GRASS, 0.7))


@artwork("paving")
def paving(img: Image.Image) -> None:
    rng = random.Random("paving")
    draw = ImageDraw.Draw(img)
    mortar = (150, 142, 128)
    fill(img, mortar)
    slabs = [(0, 0, 15, 11), (16, 0, 31, 11), (-8, 12, 7, 21), (8, 12, 23, 21), (24, 12, 39, 21)]
    slabs += [(0, 22, 11, 31), (12, 22, 27, 31), (28, 22, 43, 31)]
    for x0, y0, x1, y1 in slabs:
        color = jitter((204, 196, 178), rng, 10)
        for dx in (0, -32, 32):
            draw.rectangle((x0 + dx, y0, x1 + dx - 1, y1 - 1), fill=color)
            draw.line((x0 + dx, y0, x1 + dx - 1, y0), fill=shade(color, 1.15))
            draw.line((x0 + dx, y1 - 1, x1 + dx - 1, y1 - 1), fill=shade(color, 0.88))
        speckle_box(img, rng, (max(x0, 0), y0 + 1, min(x1, 31) - 2, y1 - 2), shade(color, 0.94), 6)


@artwork("doorway")
def doorway(img: Image.Image) -> None:
    """A threshold: a dark ribbed mat framed by brass strips."""
    draw = ImageDraw.Draw(img)
    fill(img, (88, 84, 92))
    for y in range(4, 28, 3):
        draw.line((2, y, 29, y), fill=(72, 68, 78))
        draw.line((2, y + 1, 29, y + 1), fill=(100, 96, 104))
    draw.rectangle((0, 0, 31, 2), fill=(196, 164, 96))
    draw.line((0, 2, 31, 2), fill=(150, 120, 70))
    draw.rectangle((0, 29, 31, 31), fill=(196, 164, 96))
    draw.line((0, 29, 31, 29), fill=(226, 200, 140))


@artwork("stone")
def stone_floor(img: Image.Image) -> None:
    rng = random.Random("stone")
    draw = ImageDraw.Draw(img)
    for tx in range(2):
        for ty in range(2):
            x0, y0 = tx * 16, ty * 16
            color = jitter((228, 222, 210), rng, 4)
            draw.rectangle((x0, y0, x0 + 15, y0 + 15), fill=color)
            draw.line((x0, y0, x0 + 15, y0), fill=shade(color, 1.3))
            draw.line((x0, y0, x0, y0 + 15), fill=shade(color, 1.2))
            draw.line((x0, y0 + 15, x0 + 15, y0 + 15), fill=shade(color, 0.86))
            draw.line((x0 + 15, y0, x0 + 15, y0 + 15), fill=shade(color, 0.86))
            if (tx + ty) % 2:
                vein_x, vein_y = rng.randrange(3, 10), rng.randrange(3, 8)
                for i in range(rng.randrange(5, 9)):
                    put(img, x0 + vein_x + i, y0 + vein_y + (i * i) // 12, shade(color, 0.95))


@artwork("portal_l portal_r")
def portal(img: Image.Image) -> None:
    """Glowing stairs leading up (or down) to the other world."""
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 63, 31), fill=(40, 34, 58))
    for i, y in enumerate(range(26, 2, -5)):
        color = mix((130, 120, 170), (70, 62, 104), i / 5)
        draw.rectangle((4, y - 4, 59, y), fill=color)
        draw.line((4, y - 4, 59, y - 4), fill=shade(color, 1.3))
        draw.line((4, y, 59, y), fill=shade(color, 0.7))
    glow = Image.new("RGBA", img.size, (0, 0, 0, 0))
    glow_draw = ImageDraw.Draw(glow)
    for inset, alpha in ((0, 60), (1, 90), (2, 140)):
        glow_draw.rectangle((inset, inset, 63 - inset, 31 - inset), outline=(120, 236, 255, alpha))
    img.alpha_composite(glow)
    draw.rectangle((0, 0, 3, 31), fill=(150, 140, 190))
    draw.rectangle((60, 0, 63, 31), fill=(150, 140, 190))
    draw.line((3, 0, 3, 31), fill=OUTLINE)
    draw.line((60, 0, 60, 31), fill=OUTLINE)
    for cy in (9, 18):
        draw.line((25, cy + 6, 32, cy), fill=(170, 250, 255), width=2)
        draw.line((32, cy, 39, cy + 6), fill=(170, 250, 255), width=2)
    for x, y in ((10, 6), (52, 12), (14, 22), (47, 25), (56, 4)):
        put(img, x, y, (255, 255, 255))
        put(img, x + 1, y, (150, 240, 255))
        put(img, x - 1, y, (150, 240, 255))
        put(img, x, y + 1, (150, 240, 255))
        put(img, x, y - 1, (150, 240, 255))


# ---------------------------------------------------------------------------------------------
# Walls. Cells of a wall are drawn either as "top" (another wall cell lies to the south, so only the
# cap is seen) or "face" (cap strip over the front face). Open sides get an outlined rim.
# ---------------------------------------------------------------------------------------------

CAP = (104, 94, 120)
CAP_RIM = (146, 134, 166)
CAP_EDGE = (60, 50, 70)
PAPER = (234, 224, 206)
BASEBOARD = (156, 116, 86)
CAP_HEIGHT = 10


def wall_name(kind: str, north: bool, west: bool, east: bool) -> str:
    """Piece name of a wall cell; ``north/west/east`` are True where that neighbour is not a wall."""
    return f"wall_{kind}_{int(north)}{int(west)}{int(east)}"


def draw_cap(img: Image.Image, bottom: int, north: bool, west: bool, east: bool) -> None:
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 31, bottom), fill=CAP)
    for x in range(0, 32, 4):
        for y in range(2, bottom + 1, 4):
            put(img, x + (y // 4) % 2 * 2, y, shade(CAP, 0.94))
    if north:
        draw.line((0, 0, 31, 0), fill=CAP_EDGE)
        draw.line((0, 1, 31, 1), fill=CAP_RIM)
    if west:
        draw.line((0, 0, 0, bottom), fill=CAP_EDGE)
        draw.line((1, 1 if north else 0, 1, bottom), fill=CAP_RIM)
    if east:
        draw.line((31, 0, 31, bottom), fill=CAP_EDGE)
        draw.line((30, 1 if north else 0, 30, bottom), fill=shade(CAP, 0.85))


def draw_face(img: Image.Image, west: bool, east: bool) -> None:
    draw = ImageDraw.Draw(img)
    top = CAP_HEIGHT
    draw.line((0, top, 31, top), fill=CAP_RIM)
    draw.line((0, top + 1, 31, top + 1), fill=CAP_EDGE)
    draw.rectangle((0, top + 2, 31, 31), fill=PAPER)
    for x in range(2, 32, 6):
        draw.line((x, top + 4, x, 26), fill=shade(PAPER, 0.97))
    draw.line((0, top + 2, 31, top + 2), fill=shade(PAPER, 0.8))
    draw.line((0, top + 3, 31, top + 3), fill=shade(PAPER, 0.9))
    draw.rectangle((0, 27, 31, 31), fill=BASEBOARD)
    draw.line((0, 27, 31, 27), fill=shade(BASEBOARD, 1.25))
    draw.line((0, 31, 31, 31), fill=shade(BASEBOARD, 0.6))
    if west:
        draw.line((0, 0, 0, 31), fill=CAP_EDGE)
        draw.line((1, top + 2, 1, 26), fill=shade(PAPER, 1.3))
    if east:
        draw.line((31, 0, 31, 31), fill=CAP_EDGE)
        draw.line((30, top + 2, 30, 26), fill=shade(PAPER, 0.86))


def wall_drawer(kind: str, north: bool, west: bool, east: bool) -> Drawer:
    def draw(img: Image.Image) -> None:
        draw_cap(img, 31 if kind == "top" else CAP_HEIGHT - 1, north, west, east)
        if kind == "face":
            draw_face(img, west, east)

    return draw


def register_walls() -> None:
    for kind in ("top", "face"):
        for code in range(8):
            north, west, east = bool(code & 4), bool(code & 2), bool(code & 1)
            name = wall_name(kind, north, west, east)
            artwork(name, solid=True)(wall_drawer(kind, north, west, east))


register_walls()


@artwork("window_face", solid=True)
def window_face(img: Image.Image) -> None:
    wall_drawer("face", True, False, False)(img)
    draw = ImageDraw.Draw(img)
    frame = (248, 244, 236)
    draw.rectangle((5, 12, 26, 25), fill=frame, outline=OUTLINE)
    draw.rectangle((7, 14, 24, 23), fill=(150, 204, 232))
    draw.rectangle((7, 14, 24, 17), fill=(176, 220, 242))
    draw.line((9, 22, 15, 15), fill=(230, 246, 255))
    draw.line((19, 22, 22, 18), fill=(230, 246, 255))
    draw.line((16, 14, 16, 23), fill=frame)
    draw.rectangle((4, 25, 27, 26), fill=(226, 220, 210), outline=OUTLINE)


@artwork("window_top", solid=True)
def window_top(img: Image.Image) -> None:
    wall_drawer("top", False, True, True)(img)
    draw = ImageDraw.Draw(img)
    draw.rectangle((11, 0, 20, 31), fill=(248, 244, 236))
    draw.rectangle((13, 0, 18, 31), fill=(150, 204, 232))
    draw.line((14, 0, 14, 31), fill=(200, 232, 248))
    draw.line((13, 15, 18, 15), fill=(248, 244, 236))
    draw.line((10, 0, 10, 31), fill=CAP_EDGE)
    draw.line((21, 0, 21, 31), fill=CAP_EDGE)


# ---------------------------------------------------------------------------------------------
# Garden edges.
# ---------------------------------------------------------------------------------------------

LEAF = (66, 138, 72)


def leaf_clusters(img: Image.Image, rng: random.Random, box: Box, base: RGB, count: int) -> None:
    """Clumps of leaves: dark undersides, mid body and a light top-left highlight."""
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    for _ in range(count):
        cx, cy, r = rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(2.5, 4.5)
        disc(draw, cx, cy + 1, r, shade(base, 0.78))
        disc(draw, cx, cy, r - 0.5, base)
        disc(draw, cx - 1, cy - 1, r / 2.5, shade(base, 1.18))


@artwork("hedge", solid=True)
def hedge(img: Image.Image) -> None:
    rng = random.Random("hedge")
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 1, 31, 31), radius=3, fill=shade(LEAF, 0.7))
    draw.rounded_rectangle((0, 0, 31, 27), radius=3, fill=LEAF)
    leaf_clusters(img, rng, (3, 3, 29, 24), LEAF, 22)
    draw.line((0, 28, 31, 28), fill=shade(LEAF, 0.55))


FENCE = (182, 132, 88)


def fence_post(draw: ImageDraw.ImageDraw, x: int) -> None:
    draw.rectangle((x - 3, 4, x + 3, 28), fill=FENCE, outline=OUTLINE)
    draw.rectangle((x - 3, 4, x + 3, 7), fill=shade(FENCE, 1.2), outline=OUTLINE)
    draw.line((x + 2, 8, x + 2, 27), fill=shade(FENCE, 0.8))


@artwork("fence_h", solid=True)
def fence_h(img: Image.Image) -> None:
    soft_shadow(img, (0, 24, 31, 31), 50)
    draw = ImageDraw.Draw(img)
    for y in (9, 18):
        draw.rectangle((0, y, 31, y + 3), fill=FENCE, outline=OUTLINE)
        draw.line((0, y + 1, 31, y + 1), fill=shade(FENCE, 1.2))
    fence_post(draw, 16)


@artwork("fence_v", solid=True)
def fence_v(img: Image.Image) -> None:
    draw = ImageDraw.Draw(img)
    soft_shadow(img, (10, 0, 24, 31), 50)
    draw.rectangle((12, 0, 19, 31), fill=FENCE, outline=OUTLINE)
    draw.line((13, 0, 13, 31), fill=shade(FENCE, 1.2))
    draw.line((18, 0, 18, 31), fill=shade(FENCE, 0.8))
    draw.rectangle((11, 10, 20, 20), fill=shade(FENCE, 1.1), outline=OUTLINE)


@artwork("flower_bed", solid=True)
def flower_bed(img: Image.Image) -> None:
    rng = random.Random("flower_bed")
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((1, 3, 30, 30), radius=3, fill=(150, 150, 146), outline=OUTLINE)
    draw.rectangle((3, 5, 28, 25), fill=(112, 78, 56))
    speckle_box(img, rng, (3, 5, 28, 25), (92, 62, 44), 30)
    draw.line((2, 27, 29, 27), fill=(120, 120, 118))
    leaf_clusters(img, rng, (6, 8, 25, 21), (78, 150, 74), 8)
    for _ in range(9):
        x, y = rng.randint(6, 25), rng.randint(7, 21)
        petal = rng.choice(((244, 96, 110), (252, 206, 72), (250, 250, 250), (206, 120, 220)))
        disc(draw, x, y, 1.5, petal)
        put(img, x, y, (255, 236, 150))


@artwork("bush", solid=True)
def bush(img: Image.Image) -> None:
    rng = random.Random("bush")
    soft_shadow(img, (3, 20, 29, 31))
    draw = ImageDraw.Draw(img)
    draw.ellipse((2, 4, 29, 28), fill=shade(LEAF, 0.75), outline=OUTLINE)
    draw.ellipse((3, 4, 28, 25), fill=LEAF)
    leaf_clusters(img, rng, (7, 8, 24, 20), shade(LEAF, 1.05), 10)
    disc(draw, 11, 12, 1.5, (236, 90, 100))
    disc(draw, 20, 17, 1.5, (236, 90, 100))


# ---------------------------------------------------------------------------------------------
# Office furniture.
# ---------------------------------------------------------------------------------------------

OAK = (214, 168, 112)
OAK_FRONT = (166, 118, 74)


@artwork("desk_l desk_r", solid=True)
def desk_plain(img: Image.Image) -> None:
    draw_desk(img)
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 8, 20, 16), fill=(250, 250, 246), outline=(180, 176, 170))
    draw.rectangle((13, 10, 23, 18), fill=(255, 255, 252), outline=(180, 176, 170))
    for y in (12, 14, 16):
        draw.line((15, y, 21, y), fill=(160, 170, 190))
    disc(draw, 46, 12, 3, (236, 236, 232), OUTLINE)
    disc(draw, 46, 12, 1.5, (120, 72, 50))
    draw.rectangle((50, 9, 56, 18), fill=(90, 160, 120), outline=OUTLINE)
    disc(draw, 53, 8, 4, (96, 172, 90), OUTLINE)


def draw_desk(img: Image.Image) -> None:
    soft_shadow(img, (2, 22, 61, 31))
    draw = ImageDraw.Draw(img)
    block(draw, (2, 3, 61, 28), 5, OAK, OAK_FRONT)
    draw.line((4, 6, 59, 6), fill=shade(OAK, 1.08))
    draw.rectangle((5, 24, 8, 27), fill=shade(OAK_FRONT, 0.8))
    draw.rectangle((55, 24, 58, 27), fill=shade(OAK_FRONT, 0.8))


def monitor_front(draw: ImageDraw.ImageDraw, cx: int) -> None:
    """A monitor facing south (towards a chair below the desk) with its keyboard and mouse."""
    draw.rectangle((cx - 3, 12, cx + 2, 15), fill=(60, 62, 72), outline=OUTLINE)
    draw.rectangle((cx - 11, 0, cx + 10, 13), fill=(46, 48, 58), outline=OUTLINE)
    draw.rectangle((cx - 9, 2, cx + 8, 11), fill=(98, 170, 220))
    draw.line((cx - 9, 2, cx + 8, 2), fill=(150, 206, 240))
    draw.rectangle((cx - 7, 4, cx - 1, 5), fill=(240, 246, 250))
    draw.line((cx - 7, 7, cx + 5, 7), fill=(196, 226, 244))
    draw.line((cx - 7, 9, cx + 2, 9), fill=(196, 226, 244))
    draw.rectangle((cx - 8, 17, cx + 5, 21), fill=(228, 228, 232), outline=OUTLINE)
    for kx in range(cx - 6, cx + 4, 2):
        draw.point((kx, 19), fill=(170, 170, 180))
    draw.rectangle((cx + 8, 18, cx + 10, 21), fill=(228, 228, 232), outline=OUTLINE)


def monitor_back(draw: ImageDraw.ImageDraw, cx: int) -> None:
    """A monitor facing north (towards a chair above the desk): we see its back."""
    draw.rectangle((cx - 3, 7, cx + 2, 11), fill=(60, 62, 72), outline=OUTLINE)
    draw.rounded_rectangle((cx - 11, 10, cx + 10, 22), radius=2, fill=(70, 72, 84), outline=OUTLINE)
    draw.line((cx - 9, 11, cx + 8, 11), fill=(104, 106, 120))
    draw.rectangle((cx - 4, 14, cx + 3, 18), fill=(58, 60, 72))


@artwork("desk_pc_l desk_pc_r", solid=True)
def desk_pc(img: Image.Image) -> None:
    """A two-seat desk, monitors facing south."""
    draw_desk(img)
    draw = ImageDraw.Draw(img)
    monitor_front(draw, 16)
    monitor_front(draw, 48)
    disc(draw, 30, 18, 2.5, (236, 110, 90), OUTLINE)


@artwork("desk_back_l desk_back_r", solid=True)
def desk_back(img: Image.Image) -> None:
    """A two-seat desk, monitors facing north."""
    draw_desk(img)
    draw = ImageDraw.Draw(img)
    monitor_back(draw, 16)
    monitor_back(draw, 48)
    draw.rectangle((28, 6, 35, 12), fill=(250, 240, 150), outline=(200, 186, 110))


CHAIR = (64, 76, 104)


@artwork("chair_n")
def chair_north(img: Image.Image) -> None:
    """Office chair facing north (sitter looks up at a desk): the backrest is at the bottom."""
    soft_shadow(img, (7, 24, 25, 31))
    draw = ImageDraw.Draw(img)
    chair_base(draw)
    draw.rounded_rectangle((8, 5, 23, 19), radius=4, fill=shade(CHAIR, 1.25), outline=OUTLINE)
    draw.line((10, 7, 21, 7), fill=shade(CHAIR, 1.5))
    draw.rounded_rectangle((7, 15, 24, 25), radius=3, fill=CHAIR, outline=OUTLINE)
    draw.line((9, 17, 22, 17), fill=shade(CHAIR, 1.3))


@artwork("chair_s")
def chair_south(img: Image.Image) -> None:
    """Office chair facing south: the backrest is at the top."""
    soft_shadow(img, (7, 24, 25, 31))
    draw = ImageDraw.Draw(img)
    chair_base(draw)
    draw.rounded_rectangle((8, 12, 23, 25), radius=4, fill=shade(CHAIR, 1.25), outline=OUTLINE)
    draw.line((10, 14, 21, 14), fill=shade(CHAIR, 1.5))
    draw.rounded_rectangle((7, 3, 24, 15), radius=3, fill=CHAIR, outline=OUTLINE)
    draw.rounded_rectangle((9, 5, 22, 12), radius=2, fill=shade(CHAIR, 1.15))


def chair_base(draw: ImageDraw.ImageDraw) -> None:
    draw.line((15, 24, 15, 28), fill=(60, 60, 66), width=2)
    draw.line((9, 28, 22, 28), fill=(60, 60, 66), width=2)
    for x in (8, 15, 23):
        disc(draw, x, 29, 1.5, (30, 30, 36))


@artwork("table_tl table_tm table_tr / table_bl table_bm table_br", solid=True)
def meeting_table(img: Image.Image) -> None:
    soft_shadow(img, (4, 40, 91, 62), 80)
    draw = ImageDraw.Draw(img)
    top, front = (150, 96, 62), (110, 68, 44)
    draw.rounded_rectangle((4, 8, 91, 58), radius=14, fill=front, outline=OUTLINE)
    draw.rounded_rectangle((4, 6, 91, 52), radius=14, fill=top, outline=OUTLINE)
    draw.rounded_rectangle((8, 10, 87, 48), radius=11, outline=shade(top, 1.18))
    draw.line((18, 8, 78, 8), fill=shade(top, 1.3))
    rng = random.Random("table")
    for _ in range(40):
        streak(img, rng.randint(14, 70), rng.randint(13, 46), rng.randint(4, 12), shade(top, 0.92))
    draw.rounded_rectangle((8, 10, 87, 48), radius=11, outline=shade(top, 1.18))
    laptop(draw, 20, 16)
    laptop(draw, 62, 30)
    for cx, cy in ((44, 18), (52, 38), (30, 38), (72, 17)):
        disc(draw, cx, cy, 2.5, (210, 236, 246), OUTLINE)
        put(img, cx - 1, cy - 1, (255, 255, 255))
    draw.rectangle((40, 26, 54, 33), fill=(250, 250, 246), outline=(160, 150, 140))
    draw.line((42, 28, 51, 28), fill=(150, 160, 190))
    draw.line((42, 30, 49, 30), fill=(150, 160, 190))


def laptop(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    draw.rectangle((x, y, x + 13, y + 5), fill=(70, 74, 86), outline=OUTLINE)
    draw.rectangle((x + 1, y + 1, x + 12, y + 4), fill=(120, 190, 230))
    draw.rectangle((x - 1, y + 6, x + 14, y + 10), fill=(196, 198, 206), outline=OUTLINE)
    draw.line((x + 1, y + 8, x + 12, y + 8), fill=(160, 162, 172))


@artwork("whiteboard_l whiteboard_r", solid=True)
def whiteboard(img: Image.Image) -> None:
    soft_shadow(img, (6, 25, 57, 31), 60)
    draw = ImageDraw.Draw(img)
    metal = (176, 182, 192)
    for x in (9, 54):
        draw.rectangle((x - 1, 18, x + 1, 28), fill=metal, outline=OUTLINE)
        draw.line((x - 4, 28, x + 4, 28), fill=OUTLINE, width=2)
    draw.rectangle((2, 1, 61, 23), fill=metal, outline=OUTLINE)
    draw.rectangle((4, 3, 59, 20), fill=(252, 252, 250))
    draw.line((4, 3, 59, 3), fill=(255, 255, 255))
    draw.line((8, 7, 24, 7), fill=(60, 110, 200))
    draw.line((8, 10, 20, 10), fill=(60, 110, 200))
    draw.line((8, 13, 22, 13), fill=(60, 110, 200))
    draw.line((30, 17, 36, 11), fill=(220, 70, 70))
    draw.line((36, 11, 42, 14), fill=(220, 70, 70))
    draw.line((42, 14, 52, 6), fill=(220, 70, 70))
    draw.line((30, 17, 54, 17), fill=(70, 70, 80))
    draw.line((30, 6, 30, 17), fill=(70, 70, 80))
    draw.rectangle((20, 21, 44, 22), fill=shade(metal, 0.8))
    draw.point((24, 20), fill=(220, 70, 70))
    draw.point((27, 20), fill=(60, 110, 200))
    draw.point((30, 20), fill=(40, 160, 90))


@artwork("tv_l tv_r", solid=True)
def wall_screen(img: Image.Image) -> None:
    """A big screen hung on a wall face, for video calls."""
    draw = ImageDraw.Draw(img)
    draw.rectangle((4, 8, 59, 27), fill=(34, 34, 42), outline=OUTLINE)
    draw.rectangle((6, 10, 57, 25), fill=(56, 96, 150))
    for i, (x, color) in enumerate(((8, (236, 180, 130)), (26, (120, 80, 60)), (42, (200, 150, 110)))):
        draw.rectangle((x, 12, x + 13, 23), fill=(80, 126, 180) if i % 2 else (70, 112, 168))
        disc(draw, x + 6.5, 16, 2.5, color)
        draw.rectangle((x + 3, 20, x + 10, 23), fill=(230, 230, 236) if i != 1 else (220, 90, 80))
    draw.line((6, 10, 57, 10), fill=(110, 150, 200))
    draw.point((31, 26), fill=(120, 240, 140))


BOOK_COLORS = [(196, 70, 64), (64, 110, 180), (236, 190, 80), (70, 150, 100), (150, 90, 170), (236, 236, 226)]


def shelf_row(img: Image.Image, rng: random.Random, y: int) -> None:
    """One shelf of books standing on a board whose top is at ``y``."""
    draw = ImageDraw.Draw(img)
    x = 4
    while x < 27:
        width = rng.choice((2, 2, 3, 3, 4))
        if x + width > 28:
            break
        height = rng.randint(7, 10)
        color = rng.choice(BOOK_COLORS)
        if rng.random() < 0.12:
            x += width
            continue
        draw.rectangle((x, y - height, x + width - 1, y - 1), fill=color)
        draw.line((x, y - height, x + width - 1, y - height), fill=shade(color, 1.25))
        draw.line((x + width - 1, y - height + 1, x + width - 1, y - 1), fill=shade(color, 0.75))
        if height > 8:
            draw.line((x, y - height + 3, x + width - 2, y - height + 3), fill=shade(color, 1.35))
        x += width


def bookshelf(img: Image.Image, seed: str) -> None:
    """A tall bookcase, two tiles high: the top piece goes on the layer drawn over avatars."""
    rng = random.Random(seed)
    draw = ImageDraw.Draw(img)
    wood, dark = (150, 100, 64), (92, 60, 40)
    soft_shadow(img, (1, 56, 31, 63))
    draw.rectangle((1, 2, 30, 61), fill=wood, outline=OUTLINE)
    draw.rectangle((1, 2, 30, 5), fill=shade(wood, 1.2), outline=OUTLINE)
    draw.rectangle((3, 7, 28, 58), fill=dark)
    for y in (20, 34, 48, 58):
        shelf_row(img, rng, y)
        draw.rectangle((3, y, 28, y + 1), fill=wood)
        draw.line((3, y, 28, y), fill=shade(wood, 1.2))
    draw.line((2, 6, 2, 60), fill=shade(wood, 1.15))
    draw.line((29, 6, 29, 60), fill=shade(wood, 0.8))


@artwork("shelf_top / shelf_bottom", solid="shelf_bottom")
def bookshelf_a(img: Image.Image) -> None:
    bookshelf(img, "shelf_a")


@artwork("shelf2_top / shelf2_bottom", solid="shelf2_bottom")
def bookshelf_b(img: Image.Image) -> None:
    bookshelf(img, "shelf_b")


def armchair(img: Image.Image, color: RGB, facing: str) -> None:
    """Upholstered reading chair, facing "s" (back at the top) or "n" (back at the bottom)."""
    soft_shadow(img, (3, 22, 28, 31))
    draw = ImageDraw.Draw(img)
    back_y, seat_y = ((3, 10), (11, 20)) if facing == "s" else ((18, 26), (5, 18))
    draw.rounded_rectangle((5, seat_y[0], 26, seat_y[1] + 6), radius=3, fill=shade(color, 0.8), outline=OUTLINE)
    draw.rounded_rectangle((7, seat_y[0] + 1, 24, seat_y[1]), radius=3, fill=color, outline=OUTLINE)
    draw.line((9, seat_y[0] + 2, 22, seat_y[0] + 2), fill=shade(color, 1.25))
    draw.rounded_rectangle((4, back_y[0], 27, back_y[1] + 3), radius=4, fill=shade(color, 0.85), outline=OUTLINE)
    draw.line((7, back_y[0] + 1, 24, back_y[0] + 1), fill=shade(color, 1.15))
    for x in (3, 24):
        draw.rounded_rectangle((x, 9, x + 4, 26), radius=2, fill=shade(color, 0.9), outline=OUTLINE)
        draw.line((x + 1, 10, x + 3, 10), fill=shade(color, 1.2))


@artwork("armchair_s")
def armchair_south(img: Image.Image) -> None:
    armchair(img, (70, 130, 96), "s")


@artwork("armchair_n")
def armchair_north(img: Image.Image) -> None:
    armchair(img, (70, 130, 96), "n")


def pot(draw: ImageDraw.ImageDraw, box: Box) -> None:
    x0, y0, x1, y1 = box
    clay = (200, 112, 72)
    draw.polygon(((x0, y0), (x1, y0), (x1 - 2, y1), (x0 + 2, y1)), fill=clay, outline=OUTLINE)
    draw.rectangle((x0 - 1, y0, x1 + 1, y0 + 3), fill=shade(clay, 1.15), outline=OUTLINE)
    draw.line((x0 + 2, y0 + 5, x0 + 3, y1 - 2), fill=shade(clay, 1.2))
    draw.line((x1 - 3, y0 + 5, x1 - 4, y1 - 2), fill=shade(clay, 0.8))


@artwork("plant", solid=True)
def potted_plant(img: Image.Image) -> None:
    soft_shadow(img, (7, 25, 25, 31))
    draw = ImageDraw.Draw(img)
    leaf = (64, 150, 84)
    for angle in range(0, 360, 40):
        rad = math.radians(angle - 90)
        tip = (16 + math.cos(rad) * 13, 12 + math.sin(rad) * 11)
        draw.line((16, 17, *tip), fill=shade(leaf, 0.6), width=5)
        draw.line((16, 17, *tip), fill=leaf, width=3)
        draw.point((round(tip[0]), round(tip[1])), fill=shade(leaf, 1.3))
    disc(draw, 16, 13, 4, shade(leaf, 1.1))
    disc(draw, 15, 12, 1.5, shade(leaf, 1.4))
    pot(draw, (9, 19, 22, 29))


@artwork("fern", solid=True)
def fern(img: Image.Image) -> None:
    rng = random.Random("fern")
    soft_shadow(img, (6, 25, 26, 31))
    draw = ImageDraw.Draw(img)
    draw.ellipse((3, 1, 28, 22), fill=shade(LEAF, 0.7), outline=OUTLINE)
    leaf_clusters(img, rng, (7, 4, 24, 17), (88, 168, 86), 12)
    pot(draw, (9, 19, 22, 29))


SOFA = (222, 122, 84)


def sofa(img: Image.Image, color: RGB, facing: str) -> None:
    """Two-seat sofa 64×32, facing "s" (backrest at the top) or "n" (backrest at the bottom)."""
    soft_shadow(img, (2, 22, 61, 31))
    draw = ImageDraw.Draw(img)
    if facing == "s":
        draw.rounded_rectangle((3, 2, 60, 14), radius=4, fill=shade(color, 0.85), outline=OUTLINE)
        draw.line((7, 3, 56, 3), fill=shade(color, 1.2))
        for x0 in (8, 32):
            draw.rounded_rectangle((x0, 11, x0 + 23, 24), radius=3, fill=color, outline=OUTLINE)
            draw.line((x0 + 2, 12, x0 + 21, 12), fill=shade(color, 1.25))
        draw.rectangle((8, 24, 55, 28), fill=shade(color, 0.7), outline=OUTLINE)
    else:
        for x0 in (8, 32):
            draw.rounded_rectangle((x0, 4, x0 + 23, 18), radius=3, fill=color, outline=OUTLINE)
            draw.line((x0 + 2, 5, x0 + 21, 5), fill=shade(color, 1.25))
        draw.rounded_rectangle((3, 16, 60, 28), radius=4, fill=shade(color, 0.85), outline=OUTLINE)
        draw.line((7, 17, 56, 17), fill=shade(color, 1.15))
    for x in (2, 55):
        draw.rounded_rectangle((x, 6, x + 6, 28), radius=3, fill=shade(color, 0.92), outline=OUTLINE)
        draw.line((x + 2, 7, x + 4, 7), fill=shade(color, 1.25))


@artwork("sofa_l sofa_r", solid=True)
def sofa_south(img: Image.Image) -> None:
    sofa(img, SOFA, "s")


@artwork("sofa_n_l sofa_n_r", solid=True)
def sofa_north(img: Image.Image) -> None:
    sofa(img, SOFA, "n")


@artwork("sofa_blue_l sofa_blue_r", solid=True)
def sofa_blue(img: Image.Image) -> None:
    sofa(img, (90, 128, 196), "s")


@artwork("coffee_table", solid=True)
def coffee_table(img: Image.Image) -> None:
    soft_shadow(img, (2, 20, 29, 31))
    draw = ImageDraw.Draw(img)
    block(draw, (2, 6, 29, 27), 4, (120, 84, 60), (84, 58, 42), radius=3)
    draw.rectangle((6, 10, 15, 18), fill=(236, 110, 100), outline=OUTLINE)
    draw.line((8, 12, 13, 12), fill=(250, 240, 230))
    disc(draw, 22, 14, 3, (250, 250, 246), OUTLINE)
    disc(draw, 22, 14, 1.5, (130, 80, 50))


@artwork("water_cooler", solid=True)
def water_cooler(img: Image.Image) -> None:
    soft_shadow(img, (6, 25, 26, 31))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((8, 12, 23, 29), radius=2, fill=(230, 232, 236), outline=OUTLINE)
    draw.line((9, 13, 22, 13), fill=(250, 250, 252))
    draw.line((22, 14, 22, 28), fill=(196, 200, 208))
    draw.rectangle((10, 18, 13, 20), fill=(220, 70, 70), outline=OUTLINE)
    draw.rectangle((18, 18, 21, 20), fill=(70, 120, 220), outline=OUTLINE)
    draw.rectangle((10, 24, 21, 26), fill=(170, 176, 186), outline=OUTLINE)
    draw.rounded_rectangle((9, 1, 22, 12), radius=4, fill=(120, 190, 240), outline=OUTLINE)
    draw.line((11, 3, 11, 9), fill=(200, 236, 255))
    draw.line((9, 6, 22, 6), fill=(96, 166, 224))


@artwork("printer", solid=True)
def printer(img: Image.Image) -> None:
    soft_shadow(img, (2, 22, 29, 31))
    draw = ImageDraw.Draw(img)
    block(draw, (3, 9, 28, 28), 8, (226, 226, 230), (170, 172, 182))
    draw.rectangle((7, 5, 24, 12), fill=(250, 250, 248), outline=(150, 150, 160))
    draw.rectangle((6, 12, 25, 14), fill=(60, 62, 72))
    draw.point((23, 17), fill=(100, 230, 120))
    draw.rectangle((8, 22, 18, 24), fill=(120, 122, 134))


@artwork("floor_lamp", solid=True)
def floor_lamp(img: Image.Image) -> None:
    soft_shadow(img, (9, 25, 23, 31))
    draw = ImageDraw.Draw(img)
    draw.line((16, 12, 16, 28), fill=(70, 66, 70), width=2)
    draw.ellipse((11, 26, 21, 30), fill=(70, 66, 70), outline=OUTLINE)
    glow = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse((2, 0, 30, 22), fill=(255, 236, 170, 60))
    img.alpha_composite(glow)
    draw.polygon(((10, 4), (22, 4), (25, 13), (7, 13)), fill=(248, 230, 180), outline=OUTLINE)
    draw.line((11, 5, 21, 5), fill=(255, 248, 220))


@artwork("pool_l pool_r", solid=True)
def pool_table(img: Image.Image) -> None:
    soft_shadow(img, (2, 22, 61, 31), 80)
    draw = ImageDraw.Draw(img)
    block(draw, (2, 3, 61, 28), 4, (120, 72, 44), (88, 52, 34), radius=3)
    draw.rectangle((7, 7, 56, 21), fill=(52, 140, 86))
    draw.line((7, 7, 56, 7), fill=(36, 104, 64))
    for x in (6, 31, 57):
        for y in (6, 22):
            disc(draw, x, y, 1.8, (24, 20, 22))
    for (x, y), color in zip(
        ((40, 14), (44, 12), (44, 16), (48, 10), (48, 14), (18, 14)),
        ((236, 200, 60), (220, 60, 50), (60, 90, 200), (240, 140, 40), (40, 40, 40), (250, 250, 246)),
        strict=True,
    ):
        disc(draw, x, y, 1.6, color)
    draw.line((10, 24, 30, 17), fill=(230, 200, 150))


@artwork("arcade", solid=True)
def arcade(img: Image.Image) -> None:
    soft_shadow(img, (3, 24, 28, 31))
    draw = ImageDraw.Draw(img)
    body = (120, 60, 170)
    block(draw, (5, 0, 26, 29), 17, shade(body, 0.8), body)
    draw.rectangle((8, 2, 23, 10), fill=(24, 24, 32), outline=OUTLINE)
    draw.rectangle((10, 4, 13, 6), fill=(250, 210, 60))
    draw.rectangle((17, 6, 20, 8), fill=(90, 220, 250))
    draw.rectangle((7, 14, 24, 18), fill=(40, 36, 48), outline=OUTLINE)
    disc(draw, 11, 16, 1.5, (230, 60, 60))
    disc(draw, 17, 16, 1.2, (250, 210, 60))
    disc(draw, 21, 16, 1.2, (90, 220, 250))
    draw.rectangle((9, 21, 22, 23), fill=(250, 200, 80))


# ---------------------------------------------------------------------------------------------
# Kitchen and lobby.
# ---------------------------------------------------------------------------------------------

COUNTER_TOP = (214, 216, 220)
CABINET = (120, 170, 176)


def counter_base(img: Image.Image) -> None:
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 31, 30), fill=CABINET)
    draw.rectangle((0, 0, 31, 13), fill=COUNTER_TOP)
    draw.line((0, 0, 31, 0), fill=OUTLINE)
    draw.line((0, 1, 31, 1), fill=shade(COUNTER_TOP, 1.3))
    draw.line((0, 13, 31, 13), fill=shade(COUNTER_TOP, 0.75))
    draw.line((0, 14, 31, 14), fill=OUTLINE)
    draw.line((0, 31, 31, 31), fill=OUTLINE)
    draw.line((15, 15, 15, 30), fill=shade(CABINET, 0.7))
    draw.line((16, 15, 16, 30), fill=shade(CABINET, 1.2))
    draw.rectangle((11, 18, 12, 23), fill=(230, 230, 236))
    draw.rectangle((19, 18, 20, 23), fill=(230, 230, 236))
    draw.line((0, 29, 31, 29), fill=shade(CABINET, 0.7))


@artwork("counter", solid=True)
def counter(img: Image.Image) -> None:
    counter_base(img)
    draw = ImageDraw.Draw(img)
    draw.rectangle((6, 3, 12, 10), fill=(236, 196, 120), outline=OUTLINE)
    disc(draw, 22, 7, 4, (250, 250, 246), OUTLINE)
    disc(draw, 21, 6, 1.5, (236, 90, 80))
    disc(draw, 24, 8, 1.5, (250, 200, 60))


@artwork("counter_coffee", solid=True)
def counter_coffee(img: Image.Image) -> None:
    counter_base(img)
    draw = ImageDraw.Draw(img)
    draw.rectangle((7, -1, 24, 12), fill=(56, 56, 64), outline=OUTLINE)
    draw.rectangle((9, 1, 22, 4), fill=(86, 86, 96))
    draw.rectangle((13, 6, 18, 11), fill=(30, 30, 34))
    disc(draw, 15.5, 10, 2, (250, 250, 246), OUTLINE)
    draw.point((20, 2), fill=(240, 80, 70))
    draw.point((11, 2), fill=(100, 230, 130))
    draw.line((14, 5, 17, 5), fill=(170, 170, 180))


@artwork("counter_sink", solid=True)
def counter_sink(img: Image.Image) -> None:
    counter_base(img)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((6, 3, 25, 12), radius=2, fill=(170, 176, 188), outline=OUTLINE)
    draw.rounded_rectangle((8, 5, 23, 11), radius=2, fill=(130, 136, 150))
    draw.line((15, 2, 15, 6), fill=(200, 204, 214), width=2)
    draw.point((15, 8), fill=(180, 220, 250))


@artwork("fridge", solid=True)
def fridge(img: Image.Image) -> None:
    soft_shadow(img, (2, 24, 29, 31))
    draw = ImageDraw.Draw(img)
    block(draw, (3, 0, 28, 30), 20, (236, 238, 242), (214, 218, 224))
    draw.line((4, 17, 27, 17), fill=(170, 174, 184))
    draw.rectangle((23, 12, 24, 16), fill=(150, 154, 166))
    draw.rectangle((23, 19, 24, 26), fill=(150, 154, 166))
    draw.rectangle((7, 19, 12, 24), fill=(250, 220, 110), outline=OUTLINE)
    draw.rectangle((14, 21, 18, 25), fill=(236, 110, 110), outline=OUTLINE)


@artwork("kitchen_table_l kitchen_table_r", solid=True)
def kitchen_table(img: Image.Image) -> None:
    soft_shadow(img, (3, 20, 60, 31))
    draw = ImageDraw.Draw(img)
    block(draw, (3, 5, 60, 27), 4, (236, 224, 200), (190, 170, 140), radius=4)
    for cx in (14, 49):
        disc(draw, cx, 14, 5, (250, 250, 250), OUTLINE)
        disc(draw, cx, 14, 3, (240, 240, 236))
    disc(draw, 32, 14, 5, (200, 120, 70), OUTLINE)
    for (dx, dy), color in zip(
        ((-2, -1), (2, -1), (0, 2)), ((236, 70, 70), (250, 200, 60), (120, 190, 80)), strict=True
    ):
        disc(draw, 32 + dx, 14 + dy, 1.8, color)


@artwork("stool")
def stool(img: Image.Image) -> None:
    soft_shadow(img, (8, 22, 24, 30))
    draw = ImageDraw.Draw(img)
    for x in (11, 20):
        draw.line((x, 16, x, 27), fill=(80, 70, 70), width=2)
    disc(draw, 16, 14, 7, (236, 170, 70), OUTLINE)
    disc(draw, 15, 13, 4, (248, 196, 110))


@artwork("reception_l reception_m reception_r", solid=True)
def reception_desk(img: Image.Image) -> None:
    """Reception counter; the plain middle piece can be repeated to make it longer."""
    soft_shadow(img, (2, 22, 93, 31), 80)
    draw = ImageDraw.Draw(img)
    top, front = (244, 240, 232), (96, 124, 170)
    draw.rounded_rectangle((2, 4, 93, 29), radius=5, fill=front, outline=OUTLINE)
    draw.rounded_rectangle((2, 2, 93, 15), radius=5, fill=top, outline=OUTLINE)
    draw.line((7, 3, 88, 3), fill=(255, 255, 255))
    draw.line((4, 16, 91, 16), fill=shade(front, 1.25))
    draw.line((4, 22, 91, 22), fill=(236, 206, 120))
    draw.line((4, 23, 91, 23), fill=shade(front, 0.8))
    disc(draw, 12, 9, 3, (240, 200, 90), OUTLINE)
    draw.point((12, 5), fill=(240, 200, 90))
    draw.rectangle((18, 5, 27, 12), fill=(250, 250, 246), outline=(160, 150, 140))
    draw.line((22, 5, 22, 12), fill=(160, 150, 140))
    draw.rectangle((66, 3, 81, 12), fill=(46, 48, 58), outline=OUTLINE)
    draw.rectangle((68, 5, 79, 10), fill=(98, 170, 220))
    draw.rectangle((85, 6, 91, 13), fill=(200, 112, 72), outline=OUTLINE)
    disc(draw, 88, 5, 4, (80, 160, 86), OUTLINE)
    disc(draw, 87, 4, 1.5, (120, 200, 120))


# ---------------------------------------------------------------------------------------------
# Garden.
# ---------------------------------------------------------------------------------------------


@artwork("tree_tl tree_tr / tree_bl tree_br", solid="tree_bl tree_br")
def tree(img: Image.Image) -> None:
    """A round leafy tree: the top two pieces go on the layer drawn over avatars."""
    rng = random.Random("tree")
    soft_shadow(img, (10, 50, 54, 63), 90)
    draw = ImageDraw.Draw(img)
    bark = (126, 84, 56)
    draw.polygon(((27, 40), (37, 40), (38, 58), (41, 61), (23, 61), (26, 58)), fill=bark, outline=OUTLINE)
    draw.line((29, 42, 29, 58), fill=shade(bark, 1.25))
    draw.line((35, 42, 35, 58), fill=shade(bark, 0.75))
    leaves = (70, 150, 74)
    draw.ellipse((4, 2, 59, 47), fill=shade(leaves, 0.62), outline=OUTLINE)
    draw.ellipse((6, 2, 57, 43), fill=shade(leaves, 0.8))
    draw.ellipse((9, 3, 54, 36), fill=leaves)
    leaf_clusters(img, rng, (12, 8, 51, 38), leaves, 30)
    leaf_clusters(img, rng, (14, 6, 40, 20), shade(leaves, 1.12), 10)


@artwork("fountain_tl fountain_tr / fountain_bl fountain_br", solid=True)
def fountain(img: Image.Image) -> None:
    soft_shadow(img, (2, 44, 61, 63), 70)
    draw = ImageDraw.Draw(img)
    stone = (190, 186, 180)
    draw.ellipse((2, 10, 61, 60), fill=shade(stone, 0.72), outline=OUTLINE)
    draw.ellipse((2, 6, 61, 54), fill=stone, outline=OUTLINE)
    draw.ellipse((7, 10, 56, 49), fill=(74, 140, 196))
    draw.ellipse((10, 13, 53, 47), fill=(96, 168, 220))
    draw.arc((14, 18, 40, 40), 200, 290, fill=(200, 236, 255))
    draw.arc((26, 26, 50, 44), 20, 100, fill=(200, 236, 255))
    draw.ellipse((24, 26, 39, 37), fill=shade(stone, 0.8), outline=OUTLINE)
    draw.rectangle((29, 14, 34, 31), fill=stone, outline=OUTLINE)
    draw.ellipse((25, 10, 38, 18), fill=stone, outline=OUTLINE)
    spray = Image.new("RGBA", img.size, (0, 0, 0, 0))
    spray_draw = ImageDraw.Draw(spray)
    for dx in (-9, -5, 5, 9):
        spray_draw.arc(
            (31 + min(dx, 0) * 2, 2, 32 + max(dx, 0) * 2, 26),
            180 if dx < 0 else 270,
            270 if dx < 0 else 360,
            fill=(220, 244, 255, 200),
            width=2,
        )
    img.alpha_composite(spray)
    disc(draw, 31.5, 9, 3, (220, 244, 255))
    draw.arc((4, 7, 59, 53), 190, 350, fill=shade(stone, 1.25))


@artwork("bench_l bench_r")
def bench(img: Image.Image) -> None:
    soft_shadow(img, (3, 22, 60, 31), 60)
    draw = ImageDraw.Draw(img)
    slat, iron = (196, 140, 86), (56, 58, 66)
    for x in (8, 55):
        draw.rectangle((x - 2, 6, x + 2, 28), fill=iron, outline=OUTLINE)
    for y in (3, 8):
        draw.rectangle((3, y, 60, y + 3), fill=shade(slat, 0.9), outline=OUTLINE)
        draw.line((4, y + 1, 59, y + 1), fill=shade(slat, 1.15))
    for y in (15, 20):
        draw.rectangle((3, y, 60, y + 3), fill=slat, outline=OUTLINE)
        draw.line((4, y + 1, 59, y + 1), fill=shade(slat, 1.2))
    draw.rectangle((3, 24, 60, 25), fill=shade(slat, 0.65), outline=OUTLINE)


@artwork("lamp_post", solid=True)
def lamp_post(img: Image.Image) -> None:
    soft_shadow(img, (8, 25, 24, 31))
    draw = ImageDraw.Draw(img)
    draw.rectangle((14, 8, 17, 28), fill=(56, 58, 66), outline=OUTLINE)
    draw.rectangle((11, 26, 20, 29), fill=(56, 58, 66), outline=OUTLINE)
    glow = Image.new("RGBA", img.size, (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse((4, -4, 27, 16), fill=(255, 236, 160, 70))
    img.alpha_composite(glow)
    draw.rounded_rectangle((10, 0, 21, 9), radius=2, fill=(255, 236, 170), outline=OUTLINE)
    draw.line((12, 1, 19, 1), fill=(255, 255, 230))


# ---------------------------------------------------------------------------------------------
# Sheet layout, collisions and output.
# ---------------------------------------------------------------------------------------------

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
