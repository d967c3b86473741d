"""Who is inside a world is shown to whoever may enter it: a guest, who a members-only world
refuses on its socket (4011), does not learn who is in it, nor how many, over REST or on the
home page."""

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_user
from world.models import Presence, World
from world.services import world_import_map
from world.tests.maps import room_map, write_map

pytestmark = pytest.mark.django_db


@pytest.fixture
def worlds(avatars: list[Any], tmp_path: Path, alice: Any) -> dict[str, World]:
    """'club', members only, and 'lobby', open to guests, with alice inside each."""
    made = {}
    for slug, guests in (("club", False), ("lobby", True)):
        world = world_import_map(path=write_map(tmp_path / slug, room_map()), slug=slug, name=slug.title()).world
        World.objects.filter(pk=world.pk).update(guests_allowed=guests)
        now = timezone.now()
        Presence.objects.create(user=alice, world=world, server="test", connected_at=now, last_seen=now)
        made[slug] = world
    return made


@pytest.fixture
def gus(avatars: list[Any]) -> Any:
    return make_user("gus", guest=True)


def online_counts(client: Any) -> dict[str, Any]:
    return {world["slug"]: world["online"] for world in client.get("/api/worlds/").json()}


def test_a_guest_gets_403_for_a_members_only_worlds_detail(client, worlds, gus):
    client.force_login(gus)
    response = client.get("/api/worlds/club/")
    assert (response.status_code, response.json()) == (403, {"detail": "This world is for members only."})
    lobby = client.get("/api/worlds/lobby/").json()
    assert [player["name"] for player in lobby["players"]] == ["Alice"]


def test_the_world_list_hides_a_members_only_worlds_count_from_guests_and_strangers(client, worlds, gus, bob):
    assert online_counts(client) == {"club": None, "lobby": 1}
    client.force_login(gus)
    assert online_counts(client) == {"club": None, "lobby": 1}
    client.force_login(bob)
    assert online_counts(client) == {"club": 1, "lobby": 1}


def test_the_home_page_hides_a_members_only_worlds_count_from_guests(client, worlds, gus, bob):
    def card(slug: str) -> str:
        page = client.get("/").content.decode()
        start = page.index(f'data-slug="{slug}"')
        return page[start : page.index("</li>", start)]

    client.force_login(gus)
    assert "online-count" not in card("club")
    assert '<span class="online-count" data-online>1</span> online' in card("lobby")
    client.force_login(bob)
    assert '<span class="online-count" data-online>1</span> online' in card("club")


def test_the_world_detail_leaves_out_the_zone_of_someone_who_hides_where_they_are(client, worlds, bob):
    from players.models import Player
    from world.models import SavedPosition

    SavedPosition.objects.create(player_id=worlds["lobby"].presences.get().user_id, world=worlds["lobby"], x=2.5,
                                 y=2.5, direction="down", zone="Corner", updated_at=timezone.now())  # fmt: skip
    client.force_login(bob)
    assert [player["zone"] for player in client.get("/api/worlds/lobby/").json()["players"]] == ["Corner"]
    Player.objects.filter(user__username="alice").update(hide_location=True)
    assert [player["zone"] for player in client.get("/api/worlds/lobby/").json()["players"]] == [None]
