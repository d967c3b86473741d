"""Moderation test people: mona the moderator (staff, in the Moderators group), root the superuser,
and players in the demo world."""

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.apps import apps
from django.core.cache import cache

from accounts.models import User
from chat.models import Message, Scope
from conftest import make_user, open_socket, receive_until
from moderation.permissions import moderators_group_setup
from world.models import Presence, World
from world.services import world_import_map
from world.tests.maps import room_map, write_map


@pytest.fixture(autouse=True)
def _fresh_chat_rate(settings: Any) -> None:
    """Chat sends in these tests are few, but each test starts with no counts."""
    settings.CHAT_RATE_MESSAGES, settings.CHAT_RATE_SECONDS, settings.CHAT_RATE_BURST = 1000, 1.0, 1000
    cache.clear()


@pytest.fixture
def room(db: None, avatars: list[Any], tmp_path: Path) -> World:
    """A small world, for tests that need one but no sockets."""
    return world_import_map(path=write_map(tmp_path / "room", room_map()), slug="room", name="Room").world


@pytest.fixture
def moderators(db: None) -> Any:
    # The migration made it, but transactional tests empty every table when they end.
    return moderators_group_setup(apps)


@pytest.fixture
def mona(avatars: list[Any], moderators: Any) -> User:
    user = make_user("mona", staff=True)
    user.groups.add(moderators)
    return user


@pytest.fixture
def root(avatars: list[Any]) -> User:
    return make_user("root", staff=True, is_superuser=True)


def world_message(world: World, sender: User, text: str = "hello") -> Message:
    from chat.services import message_post

    return message_post(sender=sender, world=world, scope=Scope.WORLD, text=text)


class Sockets:
    """Opens sockets on the real ASGI application and disconnects every one at the end."""

    def __init__(self) -> None:
        self.opened: list[Any] = []

    async def open(self, path: str, cookie: str | None, *, address: str | None = None) -> Any:
        if address is None:
            socket = await open_socket(path, cookie=cookie)
        else:
            socket = await open_from(path, cookie, address)
        self.opened.append(socket)
        return socket

    async def world(self, cookie: str, slug: str = "demo") -> tuple[Any, dict[str, Any]]:
        socket = await self.open(f"/ws/world/{slug}/", cookie)
        return socket, await receive_until(socket, "welcome")

    async def chat(self, cookie: str, slug: str = "demo") -> Any:
        socket = await self.open(f"/ws/chat/{slug}/", cookie)
        await receive_until(socket, "history")
        return socket

    async def signal(self, cookie: str, slug: str = "demo") -> Any:
        socket = await self.open(f"/ws/signal/{slug}/", cookie)
        await receive_until(socket, "ready")
        return socket

    async def close_all(self) -> None:
        for socket in self.opened:
            # A test may have disconnected it already (a second disconnect is a CancelledError).
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await socket.disconnect()


async def open_from(path: str, cookie: str | None, address: str) -> Any:
    """Like conftest.open_socket, as a client at `address` (daphne puts it in scope["client"])."""
    from channels.testing import WebsocketCommunicator

    from conftest import HOST, ORIGIN
    from metaverse.asgi import application

    headers = [(b"host", HOST), (b"origin", ORIGIN)]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    communicator.scope["client"] = [address, 50123]
    connected, _ = await communicator.connect(timeout=5)
    assert connected, f"could not connect to {path}"
    return communicator


async def presence_of(user: User, timeout: float = 5.0) -> Presence:  # noqa: ASYNC109
    """The player's presence row, which the world socket writes just after its welcome."""
    deadline = time.monotonic() + timeout
    while True:
        presence = await database_sync_to_async(Presence.objects.filter(user=user).first)()
        if presence is not None or time.monotonic() > deadline:
            assert presence is not None, f"no presence for {user}"
            return presence
        await asyncio.sleep(0.05)


@pytest.fixture
async def sockets() -> Any:
    opened = Sockets()
    yield opened
    await opened.close_all()
