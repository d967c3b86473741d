"""docs/protocol.md is the world socket's contract: it sends exactly the message types documented
there, each with the documented keys, and builds them in world/messages.py only."""

import inspect
import json
import re
from pathlib import Path

from world import messages
from world.consumers import WorldConsumer
from world.engine.mapdata import Exit, MapData
from world.engine.state import PlayerState
from world.tests.maps import interactive_map, room_map

WORLD = Path(__file__).resolve().parents[1]
DOC = (WORLD.parent / "docs" / "protocol.md").read_text()
SECTION = DOC[DOC.index("## `/ws/world/<slug>/`") : DOC.index("## `/ws/chat/<slug>/`")]
SHARED = {"error", "closing"}  # every socket's (metaverse/sockets.py), documented under "Connecting"


def keys_at(start: int) -> set[str]:
    """The top-level keys of the example object that opens at SECTION[start]."""
    keys, depth, position = set(), 0, start
    while True:
        char = SECTION[position]
        if char == '"':
            end = SECTION.index('"', position + 1)
            if depth == 1 and SECTION[end + 1] == ":":
                keys.add(SECTION[position + 1 : end])
            position = end
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return keys
        position += 1


def documented_keys(kind: str) -> set[str]:
    """The keys of the fullest example of a message type (a request and its answer may share a
    type: `people`)."""
    starts = [match.start() for match in re.finditer(f'"type": "{kind}"', SECTION)]
    return max((keys_at(SECTION.rindex("{", 0, start)) for start in starts), key=len)


PLAYER_STATE = set(re.findall(r'"(\w+)"', re.search(r"A \*player state\* is `\{(.*?)\}`", SECTION, re.DOTALL)[1]))


def samples() -> dict[str, list[str]]:
    """What every builder of world/messages.py sends, with every optional part present."""
    mapdata = MapData(room_map())
    you = PlayerState(id=7, name="Alice", avatar="ada", avatar_url="/a.png", status="available", x=2.5, y=2.5)
    bob = PlayerState(id=9, name="Bob", avatar="ben", avatar_url="/b.png", status="busy", x=3.5, y=2.5)
    contacts = [{"id": 9, "initiator": True, "polite": False}]
    welcome = messages.welcome(
        world_id=1, slug="demo", name="Demo", map_url="/maps/demo/1/map.json", mapdata=mapdata, walk_speed=5.0,
        talk_radius=2.5, you=you, zone=mapdata.zones[0], areas=[], players=[bob], contacts=contacts,
        server_time=1795313603235,
    )  # fmt: skip
    tick = messages.tick(
        "1795313603335", bob.full_json(), bob.compact_json() + "," + you.compact_json(), bob.full_json(), "15,16"
    )
    return {
        "welcome": [welcome],
        "tick": [tick],
        "correction": [messages.correction(you, seq=12, reason="blocked")],
        "zone": [messages.zone(mapdata.zones[0]), messages.zone(None)],
        "areas": [messages.areas(MapData(interactive_map()).areas), messages.areas([])],
        "contacts": [messages.contacts(contacts, added=[9], removed=[])],
        "exit": [
            messages.exit(Exit(url="annex.tmj#from-demo", target="annex.tmj", entry="from-demo"), world="annex"),
            messages.exit(Exit(url="https://example.org/", target="https://example.org/", entry=""), world=None),
        ],
        "map_changed": [messages.map_changed("/maps/demo/2/map.json")],
        "pong": [messages.pong(1795313603000, server_time=1795313603012), messages.pong(None, server_time=1)],
        "people": [messages.people([{"id": 9, "name": "Bob"}])],
        "located": [messages.located({"id": 9, "x": 60.5, "y": 5.5, "zone": "Blue Room"})],
        "knock_sent": [messages.knock_sent(9)],
        "knocked": [messages.knocked({"id": 7, "name": "Alice"})],
        "knock_answered": [messages.knock_answered({"id": 9, "name": "Bob"}, accept=True)],
    }


def test_the_world_socket_sends_exactly_the_types_documented_for_it():
    built = {
        name
        for name, function in inspect.getmembers(messages, inspect.isfunction)
        if function.__module__ == messages.__name__
    }
    assert built == set(samples())  # every builder has a sample
    # Types only clients send; `people` is both a request and its answer.
    documented = set(re.findall(r'"type":\s*"(\w+)"', SECTION)) - (WorldConsumer.message_types - set(samples()))
    assert documented | SHARED == set(samples()) | SHARED
    before = DOC[: DOC.index("## `/ws/world/<slug>/`")]
    assert all(f'"type": "{kind}"' in before for kind in SHARED)


def test_each_message_parses_as_json_with_the_documented_keys():
    for kind, frames in samples().items():
        keys = documented_keys(kind)
        for frame in frames:
            message = json.loads(frame)
            assert message["type"] == kind
            if kind == "exit" and message["external"]:  # to another site: no entry or ws_url
                assert set(message) == keys - {"entry", "ws_url"}, frame
            else:
                assert set(message) == keys, frame
    welcome = json.loads(samples()["welcome"][0])
    assert set(welcome["world"]) == keys_at(SECTION.index('"world": {') + len('"world": '))
    areas = json.loads(samples()["areas"][0])["areas"]
    start = SECTION.index('{"type": "areas"')
    example = SECTION[start:]
    for part in ("website", "sound", "focus", "stage"):
        documented = keys_at(start + example.index(f'"{part}": {{') + len(f'"{part}": '))
        found = [set(area[part]) for area in areas if area[part]]
        assert found, part
        assert all(keys == documented for keys in found), part
    for area in areas:
        assert set(area) == keys_at(start + example.index('[{"id"') + 1)
    tick = json.loads(samples()["tick"][0])
    assert [len(entry) for entry in tick["moved"]] == [6, 6]  # [id, x, y, dir, moving, seq]
    assert len(PLAYER_STATE) == 10
    for state in (welcome["you"], *welcome["players"], *tick["entered"], *tick["updated"]):
        assert set(state) == PLAYER_STATE


def test_no_other_module_of_the_world_socket_builds_a_message_for_the_client():
    for path in [WORLD / "consumers.py", *(WORLD / "engine").glob("*.py")]:
        source = path.read_text()
        # Only the hub's talk with other processes (sync.*) and user events (world.*) remain.
        assert not re.findall(r'"type"\s*:\s*"(?!sync\.|world\.)|\{\{"type"', source), path.name
