"""Kitchen and lobby: counters, the fridge, tables and stools, the reception desk."""

from PIL import Image, ImageDraw

from tools.art.drawing import OUTLINE, artwork, block, disc, shade, soft_shadow

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
