"""Office furniture: desks and chairs, the meeting table, whiteboards and screens, shelves, armchairs
and sofas, plants, the water cooler, the printer, lamps, the pool table and the arcade.
"""

import math
import random

from PIL import Image, ImageDraw

from tools.art.drawing import (
    LEAF,
    OUTLINE,
    RGB,
    Box,
    artwork,
    block,
    disc,
    leaf_clusters,
    put,
    shade,
    soft_shadow,
    streak,
)

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
