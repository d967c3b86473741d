"""What every drawing of the office tileset shares: the 32×32 tile, the registry of artwork (each
drawing and the named pieces it is cut into, ``solid`` ones blocking the way) and the pixel helpers.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw

TILE = 32

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


def speckle_box(img: Image.Image, rng: random.Random, box: Box, color: RGB, count: int) -> None:
    x0, y0, x1, y1 = box
    for _ in range(count):
        put(img, rng.randint(x0, x1), rng.randint(y0, y1), color)


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
