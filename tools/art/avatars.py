"""Draw the avatar catalog: chibi top-down walk-cycle sprite sheets, written to ``players/sprites/``.

Run ``python -m tools.art.avatars``. Every sheet is 96×128 px: 3 columns (standing, left foot forward,
right foot forward) × 4 rows (down, left, right, up) of 32×32 frames on a transparent background.
Plain Pillow, deterministic output.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

FRAME = 32
COLUMNS = 3
DIRECTIONS = ("down", "left", "right", "up")
OUT_DIR = Path(__file__).resolve().parents[2] / "players" / "sprites"

Color = tuple[int, int, int]
Pixel = tuple[int, int]

OUTLINE = (38, 30, 46, 255)
EYE = (30, 22, 34)
GLINT = (236, 240, 248)
SHADOW = (20, 16, 30, 70)

# Head outline (row -> first and last column), shared by every look and direction.
HEAD_ROWS: dict[int, tuple[int, int]] = {
    3: (11, 20),
    4: (9, 22),
    5: (8, 23),
    **dict.fromkeys(range(6, 14), (8, 23)),
    14: (9, 22),
    15: (10, 21),
    16: (12, 19),
}


@dataclass(frozen=True)
class Look:
    """One character: palette, hair style and accessories."""

    slug: str
    name: str
    skin: Color
    hair: Color
    hair_style: str
    top: Color
    bottom: Color
    shoes: Color
    extras: tuple[str, ...] = ()


def shade(color: Color, factor: float) -> Color:
    """Darken (factor < 1) or lighten (factor > 1, towards white) a colour."""
    if factor <= 1:
        return (int(color[0] * factor), int(color[1] * factor), int(color[2] * factor))
    mix = factor - 1
    return (
        int(color[0] + (255 - color[0]) * mix),
        int(color[1] + (255 - color[1]) * mix),
        int(color[2] + (255 - color[2]) * mix),
    )


def blend(a: Color, b: Color, t: float) -> Color:
    """Mix two colours, ``t`` = 0 gives ``a`` and 1 gives ``b``."""
    return (int(a[0] + (b[0] - a[0]) * t), int(a[1] + (b[1] - a[1]) * t), int(a[2] + (b[2] - a[2]) * t))


def spans(rows: dict[int, tuple[int, int]]) -> set[Pixel]:
    """Pixels covered by inclusive horizontal runs, one per row."""
    return {(x, y) for y, (x0, x1) in rows.items() for x in range(x0, x1 + 1)}


def box(x0: int, y0: int, x1: int, y1: int) -> set[Pixel]:
    """Pixels of an inclusive rectangle."""
    return {(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)}


HEAD = spans(HEAD_ROWS)


class Canvas:
    """A 32×32 frame being painted pixel by pixel (later paints cover earlier ones)."""

    def __init__(self) -> None:
        self.pixels: dict[Pixel, Color] = {}

    def paint(self, pixels: Iterable[Pixel], color: Color) -> None:
        for x, y in pixels:
            if 0 <= x < FRAME and 0 <= y < FRAME:
                self.pixels[(x, y)] = color

    def image(self) -> Image.Image:
        """Render with a dark 1-px outline around the silhouette and a soft ground shadow."""
        frame = Image.new("RGBA", (FRAME, FRAME), (0, 0, 0, 0))
        shadow = spans({28: (11, 20), 29: (9, 22), 30: (11, 20)})
        for x, y in shadow:
            frame.putpixel((x, y), SHADOW)
        for x, y in self.outline():
            frame.putpixel((x, y), OUTLINE)
        for (x, y), color in self.pixels.items():
            frame.putpixel((x, y), (*color, 255))
        return frame

    def outline(self) -> set[Pixel]:
        body = set(self.pixels)
        ring = set()
        for x, y in body:
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                neighbour = (x + dx, y + dy)
                if neighbour not in body and 0 <= neighbour[0] < FRAME and 0 <= neighbour[1] < FRAME:
                    ring.add(neighbour)
        return ring


# ---------------------------------------------------------------------------------------------
# Hair styles. Each returns the hair mask for a view: "front" (down), "side" (facing left), "back".
# ---------------------------------------------------------------------------------------------


def hair_short(view: str) -> set[Pixel]:
    cap = spans({y: HEAD_ROWS[y] for y in range(3, 8)})
    if view == "front":
        return cap | spans({8: (8, 13)}) | spans({8: (18, 23)}) | box(8, 9, 9, 10) | box(22, 9, 23, 10)
    if view == "side":
        return cap | box(8, 8, 11, 8) | box(19, 8, 23, 13) | box(20, 14, 22, 14) | box(16, 8, 18, 8)
    return cap | box(8, 8, 23, 13) | spans({14: (9, 22)})


def hair_bob(view: str) -> set[Pixel]:
    cap = spans({2: (11, 20), 3: (9, 22), 4: (8, 23), **dict.fromkeys(range(5, 9), (7, 24))})
    if view == "front":
        return cap | box(7, 9, 10, 15) | box(21, 9, 24, 15) | box(11, 9, 12, 9) | box(19, 9, 20, 9)
    if view == "side":
        return cap - box(7, 8, 9, 8) | box(15, 9, 24, 15) | box(17, 16, 23, 16)
    return cap | box(7, 9, 24, 15) | spans({16: (8, 23)})


def hair_long(view: str) -> set[Pixel]:
    cap = spans({2: (11, 20), 3: (9, 22), 4: (8, 23), **dict.fromkeys(range(5, 9), (7, 24))})
    if view == "front":
        strands = box(6, 9, 10, 19) | box(21, 9, 25, 19) | box(7, 20, 9, 21) | box(22, 20, 24, 21)
        return cap | strands | box(11, 9, 13, 9) | box(18, 9, 20, 9)
    if view == "side":
        return cap - box(7, 8, 9, 8) | box(15, 9, 24, 20) | box(16, 21, 22, 22)
    return cap | box(6, 9, 25, 20) | spans({21: (7, 24), 22: (9, 22)})


def hair_bun(view: str) -> set[Pixel]:
    bun = spans({0: (14, 17), 1: (13, 18), 2: (13, 18), 3: (14, 17)})
    if view == "side":
        bun = spans({1: (19, 22), 2: (18, 23), 3: (18, 23), 4: (19, 22)})
    return hair_short(view) | bun


def hair_ponytail(view: str) -> set[Pixel]:
    cap = spans({y: HEAD_ROWS[y] for y in range(3, 8)})
    if view == "front":
        return cap | box(8, 8, 10, 10) | box(21, 8, 23, 10) | box(11, 8, 12, 8) | box(19, 8, 20, 8)
    if view == "side":
        tail = spans({7: (24, 25), 8: (24, 26), 9: (24, 26), 10: (24, 26), 11: (24, 26), 12: (25, 26), 13: (25, 26)})
        return cap | box(8, 8, 10, 8) | box(18, 8, 23, 13) | tail | box(26, 14, 26, 16)
    tail = box(14, 14, 17, 19) | box(15, 20, 16, 21)
    return cap | box(8, 8, 23, 13) | spans({14: (9, 22)}) | tail


def hair_curly(view: str) -> set[Pixel]:
    puff = spans({0: (11, 20), 1: (9, 22), 2: (7, 24), **dict.fromkeys(range(3, 10), (6, 25))})
    bumps = {(6, 3), (25, 3), (9, 0), (22, 0), (6, 9), (25, 9)}
    if view == "front":
        sides = box(6, 10, 9, 12) | box(22, 10, 25, 12) | box(7, 13, 8, 13) | box(23, 13, 24, 13)
        forehead = box(10, 8, 21, 9) - box(11, 8, 13, 8) - box(18, 8, 20, 8)
        return (puff | sides) - bumps - forehead
    if view == "side":
        return (puff | box(14, 10, 25, 14) | box(16, 15, 24, 15)) - bumps - box(6, 7, 10, 9) - box(6, 6, 7, 6)
    return (puff | box(6, 10, 25, 14) | spans({15: (8, 23)})) - bumps


def hair_spiky(view: str) -> set[Pixel]:
    spikes = {(10, 2), (13, 1), (13, 2), (16, 1), (16, 2), (19, 2), (21, 3), (8, 4), (23, 4), (11, 2)}
    if view == "side":
        spikes = {(12, 2), (15, 1), (15, 2), (18, 1), (18, 2), (21, 2), (22, 3), (24, 5), (24, 6), (7, 5)}
    return hair_short(view) | spikes


def hair_mohawk(view: str) -> set[Pixel]:
    if view == "front":
        return box(14, 0, 17, 7) | box(13, 1, 18, 5)
    if view == "side":
        return spans({1: (13, 20), 2: (11, 22), 3: (10, 23), 4: (14, 23), 5: (18, 23), 6: (20, 23)})
    return box(14, 0, 17, 12) | box(13, 1, 18, 10)


def hair_bald(view: str) -> set[Pixel]:
    if view == "front":
        return box(8, 8, 8, 10) | box(23, 8, 23, 10)
    if view == "side":
        return box(18, 9, 22, 13)
    return box(8, 11, 9, 11) | box(22, 11, 23, 11) | box(8, 12, 23, 13) | spans({14: (9, 22)})


def hair_hijab(view: str) -> set[Pixel]:
    cap = spans({2: (11, 20), 3: (9, 22), 4: (8, 23), **dict.fromkeys(range(5, 16), (7, 24))})
    drape = spans({16: (7, 24), 17: (7, 24), 18: (8, 23), 19: (9, 22)})
    if view == "side":
        drape = spans({16: (11, 24), 17: (11, 24), 18: (12, 23), 19: (13, 22)})
    if view == "front":
        return (cap | drape) - spans({7: (12, 19), **dict.fromkeys(range(8, 15), (10, 21)), 15: (11, 20), 16: (12, 19)})
    if view == "side":
        return (cap | drape) - spans({7: (7, 12), **dict.fromkeys(range(8, 15), (6, 13)), 15: (7, 12), 16: (8, 11)})
    return cap | drape


HAIR_STYLES: dict[str, Callable[[str], set[Pixel]]] = {
    "short": hair_short,
    "bob": hair_bob,
    "long": hair_long,
    "bun": hair_bun,
    "ponytail": hair_ponytail,
    "curly": hair_curly,
    "spiky": hair_spiky,
    "mohawk": hair_mohawk,
    "bald": hair_bald,
    "hijab": hair_hijab,
}


# ---------------------------------------------------------------------------------------------
# Body parts.
# ---------------------------------------------------------------------------------------------


def front_legs(canvas: Canvas, look: Look, step: int) -> None:
    """Legs seen from the front or back; ``step`` is -1 / 0 / 1 (which screen-side leg is forward)."""
    for side, (x0, x1) in ((-1, (11, 14)), (1, (17, 20))):
        reach = 1 if step == side else -1 if step == -side else 0
        bottom = 27 + reach
        canvas.paint(box(x0, 24, x1, bottom), look.bottom)
        canvas.paint(box(x0, 24, x0, bottom), shade(look.bottom, 1.15))
        canvas.paint(box(x0, bottom + 1, x1, bottom + 1), look.shoes)
        canvas.paint({(x0, bottom + 1)}, shade(look.shoes, 1.3))


def torso(canvas: Canvas, look: Look, x0: int, x1: int) -> None:
    """Shirt with a collar shadow under the chin, hips in the trouser colour."""
    canvas.paint(spans({17: (x0 + 1, x1 - 1)}) | box(x0, 18, x1, 22), look.top)
    canvas.paint(spans({17: (x0 + 2, x1 - 2)}), shade(look.top, 0.78))
    canvas.paint(box(x0, 22, x1, 22), shade(look.top, 0.85))
    canvas.paint(box(x0, 23, x1, 23), shade(look.bottom, 0.8))


def front_arms(canvas: Canvas, look: Look, step: int) -> None:
    """Arms hanging at the sides; the arm opposite to the forward leg swings forward (down)."""
    sleeve = shade(look.top, 0.88)
    for side, x0 in ((-1, 8), (1, 22)):
        swing = 1 if step == -side else -1 if step == side else 0
        canvas.paint(box(x0, 18 + max(swing, 0), x0 + 1, 21 + swing), sleeve)
        canvas.paint(box(x0, 22 + swing, x0 + 1, 22 + swing), look.skin)


def face(canvas: Canvas, look: Look) -> None:
    canvas.paint(box(11, 10, 12, 11) | box(19, 10, 20, 11), EYE)
    canvas.paint({(12, 10), (20, 10)}, GLINT)
    canvas.paint({(11, 13), (20, 13)}, blend(look.skin, (235, 110, 110), 0.35))
    canvas.paint({(15, 13), (16, 13)}, shade(look.skin, 0.7))


def side_face(canvas: Canvas, look: Look) -> None:
    canvas.paint(box(9, 10, 10, 11), EYE)
    canvas.paint({(9, 10)}, GLINT)
    canvas.paint({(11, 13)}, blend(look.skin, (235, 110, 110), 0.35))
    canvas.paint({(7, 11), (7, 12)}, look.skin)
    canvas.paint({(9, 14)}, shade(look.skin, 0.7))


def head(canvas: Canvas, look: Look) -> None:
    canvas.paint(HEAD, look.skin)
    canvas.paint(spans({14: (9, 10), 15: (10, 11)}) | box(8, 12, 8, 13), shade(look.skin, 0.9))
    canvas.paint(spans({16: (12, 19)}), shade(look.skin, 0.86))


def hair(canvas: Canvas, look: Look, view: str) -> None:
    mask = HAIR_STYLES[look.hair_style](view)
    canvas.paint(mask, look.hair)
    highlight = {(x, y) for x, y in mask if (x, y - 1) not in mask and y < 9}
    canvas.paint(highlight, shade(look.hair, 1.3))
    if look.hair_style == "curly":
        curls = {(x, y) for x, y in mask if (x * 3 + y * 5) % 7 == 0 and (x, y) not in highlight}
        canvas.paint(curls, shade(look.hair, 0.75))
    elif look.hair_style == "bald" and view != "back":
        canvas.paint(
            {(12, 5), (13, 5), (12, 6)} if view == "front" else {(13, 4), (14, 4), (13, 5)}, shade(look.skin, 1.25)
        )
    else:
        strands = {(x, y) for x, y in mask if y > 9 and (x + y) % 4 == 0}
        canvas.paint(strands, shade(look.hair, 0.82))


# ---------------------------------------------------------------------------------------------
# Accessories, per view.
# ---------------------------------------------------------------------------------------------


def accessories(canvas: Canvas, look: Look, view: str) -> None:
    for extra in look.extras:
        ACCESSORIES[extra](canvas, look, view)


def glasses(canvas: Canvas, look: Look, view: str) -> None:
    frame = (44, 40, 52)
    lens = (196, 224, 236)
    if view == "front":
        canvas.paint(box(10, 9, 14, 12) - box(11, 10, 13, 11) | box(17, 9, 21, 12) - box(18, 10, 20, 11), frame)
        canvas.paint(box(15, 10, 16, 10), frame)
        canvas.paint(box(11, 10, 13, 11) | box(18, 10, 20, 11), lens)
        canvas.paint(box(11, 11, 12, 11) | box(19, 11, 20, 11), EYE)
    elif view == "side":
        canvas.paint(box(8, 9, 11, 12) - box(9, 10, 10, 11) | box(12, 10, 16, 10), frame)
        canvas.paint(box(9, 10, 10, 11), lens)
        canvas.paint({(9, 11)}, EYE)
    else:
        canvas.paint({(8, 10), (23, 10)}, frame)


def beard(canvas: Canvas, look: Look, view: str) -> None:
    if view == "front":
        mask = spans({12: (8, 9), 13: (8, 10), 14: (9, 22), 15: (10, 21), 16: (11, 20), 17: (13, 18)})
        mask |= spans({12: (22, 23), 13: (21, 23)}) | box(13, 13, 18, 13)
        mouth = box(14, 14, 17, 14)
    elif view == "side":
        mask = spans({12: (15, 17), 13: (10, 17), 14: (9, 16), 15: (9, 15), 16: (10, 14), 17: (11, 13)}) | {(8, 13)}
        mouth = {(9, 14)}
    else:
        return
    canvas.paint(mask - mouth, look.hair)
    canvas.paint({(x, y) for x, y in mask if (x + 2 * y) % 5 == 0}, shade(look.hair, 0.8))
    canvas.paint(mouth, shade(look.skin, 0.6))


def cap(canvas: Canvas, look: Look, view: str) -> None:
    color = (206, 58, 52)
    crown = spans({2: (11, 20), 3: (9, 22), 4: (8, 23), 5: (8, 23), 6: (8, 23), 7: (8, 23)})
    canvas.paint(crown, color)
    canvas.paint(spans({2: (12, 19), 3: (10, 14)}), shade(color, 1.3))
    canvas.paint({(15, 2), (16, 2)}, shade(color, 0.7))
    if view == "front":
        canvas.paint(box(8, 8, 23, 8), shade(color, 0.75))
        canvas.paint(box(9, 9, 22, 9), shade(color, 0.55))
    elif view == "side":
        canvas.paint(box(4, 7, 12, 8), shade(color, 0.75))
        canvas.paint(box(13, 8, 23, 8), shade(color, 0.85))
    else:
        canvas.paint(box(8, 8, 23, 8), shade(color, 0.85))
        canvas.paint(box(13, 8, 18, 8), (240, 236, 226))


def beanie(canvas: Canvas, look: Look, view: str) -> None:
    color = (72, 156, 186)
    dome = spans({0: (14, 17), 1: (11, 20), 2: (10, 21), 3: (9, 22), 4: (8, 23), 5: (8, 23), 6: (8, 23)})
    canvas.paint(dome, color)
    canvas.paint({(x, y) for x, y in dome if x % 2 == 0 and y > 1}, shade(color, 0.86))
    canvas.paint(box(7, 7, 24, 8), shade(color, 0.72))
    canvas.paint({(x, 7) for x in range(7, 25, 2)}, shade(color, 0.62))
    canvas.paint(box(14, 0, 17, 0), (242, 236, 224))


def headphones(canvas: Canvas, look: Look, view: str) -> None:
    band = (52, 52, 64)
    cup = (232, 84, 108)
    if view == "side":
        canvas.paint(spans({2: (16, 18), 3: (16, 18)}) | box(16, 4, 17, 8), band)
        canvas.paint(box(15, 9, 19, 13), cup)
        canvas.paint(box(16, 10, 18, 12), shade(cup, 0.75))
        return
    canvas.paint(spans({1: (12, 19), 2: (10, 11), 3: (8, 9)}) | spans({2: (20, 21), 3: (22, 23)}), band)
    canvas.paint(box(7, 4, 7, 8) | box(24, 4, 24, 8), band)
    canvas.paint(box(5, 9, 8, 13) | box(23, 9, 26, 13), cup)
    canvas.paint(box(5, 10, 5, 12) | box(26, 10, 26, 12), shade(cup, 0.7))


def earrings(canvas: Canvas, look: Look, view: str) -> None:
    gold = (246, 204, 80)
    if view == "front":
        canvas.paint({(7, 13), (24, 13)}, gold)
    elif view == "side":
        canvas.paint({(17, 13)}, gold)


def scarf(canvas: Canvas, look: Look, view: str) -> None:
    color = (240, 200, 86)
    canvas.paint(box(10, 16, 21, 17) if view != "side" else box(11, 16, 20, 17), color)
    canvas.paint({(x, 17) for x in range(10, 22, 2)}, shade(color, 0.8))
    if view == "front":
        canvas.paint(box(18, 18, 19, 21), color)
        canvas.paint(box(18, 21, 19, 21), shade(color, 0.8))


ACCESSORIES: dict[str, Callable[[Canvas, Look, str], None]] = {
    "glasses": glasses,
    "beard": beard,
    "cap": cap,
    "beanie": beanie,
    "headphones": headphones,
    "earrings": earrings,
    "scarf": scarf,
}


# ---------------------------------------------------------------------------------------------
# Whole frames.
# ---------------------------------------------------------------------------------------------


def draw_front(look: Look, step: int) -> Canvas:
    canvas = Canvas()
    front_legs(canvas, look, step)
    torso(canvas, look, 10, 21)
    front_arms(canvas, look, step)
    head(canvas, look)
    canvas.paint(box(7, 10, 7, 11) | box(24, 10, 24, 11), shade(look.skin, 0.92))
    face(canvas, look)
    hair(canvas, look, "front")
    accessories(canvas, look, "front")
    return canvas


def draw_back(look: Look, step: int) -> Canvas:
    canvas = Canvas()
    front_legs(canvas, look, step)
    torso(canvas, look, 10, 21)
    front_arms(canvas, look, step)
    head(canvas, look)
    canvas.paint(box(7, 10, 7, 11) | box(24, 10, 24, 11), shade(look.skin, 0.92))
    hair(canvas, look, "back")
    accessories(canvas, look, "back")
    return canvas


# Side-view leg poses (facing left): (front leg pixels, back leg pixels, front foot, back foot).
SIDE_STANCE = (box(13, 24, 16, 27), box(15, 24, 18, 27), box(12, 28, 16, 28), box(15, 28, 19, 28))
SIDE_STRIDE = (
    spans({24: (12, 15), 25: (11, 14), 26: (10, 13), 27: (10, 13)}),
    spans({24: (16, 19), 25: (17, 20), 26: (18, 21), 27: (19, 21)}),
    box(9, 28, 13, 28),
    spans({27: (22, 22), 28: (19, 22)}),
)


def side_legs(canvas: Canvas, look: Look, step: int) -> None:
    near, far = shade(look.bottom, 1.1), shade(look.bottom, 0.72)
    near_shoe, far_shoe = look.shoes, shade(look.shoes, 0.7)
    if step == 0:
        front, back, front_foot, back_foot = SIDE_STANCE
        canvas.paint(back, far)
        canvas.paint(back_foot, far_shoe)
        canvas.paint(front, near)
        canvas.paint(front_foot, near_shoe)
        return
    front, back, front_foot, back_foot = SIDE_STRIDE
    front_color, back_color = (near, far) if step == 1 else (far, near)
    front_shoe, back_shoe = (near_shoe, far_shoe) if step == 1 else (far_shoe, near_shoe)
    canvas.paint(front, front_color)
    canvas.paint(front_foot, front_shoe)
    canvas.paint(back, back_color)
    canvas.paint(back_foot, back_shoe)


def side_arm(canvas: Canvas, look: Look, step: int) -> None:
    """The near arm: forward with the far leg, backward with the near leg."""
    sleeve = shade(look.top, 0.82)
    if step == 0:
        canvas.paint(box(14, 18, 16, 21), sleeve)
        canvas.paint(box(14, 22, 16, 22), look.skin)
    elif step == 1:
        canvas.paint(spans({18: (15, 17), 19: (16, 18), 20: (17, 19), 21: (18, 20)}), sleeve)
        canvas.paint(box(19, 22, 20, 22) | {(21, 21)}, look.skin)
    else:
        canvas.paint(spans({18: (13, 15), 19: (12, 14), 20: (11, 13), 21: (10, 12)}), sleeve)
        canvas.paint(box(9, 22, 10, 22) | {(9, 21)}, look.skin)


def draw_side(look: Look, step: int) -> Canvas:
    """Facing left."""
    canvas = Canvas()
    side_legs(canvas, look, step)
    torso(canvas, look, 12, 19)
    if look.hair_style in ("long", "ponytail", "hijab"):
        canvas.paint(box(13, 18, 17, 22), shade(look.top, 0.93))
    head(canvas, look)
    side_face(canvas, look)
    canvas.paint(box(16, 10, 17, 12), shade(look.skin, 0.85))
    canvas.paint({(16, 11)}, shade(look.skin, 0.7))
    hair(canvas, look, "side")
    accessories(canvas, look, "side")
    side_arm(canvas, look, step)
    return canvas


def draw_frame(look: Look, direction: str, column: int) -> Image.Image:
    """Column 1 steps with the left foot: on screen that is the right leg when facing down or up."""
    step = (0, 1, -1)[column]
    if direction == "down":
        return draw_front(look, step).image()
    if direction == "up":
        return draw_back(look, step).image()
    side = draw_side(look, column).image()
    return side if direction == "left" else side.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def draw_sheet(look: Look) -> Image.Image:
    sheet = Image.new("RGBA", (FRAME * COLUMNS, FRAME * len(DIRECTIONS)), (0, 0, 0, 0))
    for row, direction in enumerate(DIRECTIONS):
        for column in range(COLUMNS):
            sheet.paste(draw_frame(look, direction, column), (column * FRAME, row * FRAME))
    return sheet


# Skin tones from light to deep.
PORCELAIN = (255, 224, 206)
FAIR = (246, 208, 178)
LIGHT = (236, 192, 154)
OLIVE = (212, 166, 118)
TAN = (196, 140, 96)
BROWN = (160, 106, 70)
DARK = (118, 74, 48)
DEEP = (88, 54, 36)

LOOKS = (
    Look("ada", "Ada", LIGHT, (158, 64, 40), "long", (52, 160, 150), (52, 62, 96), (70, 48, 40), ("glasses",)),
    Look("ben", "Ben", DARK, (34, 28, 30), "short", (232, 124, 48), (176, 150, 104), (60, 50, 46), ("beard",)),
    Look("chen", "Chen", FAIR, (30, 30, 38), "bob", (212, 60, 64), (44, 44, 56), (236, 232, 222), ("headphones",)),
    Look("dara", "Dara", DEEP, (40, 30, 30), "curly", (246, 200, 64), (120, 72, 160), (226, 222, 214), ("earrings",)),
    Look("elif", "Elif", OLIVE, (92, 58, 36), "ponytail", (86, 170, 88), (64, 70, 84), (150, 84, 56)),
    Look("finn", "Finn", PORCELAIN, (214, 104, 44), "spiky", (64, 110, 200), (70, 70, 80), (52, 46, 50), ("beard",)),
    Look("gita", "Gita", BROWN, (36, 30, 36), "bun", (204, 62, 150), (240, 226, 196), (120, 60, 60), ("earrings",)),
    Look(
        "hugo", "Hugo", TAN, (196, 196, 200), "bald", (44, 62, 110), (110, 100, 90), (48, 40, 38), ("glasses", "beard")
    ),
    Look("ines", "Inès", FAIR, (236, 196, 96), "long", (248, 132, 112), (84, 128, 196), (236, 232, 222), ("beanie",)),
    Look("jamal", "Jamal", DEEP, (30, 26, 28), "short", (224, 226, 230), (60, 64, 90), (210, 60, 56), ("cap",)),
    Look("kai", "Kai", TAN, (60, 160, 220), "mohawk", (44, 44, 52), (86, 86, 96), (236, 90, 70), ("headphones",)),
    Look("lena", "Lena", BROWN, (128, 72, 156), "hijab", (236, 170, 70), (70, 60, 90), (80, 56, 48), ("glasses",)),
    Look("milo", "Milo", LIGHT, (120, 78, 46), "curly", (120, 190, 214), (176, 112, 70), (64, 52, 48), ("scarf",)),
    Look("nora", "Nora", PORCELAIN, (62, 44, 40), "bun", (92, 88, 160), (52, 52, 64), (40, 36, 44), ("glasses",)),
)


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for look in LOOKS:
        draw_sheet(look).save(OUT_DIR / f"{look.slug}.png", optimize=True)
    catalog = [{"slug": look.slug, "name": look.name} for look in LOOKS]
    (OUT_DIR / "catalog.json").write_text(json.dumps(catalog, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(LOOKS)} sprite sheets to {OUT_DIR}")


if __name__ == "__main__":
    main()
