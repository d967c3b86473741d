"""A world's areas as moderators edit them (world.models.Area), kept in step with its map.

The map holds the truth: an area row is made for every area object at import, and an edit is
written back into the stored map's object (WorkAdventure's property names), which gets a new
version, so every server reloads it and every page inside gets `map_changed` and then `areas`.
An edited area survives a re-import only when the operator asks (`import_map --keep-area-edits`):
its edit is written into the new map's object of the same layer and name."""

import hashlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from metaverse.errors import AppError
from metaverse.events import world_event_after_commit
from world.areas import checked_url, read_features
from world.engine.mapdata import is_area_object, iter_layers, object_rect, properties_of, truthy
from world.models import Area, AreaKind, World
from world.tiled import MapError

# The properties an area row stands for; the object's others (exitUrl, startLayer, …) are kept.
MANAGED = {
    "jitsiRoom", "silent", "openWebsite", "openWebsiteTrigger", "openWebsiteWidth", "openWebsitePolicy",
    "openWebsiteClosable", "playAudio", "playAudioLoop", "audioLoop", "audioVolume", "focusable", "zoom_margin",
    "speakerMegaphone", "listenerMegaphone",
}  # fmt: skip


class AreaError(AppError):
    """An edit that cannot be made; `field` names the form field at fault."""


def map_area_objects(tiled: dict[str, Any]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Every rectangle area object of a map: (its layer's full name, its place in it, itself)."""
    for layer_name, layer in iter_layers(tiled.get("layers", [])):
        if layer.get("type") == "objectgroup":
            for position, obj in enumerate(layer.get("objects", [])):
                if is_area_object(obj):
                    yield layer_name, position, obj


def area_row(world: World, layer: str, position: int, obj: dict[str, Any]) -> Area:
    """The row for one area object of the world's (already checked) map."""
    properties = properties_of(obj)
    name = str(obj.get("name") or "")
    features = read_features(properties, f"area '{name}'")
    room = properties.get("jitsiRoom")
    room = room.strip() if isinstance(room, str) else ""
    kind = AreaKind.MEETING if room else AreaKind.SILENT if truthy(properties.get("silent")) else AreaKind.PLAIN
    left, top, right, bottom = object_rect(obj, world.map_json) or (0, 0, 0, 0)
    website, sound, stage = features.website, features.sound, features.stage
    return Area(
        world=world, layer=layer, position=position, name=name[:100],
        left=left, top=top, width=right - left, height=bottom - top, kind=kind, room=room[:100],
        website_url=website.url if website else "", website_trigger=website.trigger if website else "enter",
        website_width=website.width if website else 50, website_policy=website.policy if website else "",
        website_closable=website.closable if website else False,
        sound_url=sound.url if sound else "", sound_loop=sound.loop if sound else False,
        sound_volume=sound.volume if sound else 1.0,
        focusable=features.focus_margin is not None, focus_margin=features.focus_margin or 0.0,
        stage_name=stage.name if stage else "", stage_role=stage.role if stage else "",
    )  # fmt: skip


def area_properties(area: Area, existing: list[Any]) -> list[dict[str, Any]]:
    """The object's properties with the row's values in place of the managed ones."""
    kept = [prop for prop in existing if isinstance(prop, dict) and prop.get("name") not in MANAGED]

    def prop(name: str, kind: str, value: Any) -> None:
        kept.append({"name": name, "type": kind, "value": value})

    if area.kind == AreaKind.MEETING:
        prop("jitsiRoom", "string", area.room or area.name or "meeting")
    elif area.kind == AreaKind.SILENT:
        prop("silent", "bool", True)
    if area.website_url:
        prop("openWebsite", "string", area.website_url)
        prop("openWebsiteTrigger", "string", "onaction" if area.website_trigger == "action" else "")
        prop("openWebsiteWidth", "int", area.website_width)
        prop("openWebsiteClosable", "bool", area.website_closable)
        if area.website_policy:
            prop("openWebsitePolicy", "string", area.website_policy)
    if area.sound_url:
        prop("playAudio", "string", area.sound_url)
        prop("audioLoop", "bool", area.sound_loop)
        prop("audioVolume", "float", area.sound_volume)
    if area.focusable:
        prop("focusable", "bool", True)
        prop("zoom_margin", "float", area.focus_margin)
    if area.stage_name and area.stage_role:
        prop("speakerMegaphone" if area.stage_role == "speaker" else "listenerMegaphone", "string", area.stage_name)
    return kept


def embeddable(url: str) -> bool:
    """A page may show `url` in a frame: a path on this site, or an origin the operator allows."""
    parts = urlsplit(url)
    if not parts.scheme:
        return True
    return f"{parts.scheme}://{parts.netloc}".lower() in settings.EMBED_ALLOWED_ORIGINS


def areas_reapply_edits(world: World | None, tiled: dict[str, Any]) -> list[Area]:
    """Write the world's edited areas into a newly imported map (in place): into its object of
    the same layer and name. Returns the edits kept (those whose object is still there)."""
    if world is None:
        return []
    edited = {(area.layer, area.name): area for area in world.areas.filter(edited_at__isnull=False)}
    kept = []
    for layer, _, obj in map_area_objects(tiled):
        area = edited.pop((layer, str(obj.get("name") or "")), None)
        if area is not None:
            obj["properties"] = area_properties(area, obj.get("properties") or [])
            kept.append(area)
    return kept


def areas_sync(world: World, *, kept: list[Area] | None = None) -> None:
    """Make the world's area rows those of its map; `kept` edits keep who made them and when."""
    edits = {(area.layer, area.name): area for area in kept or []}
    rows = []
    for layer, position, obj in map_area_objects(world.map_json):
        row = area_row(world, layer, position, obj)
        edit = edits.get((layer, row.name))
        if edit is not None:
            row.edited_at, row.edited_by_id = edit.edited_at, edit.edited_by_id
        rows.append(row)
    world.areas.all().delete()
    Area.objects.bulk_create(rows)


def area_check(area: Area) -> None:
    """Refuse an edit that a map import would refuse, or a website the pages may not frame."""
    for field, value in (("website_url", area.website_url), ("sound_url", area.sound_url)):
        if value:
            try:
                checked_url(value, name=field, where="this area", map_files=field == "sound_url")
            except MapError:
                raise AreaError("invalid", "Use an https:// address or a path on this site.", field=field) from None
    if area.website_url and not embeddable(area.website_url):
        allowed = ", ".join(settings.EMBED_ALLOWED_ORIGINS) or "none"
        raise AreaError(
            "origin_not_allowed",
            f"Websites may only come from this site or the allowed origins ({allowed}): EMBED_ALLOWED_ORIGINS.",
            field="website_url",
        )
    properties = {prop["name"]: prop["value"] for prop in area_properties(area, [])}
    try:
        read_features(properties, f"area '{area.name}'")
    except MapError as error:
        raise AreaError("invalid", str(error)) from None


@transaction.atomic
def area_update(*, area: Area, by: User | None) -> list[str]:
    """Store a moderator's edit of `area` (its fields already changed): into the map, a new map
    version, every server and page told once committed. Returns what changed, for the audit."""
    world = World.objects.select_for_update().get(pk=area.world_id)
    before = Area.objects.get(pk=area.pk)
    found = {(layer, position): obj for layer, position, obj in map_area_objects(world.map_json)}
    obj = found.get((area.layer, area.position))
    if obj is None:
        raise AreaError("map_changed", "The map changed since this page was opened; reload it.")
    area_check(area)
    obj["name"] = area.name
    obj["properties"] = area_properties(area, obj.get("properties") or [])
    digest = hashlib.sha256(json.dumps(world.map_json, sort_keys=True).encode() + world.map_version.encode())
    world.map_version = digest.hexdigest()[:12]
    world.save(update_fields=["map_json", "map_version", "updated_at"])
    area.edited_at, area.edited_by = timezone.now(), by
    area.save()
    world_event_after_commit(world.pk, {"type": "sync.map_changed", "world": world.pk})
    return [
        field.name
        for field in Area._meta.concrete_fields
        if field.name not in {"id", "edited_at", "edited_by"}
        and getattr(before, field.attname) != getattr(area, field.attname)
    ]
