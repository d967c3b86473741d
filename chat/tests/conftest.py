"""Chat test fixtures: a small walled map with people standing where each scope tells them apart."""

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from conftest import Sockets, make_user, session_cookie
from world.models import SavedPosition, World
from world.services import world_import_map
from world.tests.maps import room_map, write_map

# On world.tests.maps.room_map (chat radius 8 tiles): alice and bob share the Hall zone but stand
# 8.9 tiles apart; carol is 6.7 tiles from alice, in the Quiet zone; dave is far off, in no zone.
SPOTS = {"alice": (1.5, 1.5), "bob": (9.5, 5.5), "carol": (4.5, 7.5), "dave": (15.5, 9.5)}


@pytest.fixture(autouse=True)
def generous_rate_limit(settings: Any) -> None:
    """Tests other than the rate limit's own send as fast as they like; each starts with no counts."""
    settings.CHAT_RATE_MESSAGES, settings.CHAT_RATE_SECONDS, settings.CHAT_RATE_BURST = 1000, 1.0, 1000
    cache.clear()


def make_room(directory: Path, slug: str = "room") -> World:
    return world_import_map(path=write_map(directory / slug, room_map()), slug=slug, name=slug.title()).world


@pytest.fixture
def room(transactional_db: None, avatars: list[Any], tmp_path: Path) -> World:
    return make_room(tmp_path)


class People(dict[str, Any]):
    """people["alice"] is the user; people.cookie["alice"] their session."""

    cookie: dict[str, str]


@pytest.fixture
def people(room: World) -> People:
    found = People()
    found.cookie = {}
    for name, (x, y) in SPOTS.items():
        user = make_user(name)
        SavedPosition.objects.create(
            player_id=user.pk, world=room, x=x, y=y, direction="down", updated_at=room.created_at
        )
        found[name] = user
        found.cookie[name] = session_cookie(user)
    return found


@pytest.fixture
async def sockets() -> Any:
    """Sockets on the test room."""
    opened = Sockets(slug="room")
    yield opened
    await opened.close_all()
