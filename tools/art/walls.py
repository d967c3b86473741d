"""Walls and windows. Cells of a wall are drawn either as "top" (another wall cell lies to the south, so
only the cap is seen) or "face" (cap strip over the front face). Open sides get an outlined rim.
"""

from PIL import Image, ImageDraw

from tools.art.drawing import OUTLINE, Drawer, artwork, put, shade

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
