"""The garden: its edges (hedges, fences, flower beds, bushes) and what stands in it (trees, the
fountain, benches, lamp posts).
"""

import random

from PIL import Image, ImageDraw

from tools.art.drawing import LEAF, OUTLINE, artwork, disc, leaf_clusters, put, shade, soft_shadow, speckle_box


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


# What stands in the garden.


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
