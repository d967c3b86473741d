"""Interactive areas (world/areas.py): WorkAdventure's area properties read from a map, bad values
refused with the object named, unknown ones listed as ignored, and the engine telling a player
the areas it walks into and out of."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from world.engine.mapdata import MapData
from world.models import MapAsset, World
from world.tests.maps import area, interactive_map, room_map, write_map
from world.tests.test_engine import join, make_engine, walk

OGG = b"OggS\x00\x02" + bytes(40)


def import_map(path, slug="test") -> str:
    out = StringIO()
    call_command("import_map", str(path), "--slug", slug, stdout=out)
    return out.getvalue()


def by_name(mapdata: MapData) -> dict[str, dict]:
    return {each.name: each.as_json() for each in mapdata.areas}


def test_each_property_is_read_with_workadventures_names_and_defaults():
    areas = by_name(MapData(interactive_map(), strict=True))
    assert areas["Notice board"]["website"] == {
        "url": "/about/", "trigger": "action", "width": 50, "policy": "", "closable": False, "prompt": "",
    }  # fmt: skip
    assert areas["Notice board"]["bounds"] == [3, 8, 6, 10]
    assert areas["Welcome"]["website"] == {
        "url": "https://example.org/welcome", "trigger": "enter", "width": 40, "policy": "fullscreen",
        "closable": True, "prompt": "",
    }  # fmt: skip
    assert areas["Kitchen"]["sound"] == {"url": "https://sounds.example.org/kitchen.ogg", "loop": True, "volume": 0.4}
    assert (areas["Stage"]["stage"], areas["Stage"]["focus"]) == ({"name": "garden", "role": "speaker"}, {"margin": 1})
    assert areas["Audience"]["stage"] == {"name": "garden", "role": "listener"}
    assert areas["Audience"]["focus"] is None
    assert areas["Audience"]["website"] is None


def test_overlapping_areas_are_all_in_force_and_zones_are_not_areas():
    mapdata = MapData(interactive_map(openWebsiteTrigger="", playAudio="/static/sea.ogg"))
    assert [each.name for each in mapdata.areas_of(4.5, 8.5)] == ["Notice board"]
    board = mapdata.areas_of(4.5, 8.5)[0].features
    assert (board.website and board.website.trigger, board.sound and board.sound.url) == ("enter", "/static/sea.ogg")
    assert mapdata.zone_of(4.5, 8.5).name == "Quiet"  # the board stands in the silent corner: both hold
    assert mapdata.areas_of(6.5, 2.5)[0].name == "Kitchen"  # inside the Hall zone
    assert mapdata.areas_of(1.5, 1.5) == []
    assert mapdata.areas_of(-3, 99) == []


@pytest.mark.django_db
def test_properties_nothing_here_reads_are_listed_as_ignored_with_a_note_never_an_error(tmp_path):
    tiled = interactive_map()
    tiled["layers"][-1]["objects"].append(area("Odd", 8, 9, 1, 1, customThing="x", jitsiTrigger="onaction"))
    output = import_map(write_map(tmp_path, tiled))
    assert "5 interactive area(s)" in output.splitlines()[0]
    assert "ignored: area 'Welcome' (object ? in layer 'interactions'): openWebsiteAllowApi" in output
    assert "ignored: area 'Odd' (object ? in layer 'interactions'): customThing, jitsiTrigger" in output
    assert "note: openWebsiteAllowApi: the scripting API is not supported" in output
    assert World.objects.filter(slug="test").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"openWebsite": "javascript:alert(1)"}, "property openWebsite must be an http(s) URL"),
        ({"openWebsite": "not a url"}, "property openWebsite must be an http(s) URL"),
        ({"openWebsite": "//evil.example/x"}, "property openWebsite must be an http(s) URL"),
        ({"openWebsite": "/\\evil.example/x"}, "property openWebsite must be an http(s) URL"),
        ({"openWebsiteTrigger": "sometimes"}, "openWebsiteTrigger must be onaction or empty"),
        ({"openWebsiteWidth": 500}, "openWebsiteWidth must be between 10 and 90"),
        ({"openWebsitePolicy": 'camera"><script>'}, "openWebsitePolicy is not an iframe allow list"),
        ({"playAudio": "data:audio/ogg;base64,AAAA"}, "property playAudio must be an http(s) URL"),
        ({"playAudio": "https://s.example/a.ogg", "audioVolume": -0.5}, "audioVolume must be between 0 and 1"),
        ({"playAudio": "https://s.example/a.ogg", "audioVolume": "loud"}, "audioVolume must be a number"),
        ({"focusable": "perhaps"}, "focusable must be true or false"),
        ({"speakerMegaphone": "a", "listenerMegaphone": "a"}, "a stage's speaker area or a listener area, not both"),
    ],
)
def test_a_bad_value_refuses_the_import_naming_the_object(tmp_path, properties, message):
    path = write_map(tmp_path, interactive_map(**properties))
    with pytest.raises(CommandError) as refused:
        import_map(path)
    assert "area 'Notice board' (object ? in layer 'interactions')" in str(refused.value)
    assert message in str(refused.value)
    assert not World.objects.exists()


@pytest.mark.django_db
def test_a_sound_shipped_with_the_map_is_stored_and_served_as_audio(tmp_path, client):
    (tmp_path / "sounds").mkdir()
    (tmp_path / "sounds" / "kettle.ogg").write_bytes(OGG)
    import_map(write_map(tmp_path, interactive_map(playAudio="sounds/kettle.ogg")))
    world = World.objects.get(slug="test")
    sound = by_name(MapData(world.map_json))["Notice board"]["sound"]
    assert sound["url"].startswith("assets/")
    assert sound["url"].endswith("-kettle.ogg")
    asset = MapAsset.objects.get(world=world, path=sound["url"])
    assert (bytes(asset.content), asset.content_type) == (OGG, "audio/ogg")
    served = client.get(world.map_url.replace("map.json", sound["url"]))
    assert (served.status_code, served["Content-Type"], served.content) == (200, "audio/ogg", OGG)


@pytest.mark.django_db
def test_a_shipped_file_that_is_not_a_sound_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError) as refused:
        import_map(write_map(tmp_path, interactive_map(playAudio="notes.txt")))
    assert "notes.txt is not a sound file" in str(refused.value)


def test_a_stored_map_with_a_bad_area_still_loads_without_that_area():
    tiled = interactive_map(openWebsite="javascript:alert(1)")  # stored before the checks existed
    mapdata = MapData(tiled)
    assert "Notice board" not in by_name(mapdata)
    assert "Kitchen" in by_name(mapdata)


def test_walking_in_and_out_of_areas_is_reported_once_each_way():
    engine = make_engine(interactive_map())
    alice = join(engine, 1, 2.5, 8.5)
    assert engine.areas_of(alice) == []
    now = alice.last_move
    steps = [(3.2, 8.5, True), (3.6, 8.5, False), (4.4, 8.5, False), (5.5, 8.5, False), (6.2, 8.5, True)]
    for index, (x, y, told) in enumerate(steps, start=1):
        result = walk(engine, alice, x, y, at=now + index * 0.2)
        assert (result.accepted, result.areas_changed) == (True, told), (x, y)
        if x < 6:
            assert [each.name for each in engine.areas_of(alice)] == ["Notice board"]
    assert engine.areas_of(alice) == []


def test_the_welcome_carries_the_areas_you_arrive_in():
    import json

    engine = make_engine(interactive_map())
    bob = join(engine, 2, 15.5, 8.5)
    welcome = json.loads(engine.welcome(bob))
    assert [each["name"] for each in welcome["areas"]] == ["Audience"]
    assert json.loads(engine.welcome(join(engine, 3, 2.5, 2.5)))["areas"] == []


def test_a_map_without_interactive_areas_has_none():
    mapdata = MapData(room_map())
    assert (mapdata.areas, mapdata.area_sets, mapdata.ignored) == ([], [()], [])


def test_an_interactive_area_is_not_also_a_named_zone():
    mapdata = MapData(interactive_map())
    names = {zone.name for zone in mapdata.zones}
    assert names == {"Room", "Quiet", "Hall"}  # not "Kitchen", "Notice board", "Stage", …
    assert mapdata.zone_of(6.5, 2.5).name == "Hall"  # in the kitchen's sound: still in the hall


def test_a_workadventure_map_s_own_spelling_works_unchanged(tmp_path):
    """As WorkAdventure's map starter kit writes them: Tiled 1.9+ objects with `class` (not
    `type`), ids, a website on a tile layer, properties typed as Tiled types them."""
    tiled = room_map()
    floor = tiled["layers"][2]
    board = {8 * 20 + 13, 8 * 20 + 14}  # tiles (13, 8) and (14, 8)
    tiled["layers"].insert(3, {
        **floor, "name": "openwebsite", "data": [1 if index in board else 0 for index in range(240)],
        "properties": [
            {"name": "openWebsite", "type": "string", "value": "https://workadventu.re/"},
            {"name": "openWebsiteTrigger", "type": "string", "value": "onaction"},
            {"name": "openWebsiteTriggerMessage", "type": "string", "value": "Press SPACE or touch here to open"},
        ],
    })  # fmt: skip
    tiled["layers"].append(
        {"type": "objectgroup", "name": "floorLayer/areas", "id": 40, "visible": True, "opacity": 1, "x": 0, "y": 0,
         "objects": [
             {"id": 7, "class": "area", "name": "Jukebox", "x": 64, "y": 256, "width": 96, "height": 64,
              "rotation": 0, "visible": True, "properties": [
                  {"name": "playAudio", "type": "string", "value": "https://example.org/jazz.mp3"},
                  {"name": "audioVolume", "type": "float", "value": 0.2}]},
         ]},
    )  # fmt: skip
    mapdata = MapData(tiled, strict=True)
    areas = {each.name: each.as_json() for each in mapdata.areas}
    assert areas["openwebsite"]["website"]["url"] == "https://workadventu.re/"
    assert areas["openwebsite"]["website"]["prompt"] == "Press SPACE or touch here to open"
    assert areas["openwebsite"]["bounds"] == [13, 8, 15, 9]
    assert areas["Jukebox"]["sound"] == {"url": "https://example.org/jazz.mp3", "loop": False, "volume": 0.2}
    assert areas["Jukebox"]["bounds"] == [2, 8, 5, 10]
