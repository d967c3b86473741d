"""Events for a user's open sockets and for the world replicas, sent from synchronous code (services,
management commands) and only after the transaction that caused them commits.

Both ride the control layer (metaverse/bus.py), never the sockets' bulk traffic: a user event goes
once to every server process, which hands it to that user's sockets there.
"""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from metaverse.bus import CONTROL_LAYER, SERVERS_GROUP, user_event_message

log = logging.getLogger(__name__)


def world_group(world_id: int) -> str:
    """The server processes holding a replica of a world (not its players' sockets)."""
    return f"world-sync.{world_id}"


def send_control(group: str, message: dict[str, Any]) -> None:
    """Send on the control layer from synchronous code; raises when the layer fails."""
    layer = get_channel_layer(CONTROL_LAYER)
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


def send_user_event(user_id: int, event: dict[str, Any]) -> None:
    """Hand `event` to every socket `user_id` has open, on every server process."""
    send_control(SERVERS_GROUP, user_event_message(user_id, event))


def _logged(send: Any, *args: Any) -> None:
    try:
        send(*args)
    except Exception:
        # The change is stored whatever happens to the channel layer; sockets catch up when
        # they reconnect.
        log.exception("could not send an event after commit")


def user_event_after_commit(user_id: int, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _logged(send_user_event, user_id, event))


def world_event_after_commit(world_id: int, message: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _logged(send_control, world_group(world_id), message))
