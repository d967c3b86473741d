"""The generators redraw the committed assets exactly: a sprite, tile or map edited by hand, or a
change to a generator that moves a pixel, fails here (then run `make art` and commit, or undo)."""

from pathlib import Path

from PIL import Image

from tools import demo_maps
from tools.art import avatars, tileset

SPRITES = avatars.OUT_DIR
MAPS = tileset.MAPS_DIR


def assert_same_as_shipped(written: Path, shipped: Path, expected: set[str]) -> None:
    assert {path.name for path in written.iterdir()} == expected
    for name in sorted(expected):
        if name.endswith(".png"):
            with Image.open(written / name) as new, Image.open(shipped / name) as old:
                assert (new.mode, new.size, new.tobytes()) == (old.mode, old.size, old.tobytes()), name
        elif name.endswith(".wav"):
            assert (written / name).read_bytes() == (shipped / name).read_bytes(), name
        else:
            assert (written / name).read_text(encoding="utf-8") == (shipped / name).read_text(encoding="utf-8"), name


def test_the_avatar_generator_redraws_the_shipped_sprites(tmp_path, monkeypatch):
    monkeypatch.setattr(avatars, "OUT_DIR", tmp_path)
    avatars.main()
    slugs = {look.slug for look in avatars.LOOKS}
    assert_same_as_shipped(tmp_path, SPRITES, {f"{slug}.png" for slug in slugs} | {"catalog.json"})


def test_the_tileset_and_map_generators_rebuild_the_shipped_demo_maps(tmp_path, monkeypatch):
    monkeypatch.setattr(tileset, "MAPS_DIR", tmp_path)
    monkeypatch.setattr(demo_maps, "MAPS_DIR", tmp_path)
    tileset.main()
    demo_maps.main()
    assert_same_as_shipped(tmp_path, MAPS, {"office.png", "office.tsj", "demo.tmj", "annex.tmj", "kitchen.wav"})
