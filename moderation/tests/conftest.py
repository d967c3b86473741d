"""Moderation test people: mona the moderator (staff, in the Moderators group), root the superuser,
and players in the demo world."""

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.apps import apps
from django.core.cache import cache

from accounts.models import User
from chat.models import Message, Scope
from conftest import make_user
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


async def presence_of(user: User, timeout: float = 5.0) -> Presence:  # noqa: ASYNC109
    """The player's presence row, which the world socket writes just after its welcome."""
    deadline = time.monotonic() + timeout
    while True:
        presence = await database_sync_to_async(Presence.objects.filter(user=user).first)()
        if presence is not None or time.monotonic() > deadline:
            assert presence is not None, f"no presence for {user}"
            return presence
        await asyncio.sleep(0.05)
