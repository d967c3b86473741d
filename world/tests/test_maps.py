"""Importing Tiled maps: the good ones work (WorkAdventure conventions), each bad one is refused clearly."""

import base64
import json
import struct
import zlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from world.engine.mapdata import MapData
from world.models import MapAsset, World
from world.tests.maps import FLOOR, WALL, room_map, tile_layer, tileset, tileset_png, write_map
from world.tiled import MapError, load_map_file

pytestmark = pytest.mark.django_db


def import_map(path, slug="test", *extra) -> str:
    out = StringIO()
    call_command("import_map", str(path), "--slug", slug, *extra, stdout=out)
    return out.getvalue()


def refused(tmp_path, tiled, *, image=True, name="map.tmj") -> str:
    path = write_map(tmp_path, tiled, name, image=image)
    with pytest.raises(CommandError) as error:
        import_map(path)
    assert not World.objects.exists()
    return str(error.value)


def test_import_creates_world_with_its_images(tmp_path):
    output = import_map(write_map(tmp_path, room_map()), "test", "--name", "Test Room")
    assert output.startswith("created world 'test' (Test Room): 20×12 tiles, 1 file(s)")
    world = World.objects.get(slug="test")
    assert (world.width, world.height, world.source_name) == (20, 12, "map.tmj")
    [asset] = MapAsset.objects.filter(world=world)
    assert asset.path.startswith("assets/")
    assert asset.path.endswith("-tiles.png")
    assert bytes(asset.content) == tileset_png()
    assert world.map_json["tilesets"][0]["image"] == asset.path


def test_reimport_is_idempotent_and_updates_on_change(tmp_path):
    path = write_map(tmp_path, room_map())
    import_map(path)
    version = World.objects.get().map_version
    assert import_map(path).startswith("unchanged world 'test'")
    changed = room_map()
    changed["layers"][3]["data"][5 * 20 + 5] = WALL
    write_map(tmp_path, changed)
    assert import_map(path).startswith("updated world 'test'")
    assert World.objects.get().map_version != version
    assert World.objects.count() == 1


def test_workadventure_conventions_are_read():
    data = MapData(room_map())
    assert data.blocked[0]
    assert data.blocked[3 * 20 + 10]
    assert not data.blocked[2 * 20 + 2]
    assert data.entries["start"] == [(2, 2), (3, 2)]
    assert data.entries["arrive"] == [(17, 10)]
    zones = {zone.name: zone for zone in data.zones}
    assert zones["Room"].kind == "meeting"
    assert zones["Room"].room == "room"
    assert zones["Quiet"].kind == "silent"
    assert zones["Hall"].kind == "plain"
    assert data.zone_of(12.5, 2.5).name == "Room"
    assert data.zone_of(3.5, 8.5).name == "Quiet"
    assert data.zone_of(15.5, 9.5) is None
    assert data.exit_of(18.5, 1.5).url == "other.tmj#arrive"


def test_tile_layer_properties_make_zones_too():
    tiled = room_map()
    tiled["layers"].append(
        tile_layer(
            "meet", 20, 12, {(15, 9): FLOOR}, properties=[{"name": "jitsiRoom", "type": "string", "value": "pod"}]
        )
    )
    tiled["layers"].append(
        tile_layer("hush", 20, 12, {(16, 9): FLOOR}, properties=[{"name": "silent", "type": "bool", "value": True}])
    )
    tiled["layers"].append(
        tile_layer("solid", 20, 12, {(17, 9): FLOOR}, properties=[{"name": "collides", "type": "bool", "value": True}])
    )
    data = MapData(tiled)
    assert data.zone_of(15.5, 9.5).kind == "meeting"
    assert data.zone_of(16.5, 9.5).kind == "silent"
    assert data.blocked[9 * 20 + 17]


def test_group_layers_and_external_and_tsx_tilesets(tmp_path):
    tiled = room_map()
    tiled["layers"] = [{"type": "group", "name": "ground", "layers": tiled["layers"][:4]}, *tiled["layers"][4:]]
    external = tileset()
    external.pop("firstgid")
    (tmp_path / "ts").mkdir()
    (tmp_path / "ts" / "tiles.png").write_bytes(tileset_png())
    (tmp_path / "ts" / "test.tsj").write_text(json.dumps(external))
    tiled["tilesets"] = [{"firstgid": 1, "source": "ts/test.tsj"}]
    loaded = load_map_file(write_map(tmp_path, tiled, image=False), max_tiles=10_000, max_bytes=10**7)
    assert MapData(loaded.map).entries["start"] == [(2, 2), (3, 2)]
    tsx = """<?xml version="1.0" encoding="UTF-8"?>
<tileset version="1.10" name="test" tilewidth="32" tileheight="32" tilecount="2" columns="2">
 <image source="tiles.png" width="64" height="32"/>
 <tile id="1"><properties><property name="collides" type="bool" value="true"/></properties></tile>
</tileset>"""
    (tmp_path / "ts" / "test.tsx").write_text(tsx)
    tiled["tilesets"] = [{"firstgid": 1, "source": "ts/test.tsx"}]
    loaded = load_map_file(write_map(tmp_path, tiled, image=False), max_tiles=10_000, max_bytes=10**7)
    assert MapData(loaded.map).blocked[0]
    assert loaded.map["tilesets"][0]["tiles"][0]["properties"][0]["value"] is True


def test_base64_zlib_layers_are_decoded(tmp_path):
    tiled = room_map()
    walls = tiled["layers"][3]
    packed = zlib.compress(struct.pack(f"<{len(walls['data'])}I", *walls["data"]))
    walls.update({"data": base64.b64encode(packed).decode(), "encoding": "base64", "compression": "zlib"})
    loaded = load_map_file(write_map(tmp_path, tiled), max_tiles=10_000, max_bytes=10**7)
    assert loaded.map["layers"][3]["data"] == room_map()["layers"][3]["data"]
    assert "encoding" not in loaded.map["layers"][3]


def test_not_json_is_refused(tmp_path):
    path = tmp_path / "map.tmj"
    path.write_text("<map></map>")
    with pytest.raises(CommandError, match="is not valid JSON"):
        import_map(path)


def test_tmx_files_are_refused_with_advice(tmp_path):
    path = tmp_path / "map.tmx"
    path.write_text("<map/>")
    with pytest.raises(CommandError, match="only Tiled JSON maps"):
        import_map(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="missing map file"):
        import_map(tmp_path / "nope.tmj")


@pytest.mark.parametrize(("change", "message"), [
    ({"orientation": "isometric"}, "only orthogonal maps are supported, this one is 'isometric'"),
    ({"infinite": True}, "infinite maps are not supported"),
    ({"width": 0}, "'width' must be a positive whole number"),
    ({"tilesets": []}, "the map has no tilesets"),
    ({"layers": []}, "the map has no layers"),
])  # fmt: skip
def test_bad_maps_are_refused_with_what_is_wrong(tmp_path, change, message):
    tiled = room_map()
    tiled.update(change)
    assert message in refused(tmp_path, tiled)


def test_missing_tileset_image_is_refused(tmp_path):
    assert "missing image for tileset 'test'" in refused(tmp_path, room_map(), image=False)


def test_missing_external_tileset_is_refused(tmp_path):
    tiled = room_map()
    tiled["tilesets"] = [{"firstgid": 1, "source": "nowhere.tsj"}]
    assert "missing external tileset" in refused(tmp_path, tiled)


def test_image_that_is_not_an_image_is_refused(tmp_path):
    path = write_map(tmp_path, room_map())
    (tmp_path / "tiles.png").write_text("not a png")
    with pytest.raises(CommandError, match=r"tiles\.png is not a readable image"):
        import_map(path)


def test_gid_out_of_range_is_refused(tmp_path):
    tiled = room_map()
    tiled["layers"][2]["data"][3 * 20 + 4] = 99
    assert "tile layer 'floor' uses gid 99 at (4, 3), but the tilesets only define gids 1–2" in refused(tmp_path, tiled)


def test_flipped_tiles_are_in_range(tmp_path):
    tiled = room_map()
    tiled["layers"][2]["data"][0] = FLOOR | 0x80000000
    import_map(write_map(tmp_path, tiled))
    assert World.objects.exists()


def test_wrong_layer_size_is_refused(tmp_path):
    tiled = room_map()
    tiled["layers"][2]["data"] = tiled["layers"][2]["data"][:-1]
    assert "tile layer 'floor' has 239 tiles, expected 20×12 = 240" in refused(tmp_path, tiled)


def test_too_large_maps_are_refused(tmp_path, settings):
    settings.WORLD_MAX_MAP_TILES = 100
    assert "the map is too large: 20×12 = 240 tiles, the limit is 100" in refused(tmp_path, room_map())
    settings.WORLD_MAX_MAP_TILES = 10_000
    settings.WORLD_MAX_MAP_BYTES = 2_000
    assert "larger than the limit of 2000 bytes" in refused(tmp_path, room_map())


def test_a_map_with_no_walkable_spawn_is_refused(tmp_path):
    tiled = room_map()
    tiled["layers"][0]["data"] = [0] * 240
    tiled["layers"][0]["data"][0] = FLOOR  # the start layer's only tile is in the outer wall
    assert "the spawn layer or area 'start' has no walkable tile" in refused(tmp_path, tiled)


def test_bad_slug_is_refused(tmp_path):
    with pytest.raises(CommandError, match="not a valid slug"):
        import_map(write_map(tmp_path, room_map()), "Bad Slug!")


def test_map_errors_are_never_tracebacks(tmp_path):
    for garbage in ["[]", "{}", '{"orientation": "orthogonal", "width": "x"}', '{"type": "tileset"}']:
        path = tmp_path / "map.tmj"
        path.write_text(garbage)
        with pytest.raises(MapError):
            load_map_file(path, max_tiles=10, max_bytes=10**6)


def test_the_demo_world_meets_the_brief(demo_worlds):
    demo = demo_worlds["demo"]
    assert demo.width >= 60
    assert demo.height >= 40
    data = MapData(demo.map_json)
    kinds = {zone.name: zone.kind for zone in data.zones}
    assert sorted(name for name, kind in kinds.items() if kind == "meeting") == ["Blue Room", "Green Room"]
    assert kinds["Library"] == "silent"
    assert sum(data.blocked) > 500  # walls and furniture collide
    [exit] = data.exits
    assert exit.target == "annex.tmj"
    assert "annex" in demo_worlds


def test_load_demo_is_idempotent(demo_worlds):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert out.getvalue().splitlines() == [
        "unchanged world 'demo' (71×46 tiles)",
        "unchanged world 'annex' (24×17 tiles)",
    ]


def test_map_and_images_are_served_with_long_caching(client, demo_worlds):
    demo = demo_worlds["demo"]
    response = client.get(demo.map_url)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    tiled = response.json()
    image = tiled["tilesets"][0]["image"]
    folder = demo.map_url.rsplit("/", 1)[0]
    picture = client.get(f"{folder}/{image}")
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert client.get("/maps/demo/0000/map.json").status_code == 404
    assert client.get(f"{folder}/assets/missing.png").status_code == 404
    assert client.get("/maps/nowhere/1/map.json").status_code == 404


def test_old_exit_property_name_is_read():
    tiled = room_map()
    tiled["layers"].append(
        tile_layer(
            "old-exit",
            20,
            12,
            {(1, 10): FLOOR},
            properties=[{"name": "exitSceneUrl", "type": "string", "value": "annex"}],
        )
    )
    assert MapData(tiled).exit_of(1.5, 10.5).target == "annex"
