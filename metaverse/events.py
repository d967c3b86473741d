"""Events for a user's open sockets, sent only after the transaction that caused them commits.

Every consumer a user opens joins `user_group(user_id)`; moderation, profile changes and
other per-user events reach all of that user's sockets on every server process through it.
"""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def world_group(world_id: int) -> str:
    """The server processes holding a replica of a world (not its players' sockets)."""
    return f"world-sync.{world_id}"


def send_to_group(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


def user_event_after_commit(user_id: int, message: dict[str, Any]) -> None:
    transaction.on_commit(lambda: send_to_group(user_group(user_id), message))


def group_event_after_commit(group: str, message: dict[str, Any]) -> None:
    transaction.on_commit(lambda: send_to_group(group, message))
