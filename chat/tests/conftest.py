"""Chat test fixtures: a small walled map with people standing where each scope tells them apart."""

import contextlib
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from conftest import make_user, open_socket, receive_until, session_cookie
from world.models import SavedPosition, World
from world.services import world_import_map
from world.tests.maps import room_map, write_map

# On world.tests.maps.room_map (chat radius 8 tiles): alice and bob share the Hall zone but stand
# 8.9 tiles apart; carol is 6.7 tiles from alice, in the Quiet zone; dave is far off, in no zone.
SPOTS = {"alice": (1.5, 1.5), "bob": (9.5, 5.5), "carol": (4.5, 7.5), "dave": (15.5, 9.5)}


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Any:
    """A channel layer made in this test's event loop. The Redis layer keeps loop-bound locks, and a
    receive cut off when an earlier test's loop closed would leave its lock held for good."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


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


class Sockets:
    """Opens sockets on the real ASGI application and disconnects every one at the end."""

    def __init__(self) -> None:
        self.opened: list[Any] = []

    async def open(self, path: str, cookie: str | None) -> Any:
        socket = await open_socket(path, cookie=cookie)
        self.opened.append(socket)
        return socket

    async def enter(self, cookie: str, slug: str = "room") -> dict[str, Any]:
        """Open the world socket (so the engine has the player where they were saved); the welcome."""
        socket = await self.open(f"/ws/world/{slug}/", cookie)
        return await receive_until(socket, "welcome")

    async def chat(self, cookie: str, slug: str = "room") -> tuple[Any, list[dict[str, Any]]]:
        socket = await self.open(f"/ws/chat/{slug}/", cookie)
        history = await receive_until(socket, "history")
        return socket, history["messages"]

    async def close_all(self) -> None:
        for socket in self.opened:
            with contextlib.suppress(Exception):
                await socket.disconnect()


@pytest.fixture
async def sockets() -> Any:
    opened = Sockets()
    yield opened
    await opened.close_all()
