"""Read a Tiled map from disk, check it, and normalise it for the server and the browser.

Accepted: orthogonal, finite JSON maps (`.tmj`/`.json`), with tilesets embedded or external
(`.tsj`/`.json` or `.tsx`), tile layer data as arrays or base64 (optionally zlib/gzip).
The normalised map embeds every tileset, stores tile data as plain arrays, and renames every
image to `assets/<hash>-<name>` so the browser fetches them next to the map. Anything else is
refused with a `MapError` whose message says what is wrong and where.
"""

import base64
import hashlib
import io
import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

FLIP_FLAGS = 0xF0000000  # horizontal, vertical, diagonal flips and hexagonal rotation
GID_MASK = 0x0FFFFFFF
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


class MapError(ValueError):
    """A map that cannot be used; the message says what is wrong."""


@dataclass
class LoadedMap:
    map: dict[str, Any]  # normalised Tiled JSON
    assets: dict[str, bytes] = field(default_factory=dict)  # "assets/<name>" -> file content
    source_name: str = ""

    @property
    def version(self) -> str:
        digest = hashlib.sha256(json.dumps(self.map, sort_keys=True).encode())
        for name in sorted(self.assets):
            digest.update(name.encode())
            digest.update(self.assets[name])
        return digest.hexdigest()[:12]


class _Reader:
    """Reads files relative to the map, keeping count of the bytes read against the limit."""

    def __init__(self, *, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.total = 0

    def read(self, path: Path, what: str) -> bytes:
        if not path.is_file():
            raise MapError(f"missing {what}: {path}")
        size = path.stat().st_size
        self.total += size
        if self.total > self.max_bytes:
            raise MapError(f"the map and its files are larger than the limit of {self.max_bytes} bytes")
        return path.read_bytes()


def load_map_file(path: str | Path, *, max_tiles: int, max_bytes: int) -> LoadedMap:
    map_path = Path(path)
    if map_path.suffix.lower() not in {".tmj", ".json"}:
        raise MapError(f"{map_path.name}: only Tiled JSON maps (.tmj or .json) are supported; export TMX as JSON")
    reader = _Reader(max_bytes=max_bytes)
    raw = reader.read(map_path, "map file")
    document = _parse_json(raw, map_path.name)
    loaded = LoadedMap(map={}, source_name=map_path.name)
    loaded.map = _normalise_map(document, map_path.parent, reader, loaded.assets, max_tiles=max_tiles)
    return loaded


def _parse_json(raw: bytes, name: str) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MapError(f"{name} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise MapError(f"{name} is not a Tiled map: expected a JSON object")
    return document


def _positive_int(document: dict[str, Any], key: str, where: str) -> int:
    value = document.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise MapError(f"{where}: '{key}' must be a positive whole number, not {value!r}")
    return value


def _normalise_map(
    document: dict[str, Any], base: Path, reader: _Reader, assets: dict[str, bytes], *, max_tiles: int
) -> dict[str, Any]:
    if document.get("type", "map") != "map":
        raise MapError(f"not a Tiled map: type is {document.get('type')!r}")
    orientation = document.get("orientation")
    if orientation != "orthogonal":
        raise MapError(f"only orthogonal maps are supported, this one is {orientation!r}")
    if document.get("infinite"):
        raise MapError("infinite maps are not supported: in Tiled, uncheck Map > Map Properties > Infinite")
    width = _positive_int(document, "width", "map")
    height = _positive_int(document, "height", "map")
    tile_width = _positive_int(document, "tilewidth", "map")
    tile_height = _positive_int(document, "tileheight", "map")
    if width * height > max_tiles:
        raise MapError(f"the map is too large: {width}×{height} = {width * height} tiles, the limit is {max_tiles}")
    if tile_width > 256 or tile_height > 256:
        raise MapError(f"tiles of {tile_width}×{tile_height} pixels are too large (at most 256)")

    raw_tilesets = document.get("tilesets")
    if not isinstance(raw_tilesets, list) or not raw_tilesets:
        raise MapError("the map has no tilesets")
    tilesets = [_load_tileset(entry, base, reader, assets) for entry in raw_tilesets]
    tilesets.sort(key=lambda tileset: tileset["firstgid"])
    max_gid = max(tileset["firstgid"] + tileset["tilecount"] - 1 for tileset in tilesets)

    raw_layers = document.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise MapError("the map has no layers")
    layers = [_normalise_layer(layer, width, height, max_gid, base, reader, assets, "") for layer in raw_layers]

    normalised = {key: value for key, value in document.items() if key not in {"tilesets", "layers"}}
    normalised.update({"tilesets": tilesets, "layers": layers, "type": "map"})
    return normalised


# --- Tilesets ------------------------------------------------------------------------------------


def _load_tileset(entry: Any, base: Path, reader: _Reader, assets: dict[str, bytes]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise MapError("a tileset entry is not a JSON object")
    firstgid = entry.get("firstgid")
    if not isinstance(firstgid, int) or isinstance(firstgid, bool) or firstgid < 1:
        raise MapError(f"a tileset has a bad firstgid {firstgid!r}")
    if "source" in entry:
        source = base / str(entry["source"])
        raw = reader.read(source, "external tileset")
        tileset = _parse_tsx(raw, source.name) if source.suffix.lower() == ".tsx" else _parse_json(raw, source.name)
        tileset_base = source.parent
    else:
        tileset = dict(entry)
        tileset_base = base
    tileset.pop("source", None)
    tileset["firstgid"] = firstgid
    name = str(tileset.get("name") or f"tileset at gid {firstgid}")
    where = f"tileset '{name}'"
    tilecount = _positive_int(tileset, "tilecount", where)
    _positive_int(tileset, "tilewidth", where)
    _positive_int(tileset, "tileheight", where)
    if "image" in tileset:
        tileset["image"], size = _store_image(tileset_base / str(tileset["image"]), reader, assets, where)
        tileset["imagewidth"], tileset["imageheight"] = size
        columns = tileset.get("columns")
        if not isinstance(columns, int) or columns <= 0:
            raise MapError(f"{where}: 'columns' must be a positive whole number")
    tiles = tileset.get("tiles", [])
    if not isinstance(tiles, list):
        raise MapError(f"{where}: 'tiles' must be a list")
    for tile in tiles:
        if not isinstance(tile, dict) or not isinstance(tile.get("id"), int):
            raise MapError(f"{where}: every entry of 'tiles' needs an integer 'id'")
        if not 0 <= tile["id"] < tilecount:
            raise MapError(f"{where}: tile id {tile['id']} is outside 0–{tilecount - 1}")
        if "image" in tile:
            tile["image"], size = _store_image(tileset_base / str(tile["image"]), reader, assets, where)
            tile["imagewidth"], tile["imageheight"] = size
    if "image" not in tileset and not any("image" in tile for tile in tiles):
        raise MapError(f"{where} has no image")
    return tileset


def _parse_tsx(raw: bytes, name: str) -> dict[str, Any]:
    """The subset of the TSX (XML) tileset format that JSON tilesets carry."""
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as error:
        raise MapError(f"{name} is not a valid TSX tileset: {error}") from None
    if root.tag != "tileset":
        raise MapError(f"{name} is not a TSX tileset")
    tileset: dict[str, Any] = {"name": root.get("name", name)}
    for key in ("tilewidth", "tileheight", "tilecount", "columns", "margin", "spacing"):
        if root.get(key) is not None:
            tileset[key] = _xml_int(root.get(key), name, key)
    image = root.find("image")
    if image is not None:
        tileset["image"] = image.get("source", "")
    tileset["properties"] = _xml_properties(root, name)
    tiles = []
    for tile in root.findall("tile"):
        entry: dict[str, Any] = {"id": _xml_int(tile.get("id"), name, "tile id")}
        if tile.get("type"):
            entry["type"] = tile.get("type")
        properties = _xml_properties(tile, name)
        if properties:
            entry["properties"] = properties
        tile_image = tile.find("image")
        if tile_image is not None:
            entry["image"] = tile_image.get("source", "")
        animation = tile.find("animation")
        if animation is not None:
            entry["animation"] = [
                {
                    "tileid": _xml_int(frame.get("tileid"), name, "tileid"),
                    "duration": _xml_int(frame.get("duration"), name, "duration"),
                }
                for frame in animation.findall("frame")
            ]
        tiles.append(entry)
    if tiles:
        tileset["tiles"] = tiles
    return tileset


def _xml_int(value: str | None, name: str, key: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise MapError(f"{name}: {key} {value!r} is not a whole number") from None


def _xml_properties(element: ET.Element, name: str) -> list[dict[str, Any]]:
    container = element.find("properties")
    if container is None:
        return []
    properties = []
    for prop in container.findall("property"):
        kind = prop.get("type", "string")
        text = prop.get("value", prop.text or "")
        value: Any = text
        if kind == "bool":
            value = text.lower() == "true"
        elif kind == "int":
            value = _xml_int(text, name, f"property {prop.get('name')}")
        elif kind == "float":
            try:
                value = float(text)
            except ValueError:
                raise MapError(f"{name}: property {prop.get('name')} is not a number") from None
        properties.append({"name": prop.get("name", ""), "type": kind, "value": value})
    return properties


def _store_image(path: Path, reader: _Reader, assets: dict[str, bytes], where: str) -> tuple[str, tuple[int, int]]:
    content = reader.read(path, f"image for {where}")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or ""
            size = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, struct.error) as error:
        raise MapError(f"{where}: {path.name} is not a readable image ({error})") from None
    if kind not in IMAGE_TYPES:
        raise MapError(f"{where}: {path.name} is a {kind or 'unknown'} image; use PNG, JPEG, GIF or WebP")
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", path.name)[-60:]
    asset = f"assets/{hashlib.sha256(content).hexdigest()[:10]}-{safe_name}"
    assets[asset] = content
    return asset, size


# --- Layers --------------------------------------------------------------------------------------


def _normalise_layer(
    layer: Any,
    width: int,
    height: int,
    max_gid: int,
    base: Path,
    reader: _Reader,
    assets: dict[str, bytes],
    parent: str,
) -> dict[str, Any]:
    if not isinstance(layer, dict):
        raise MapError("a layer is not a JSON object")
    kind = layer.get("type")
    name = f"{parent}{layer.get('name', '')}"
    result = dict(layer)
    if kind == "tilelayer":
        result["data"] = _tile_data(layer, width, height, max_gid, name)
        result.pop("encoding", None)
        result.pop("compression", None)
        result.pop("chunks", None)
    elif kind == "objectgroup":
        if not isinstance(layer.get("objects", []), list):
            raise MapError(f"object layer '{name}': 'objects' must be a list")
        result["objects"] = [
            _ship_sounds(obj, base, reader, assets, f"object '{obj.get('name', '')}' in layer '{name}'")
            if isinstance(obj, dict)
            else obj
            for obj in layer.get("objects", [])
        ]
    elif kind == "imagelayer":
        if layer.get("image"):
            result["image"], _ = _store_image(base / str(layer["image"]), reader, assets, f"image layer '{name}'")
    elif kind == "group":
        children = layer.get("layers", [])
        if not isinstance(children, list):
            raise MapError(f"group layer '{name}': 'layers' must be a list")
        result["layers"] = [
            _normalise_layer(child, width, height, max_gid, base, reader, assets, f"{name}/") for child in children
        ]
    else:
        raise MapError(f"layer '{name}' has an unknown type {kind!r}")
    return _ship_sounds(result, base, reader, assets, f"layer '{name}'")


SOUND_PROPERTIES = ("playAudio", "playAudioLoop")
SOUND_TYPES = {b"OggS": "ogg", b"ID3": "mp3", b"\xff\xfb": "mp3", b"\xff\xf3": "mp3", b"fLaC": "flac"}


def _ship_sounds(
    owner: dict[str, Any], base: Path, reader: _Reader, assets: dict[str, bytes], where: str
) -> dict[str, Any]:
    """A `playAudio` naming a file next to the map: the file is stored with the map (like its
    images) and the property rewritten to where it is served ("assets/…")."""
    properties = owner.get("properties")
    if not isinstance(properties, list):
        return owner
    shipped = []
    for prop in properties:
        value = prop.get("value") if isinstance(prop, dict) else None
        if prop_is_sound_file(prop, value):
            path = base / str(value)
            content = reader.read(path, f"sound for {where}")
            if not (any(content.startswith(magic) for magic in SOUND_TYPES) or is_wave(content)):
                raise MapError(f"{where}: {path.name} is not a sound file (use Ogg, MP3, FLAC or WAV)")
            safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", path.name)[-60:]
            asset = f"assets/{hashlib.sha256(content).hexdigest()[:10]}-{safe_name}"
            assets[asset] = content
            prop = {**prop, "value": asset}
        shipped.append(prop)
    return {**owner, "properties": shipped}


def prop_is_sound_file(prop: Any, value: Any) -> bool:
    if not isinstance(prop, dict) or prop.get("name") not in SOUND_PROPERTIES or not isinstance(value, str):
        return False
    value = value.strip()
    return bool(value) and ":" not in value and not value.startswith("/")


def is_wave(content: bytes) -> bool:
    return content.startswith(b"RIFF") and content[8:12] == b"WAVE"


def _tile_data(layer: dict[str, Any], width: int, height: int, max_gid: int, name: str) -> list[int]:
    if layer.get("width", width) != width or layer.get("height", height) != height:
        raise MapError(
            f"tile layer '{name}' is {layer.get('width')}×{layer.get('height')}, not the map's {width}×{height}"
        )
    raw = layer.get("data")
    encoding = layer.get("encoding", "csv")
    if encoding == "base64":
        gids = _decode_base64(raw, layer.get("compression", ""), name, expected=width * height)
    elif encoding == "csv" and isinstance(raw, list):
        gids = raw
    else:
        raise MapError(f"tile layer '{name}' has data in an unsupported form (encoding {encoding!r})")
    if len(gids) != width * height:
        raise MapError(f"tile layer '{name}' has {len(gids)} tiles, expected {width}×{height} = {width * height}")
    for index, gid in enumerate(gids):
        if not isinstance(gid, int) or isinstance(gid, bool) or gid < 0 or gid > 0xFFFFFFFF:
            raise MapError(f"tile layer '{name}' has a bad gid {gid!r} at ({index % width}, {index // width})")
        if (gid & GID_MASK) > max_gid:
            raise MapError(
                f"tile layer '{name}' uses gid {gid & GID_MASK} at ({index % width}, {index // width}), "
                f"but the tilesets only define gids 1–{max_gid}"
            )
    return gids


def _decode_base64(raw: Any, compression: str, name: str, *, expected: int) -> list[int]:
    if not isinstance(raw, str):
        raise MapError(f"tile layer '{name}': base64 data must be a string")
    if compression not in {"", "zlib", "gzip"}:
        raise MapError(f"tile layer '{name}': {compression} compression is not supported (use zlib, gzip or none)")
    try:
        data = base64.b64decode(raw, validate=True)
        if compression:
            # Bounded, so that a small compressed layer cannot expand without limit.
            inflater = zlib.decompressobj(47)  # 32 + 15: zlib or gzip header, detected
            data = inflater.decompress(data, expected * 4 + 4)
    except (ValueError, zlib.error) as error:
        raise MapError(f"tile layer '{name}': its base64 data cannot be decoded ({error})") from None
    if len(data) % 4:
        raise MapError(f"tile layer '{name}': its data is not a whole number of 4-byte gids")
    return list(struct.unpack(f"<{len(data) // 4}I", data))
