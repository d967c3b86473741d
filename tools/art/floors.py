"""Floors and ground: wood and deck, carpets, rugs and mats, grass, paving, doorways, stone, the portal."""

import random

from PIL import Image, ImageDraw

from tools.art.drawing import OUTLINE, RGB, Drawer, artwork, fill, jitter, mix, put, shade, speckle, speckle_box, streak


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
