"""Moderators edit what a world's areas do in the admin: the edit goes into the map, reaches the
players inside at once, is audited, stays within EMBED_ALLOWED_ORIGINS, and survives a re-import
only with --keep-area-edits."""

from io import StringIO

import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.test import Client

from conftest import open_socket, receive_until
from moderation.models import Action, AuditEntry
from world.engine.mapdata import MapData
from world.models import Area, World
from world.tests.maps import interactive_map, write_map


def import_map(path, *extra: str) -> str:
    out = StringIO()
    call_command("import_map", str(path), "--slug", "room", *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(tmp_path, db, avatars):
    path = write_map(tmp_path, interactive_map())
    import_map(path)
    return path


def board() -> Area:
    return Area.objects.get(world__slug="room", name="Notice board")


def form_data(area: Area, **changes) -> dict:
    fields = (
        "name", "kind", "room", "website_url", "website_trigger", "website_width", "website_policy",
        "website_closable", "sound_url", "sound_loop", "sound_volume", "focusable", "focus_margin", "stage_name",
        "stage_role",
    )  # fmt: skip
    data = {name: getattr(area, name) for name in fields}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not False}  # unchecked boxes are absent


def as_moderator(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_an_import_makes_a_row_for_each_area_object_with_what_it_does(imported):
    rows = {area.name: area for area in Area.objects.filter(world__slug="room")}
    assert set(rows) == {"Room", "Quiet", "Hall", "Notice board", "Kitchen", "Stage", "Audience", "Welcome"}
    assert (rows["Room"].kind, rows["Room"].room, rows["Quiet"].kind) == ("meeting", "room", "silent")
    notice = rows["Notice board"]
    assert (notice.website_url, notice.website_trigger, notice.left, notice.top, notice.width, notice.height) == (
        "/about/", "action", 3, 8, 3, 2,
    )  # fmt: skip
    assert (rows["Kitchen"].sound_url, rows["Kitchen"].sound_loop, rows["Kitchen"].sound_volume) == (
        "https://sounds.example.org/kitchen.ogg", True, 0.4,
    )  # fmt: skip
    assert (rows["Stage"].stage_role, rows["Stage"].focusable, rows["Audience"].stage_name) == (
        "speaker",
        True,
        "garden",
    )
    assert all(area.edited_at is None for area in rows.values())


@pytest.mark.django_db
def test_a_moderator_edits_an_area_into_the_map_and_the_audit_log(imported, mona):
    world = World.objects.get(slug="room")
    version = world.map_version
    area = board()
    response = as_moderator(mona).post(
        f"/admin/world/area/{area.pk}/change/",
        form_data(area, website_url="/help/", website_trigger="enter", sound_url="/static/chime.ogg", sound_volume=0.5),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    world.refresh_from_db()
    assert world.map_version != version
    [edited] = [each for each in MapData(world.map_json).areas if each.name == "Notice board"]
    assert edited.as_json()["website"]["url"] == "/help/"
    assert edited.as_json()["website"]["trigger"] == "enter"
    assert edited.as_json()["sound"] == {"url": "/static/chime.ogg", "loop": False, "volume": 0.5}
    area.refresh_from_db()
    assert (area.edited_by, area.website_url) == (mona, "/help/")
    entry = AuditEntry.objects.get(action=Action.EDIT_AREA)
    assert entry.actor == mona
    assert entry.detail == {
        "world": "room", "area": "Notice board",
        "changed": ["website_url", "website_trigger", "sound_url", "sound_volume"],
    }  # fmt: skip


@pytest.mark.django_db
def test_a_moderator_cannot_frame_a_website_from_an_origin_the_operator_did_not_allow(imported, mona, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://board.example.org"]
    world = World.objects.get(slug="room")
    area = board()
    client = as_moderator(mona)
    refused = client.post(f"/admin/world/area/{area.pk}/change/", form_data(area, website_url="https://evil.example/"))
    assert refused.status_code == 200
    assert "Websites may only come from this site or the allowed origins" in refused.content.decode()
    refused = client.post(f"/admin/world/area/{area.pk}/change/", form_data(area, website_url="javascript:alert(1)"))
    assert "Use an https:// address or a path on this site." in refused.content.decode()
    assert World.objects.get(pk=world.pk).map_version == world.map_version
    assert not AuditEntry.objects.exists()
    allowed = client.post(
        f"/admin/world/area/{area.pk}/change/", form_data(area, website_url="https://board.example.org/today")
    )
    assert allowed.status_code == 302
    assert board().website_url == "https://board.example.org/today"


@pytest.mark.django_db
def test_moderators_may_neither_add_nor_delete_areas(imported, mona):
    client = as_moderator(mona)
    assert client.get("/admin/world/area/add/").status_code == 403
    assert client.post(f"/admin/world/area/{board().pk}/delete/", {"post": "yes"}).status_code == 403
    assert Area.objects.filter(world__slug="room").count() == 8


@pytest.mark.django_db
def test_a_reimport_drops_edits_unless_the_operator_keeps_them(imported, mona):
    area = board()
    as_moderator(mona).post(f"/admin/world/area/{area.pk}/change/", form_data(area, website_url="/help/"))
    write_map(imported.parent, interactive_map(openWebsiteWidth=60))  # the map maker's new version
    output = import_map(imported, "--keep-area-edits")
    assert "kept 1 area edit(s)" in output
    kept = board()
    assert (kept.website_url, kept.website_width, kept.edited_by) == ("/help/", 50, mona)  # the edit, whole
    [drawn] = [each for each in MapData(World.objects.get(slug="room").map_json).areas if each.name == "Notice board"]
    assert drawn.features.website is not None
    assert drawn.features.website.url == "/help/"
    import_map(imported)  # the same file again, without keeping: the map maker's version
    assert (board().website_url, board().website_width, board().edited_at) == ("/about/", 60, None)


def stand_in_the_kitchen(name: str) -> None:
    from django.utils import timezone

    from accounts.models import User
    from world.models import SavedPosition

    user = User.objects.get(username=name)
    world = World.objects.get(slug="room")
    SavedPosition.objects.create(player_id=user.pk, world=world, x=7.5, y=2.5, updated_at=timezone.now())


@pytest.mark.django_db(transaction=True)
async def test_an_edit_reaches_a_player_standing_in_the_area_within_a_second(tmp_path, avatars, cookies, mona):
    path = await database_sync_to_async(write_map)(tmp_path, interactive_map())
    await database_sync_to_async(import_map)(path)
    cookie = await database_sync_to_async(cookies)("alice")
    await database_sync_to_async(stand_in_the_kitchen)("alice")
    socket = await open_socket("/ws/world/room/", cookie=cookie)
    welcome = await receive_until(socket, "welcome")
    [kitchen] = welcome["areas"]
    assert (kitchen["name"], kitchen["website"]) == ("Kitchen", None)
    area = await database_sync_to_async(Area.objects.get)(world__slug="room", name="Kitchen")
    data = await database_sync_to_async(form_data)(area, website_url="/menu/", website_trigger="action")
    client = await database_sync_to_async(as_moderator)(mona)
    response = await database_sync_to_async(client.post)(f"/admin/world/area/{area.pk}/change/", data)
    assert response.status_code == 302
    notice = await receive_until(socket, "map_changed", timeout=1)
    assert notice["map_url"] != welcome["world"]["map_url"]
    [kitchen] = (await receive_until(socket, "areas", timeout=1))["areas"]
    assert kitchen["website"]["url"] == "/menu/"
    assert kitchen["website"]["trigger"] == "action"
    assert kitchen["sound"]["url"] == "https://sounds.example.org/kitchen.ogg"  # the rest as it was
    await socket.disconnect()
