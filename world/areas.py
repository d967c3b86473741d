"""Interactive areas: what a map's areas do to the people inside them, read from WorkAdventure's
property names (docs/maps.md): a website beside the map (`openWebsite…`), a sound (`playAudio…`),
a camera that frames the area (`focusable`), a stage (`speakerMegaphone` / `listenerMegaphone`).

Pure: read from the properties of an area object or a tile layer, checked (a bad value refuses
the map with a message naming the object), and turned into the plain JSON the world socket sends
(`areas`). Properties nobody here reads are listed as ignored, never an error."""

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from world.tiled import MapError

# Read by world/engine/mapdata.py (places, zones, walls) or here: anything else is ignored.
UNDERSTOOD = {
    "collides", "startLayer", "exitUrl", "exitSceneUrl", "jitsiRoom", "jitsiRoomName", "silent", "zone",
    "openWebsite", "openWebsiteTrigger", "openWebsiteWidth", "openWebsitePolicy", "openWebsiteClosable",
    "openWebsiteTriggerMessage", "playAudio", "playAudioLoop", "audioLoop", "audioVolume", "focusable",
    "zoom_margin", "speakerMegaphone", "listenerMegaphone",
}  # fmt: skip
# Read and deliberately not acted on, each with why (import_map prints it).
NOTED = {
    "openWebsiteAllowApi": "the scripting API is not supported: the website opens without it",
    "script": "the scripting API is not supported",
    "jitsiTrigger": "meeting rooms start when you walk in",
    "jitsiTriggerMessage": "meeting rooms start when you walk in",
}
# An area with one of these does something: it is not also a named zone (docs/maps.md).
INTERACTIVE = {"openWebsite", "playAudio", "playAudioLoop", "focusable", "speakerMegaphone", "listenerMegaphone"}
WEBSITE_TRIGGERS = {"": "enter", "onenter": "enter", "onaction": "action", "onicon": "action"}
DEFAULT_WEBSITE_WIDTH = 50  # percent of the screen
MAX_TEXT = 500


@dataclass(frozen=True)
class Website:
    url: str
    trigger: str  # "enter": opens on walking in; "action": the page offers to open it
    width: int  # percent of the screen, 10–90
    policy: str  # the iframe's `allow` list
    closable: bool  # kept open after leaving the area, until closed
    prompt: str  # what the page says to offer it ("action"), "" for its own words

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url, "trigger": self.trigger, "width": self.width, "policy": self.policy,
            "closable": self.closable, "prompt": self.prompt,
        }  # fmt: skip


@dataclass(frozen=True)
class Sound:
    url: str  # absolute, a path on this site, or a file shipped with the map ("assets/…")
    loop: bool
    volume: float  # 0–1

    def as_json(self) -> dict[str, Any]:
        return {"url": self.url, "loop": self.loop, "volume": self.volume}


@dataclass(frozen=True)
class Stage:
    name: str  # speakers and listeners of one stage share it
    role: str  # "speaker" or "listener"

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role}


@dataclass(frozen=True)
class Features:
    website: Website | None = None
    sound: Sound | None = None
    focus_margin: float | None = None  # focusable: the margin around the area, in tiles
    stage: Stage | None = None
    ignored: tuple[str, ...] = field(default=())  # property names left unread

    def __bool__(self) -> bool:
        return any(value is not None for value in (self.website, self.sound, self.focus_margin, self.stage))


def read_features(properties: dict[str, Any], where: str) -> Features:
    """What an area's (or tile layer's) properties make it do; MapError names `where` and the
    property when a value cannot be used."""
    ignored = tuple(sorted(name for name in properties if name not in UNDERSTOOD))
    return Features(
        website=_website(properties, where),
        sound=_sound(properties, where),
        focus_margin=_focus(properties, where),
        stage=_stage(properties, where),
        ignored=ignored,
    )


def _text(properties: dict[str, Any], name: str, where: str) -> str:
    value = properties.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MapError(f"{where}: property {name} must be text, not {type(value).__name__}")
    if len(value) > MAX_TEXT:
        raise MapError(f"{where}: property {name} is longer than {MAX_TEXT} characters")
    return value.strip()


def _flag(properties: dict[str, Any], name: str, where: str, default: bool = False) -> bool:
    value = properties.get(name, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise MapError(f"{where}: property {name} must be true or false, not {value!r}")


def _number(properties: dict[str, Any], name: str, where: str, low: float, high: float, default: float) -> float:
    value = properties.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise MapError(f"{where}: property {name} must be a number, not {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise MapError(f"{where}: property {name} must be a number, not {value!r}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise MapError(f"{where}: property {name} must be between {low:g} and {high:g}, not {value!r}")
    return number


def checked_url(value: str, *, name: str, where: str, map_files: bool = False) -> str:
    """An http(s) URL, a path on this site ("/about/"), or (`map_files`) a file shipped with the
    map as the importer stored it ("assets/…"). Anything else (javascript:, data:, //host) is refused."""
    if map_files and value.startswith("assets/") and ".." not in value:
        return value
    parts = urlsplit(value)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return value
    on_this_site = value.startswith("/") and not value.startswith("//") and "\\" not in value  # "/\\host" is a host
    if not parts.scheme and not parts.netloc and on_this_site:
        return value
    shipped = " or a file shipped with the map" if map_files else ""
    raise MapError(f"{where}: property {name} must be an http(s) URL, a path on this site{shipped}, not {value!r}")


def _website(properties: dict[str, Any], where: str) -> Website | None:
    url = _text(properties, "openWebsite", where)
    if not url:
        return None
    trigger = _text(properties, "openWebsiteTrigger", where).lower()
    if trigger not in WEBSITE_TRIGGERS:
        raise MapError(f"{where}: property openWebsiteTrigger must be onaction or empty, not {trigger!r}")
    width = _number(properties, "openWebsiteWidth", where, 10, 90, DEFAULT_WEBSITE_WIDTH)
    policy = _text(properties, "openWebsitePolicy", where)
    if any(character in policy for character in '"<>'):
        raise MapError(f"{where}: property openWebsitePolicy is not an iframe allow list: {policy!r}")
    return Website(
        url=checked_url(url, name="openWebsite", where=where),
        trigger=WEBSITE_TRIGGERS[trigger],
        width=round(width),
        policy=policy,
        closable=_flag(properties, "openWebsiteClosable", where),
        prompt=_text(properties, "openWebsiteTriggerMessage", where),
    )


def _sound(properties: dict[str, Any], where: str) -> Sound | None:
    url, name, loop = _text(properties, "playAudio", where), "playAudio", _flag(properties, "audioLoop", where)
    if not url:  # the older name: a sound that loops
        url, name, loop = _text(properties, "playAudioLoop", where), "playAudioLoop", True
    if not url:
        return None
    volume = _number(properties, "audioVolume", where, 0, 1, 1)
    return Sound(url=checked_url(url, name=name, where=where, map_files=True), loop=loop, volume=volume)


def _focus(properties: dict[str, Any], where: str) -> float | None:
    if not _flag(properties, "focusable", where):
        return None
    return _number(properties, "zoom_margin", where, 0, 20, 0)


def _stage(properties: dict[str, Any], where: str) -> Stage | None:
    speaker, listener = _text(properties, "speakerMegaphone", where), _text(properties, "listenerMegaphone", where)
    if speaker and listener:
        raise MapError(f"{where}: an area is a stage's speaker area or a listener area, not both")
    if speaker:
        return Stage(name=speaker, role="speaker")
    if listener:
        return Stage(name=listener, role="listener")
    return None
