"""/ws/chat/<slug>/: chat in one world. Thin: read the message, ask the world engine who hears it,
hand it to `message_post`; deliveries come back through the channel layer once stored."""

import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from chat.models import Scope
from chat.schemas import Send, parse_client_id, parse_send
from chat.selectors import blocked_ids, history_recent
from chat.serializers import message_json
from chat.services import ChatError, chat_user_group, chat_world_group, message_post
from metaverse.database import database_sync_to_async
from metaverse.errors import AppError
from metaverse.infrastructure import UNAVAILABLE_MESSAGE, is_infrastructure_error
from metaverse.sockets import CloseCode
from world.engine.engine import WorldEngine
from world.engine.hub import Hub, get_hub
from world.models import World
from world.sockets import WorldSocketConsumer

RATE_REFUSALS_BEFORE_CLOSE = 10  # within RATE_REFUSAL_WINDOW seconds
RATE_REFUSAL_WINDOW = 10.0


class ChatConsumer(WorldSocketConsumer):
    message_types = frozenset({"send"})
    max_message_bytes = 8192

    hub: Hub | None = None
    engine: WorldEngine | None = None
    world: World | None = None
    blocked: frozenset[int] | set[int] = frozenset()
    shown: set[int]  # messages this socket already showed, whose copy from the layer is skipped

    async def connect(self) -> None:
        self.shown = set()
        admission = await self.admit()
        if admission is None:
            return
        user, record, self.world = self.scope["user"], admission.record, admission.world
        self.hub = get_hub()
        # The replica tells who is near whom, even when the player's world socket is on another process.
        self.engine = await self.hub.attach(record)
        self.rate_refusals: list[float] = []
        # Join before reading history: a message stored in between then arrives twice, and the
        # copy already in history is skipped (see chat_message), rather than missed.
        await self.join_group(chat_world_group(record.id))
        await self.join_group(chat_user_group(record.id, user.pk))
        await self._send_history()

    async def _send_history(self) -> None:
        assert self.world is not None
        self.blocked = await database_sync_to_async(blocked_ids)(user_id=self.user_id)
        history = await database_sync_to_async(history_recent)(user_id=self.user_id, world_id=self.world.pk)
        self.shown.update(message.pk for message in history)
        await self.send_json(
            {"type": "history", "messages": [message_json(message, viewer_id=self.user_id) for message in history]}
        )

    async def socket_resync(self, event: dict[str, Any]) -> None:
        """After the channel layer failed, the history again: it holds what may have gone missing."""
        if self.world is not None and not self.closing:
            await self._send_history()

    async def disconnect(self, code: int) -> None:
        if self.hub is None or self.engine is None:
            return
        await self.hub.detach(self.engine.world_id)
        self.engine = None

    # --- messages from the client -------------------------------------------------------------

    async def handle_send(self, data: dict[str, Any]) -> None:
        client_id = parse_client_id(data)
        try:
            await self._send_message(parse_send(data), client_id)
        except AppError as error:
            error.extra.setdefault("client_id", client_id)
            raise
        except Exception as error:
            if not is_infrastructure_error(error):
                raise
            # Nothing was stored; the client may send it again.
            raise AppError("unavailable", UNAVAILABLE_MESSAGE, client_id=client_id) from error

    async def _send_message(self, send: Send, client_id: str | None) -> None:
        if self.engine is None or self.world is None:
            return
        audience, zone = self._audience(self.engine, send.scope)
        try:
            message = await database_sync_to_async(message_post)(
                sender=self.scope["user"], world=self.world, scope=send.scope, text=send.text, to=send.to,
                client_id=client_id, audience=audience, zone=zone,
            )  # fmt: skip
        except ChatError as error:
            if error.code == "rate_limited" and self._keeps_flooding():
                kept = gettext("You kept sending faster than allowed.")
                await self.close_with(CloseCode.RATE_LIMITED, "rate_limited", kept)
                return
            raise
        # The sender's acknowledgement goes straight back: it must not depend on the channel
        # layer, whose group memberships may be a moment behind a Redis that just came back.
        self.shown.add(message.pk)
        await self.send_json({"type": "message", "message": message_json(message, viewer_id=self.user_id)})

    def _audience(self, engine: WorldEngine, scope: str) -> tuple[list[int], str]:
        """Who hears a nearby or zone message: the world engine decides, never the client."""
        if scope not in (Scope.NEARBY, Scope.ZONE):
            return [], ""
        if self.user_id not in engine.players:
            raise AppError("not_in_world", gettext("Enter the world first: nearby and zone chat need you in it."))
        if scope == Scope.NEARBY:
            return engine.players_within(self.user_id, settings.WORLD_CHAT_RADIUS), ""
        zone, members = engine.zone_members(self.user_id)
        if zone is None:
            raise AppError("no_zone", gettext("You are not standing in a zone."))
        return members, zone.name

    def _keeps_flooding(self) -> bool:
        now = time.monotonic()
        self.rate_refusals = [at for at in self.rate_refusals if now - at < RATE_REFUSAL_WINDOW]
        self.rate_refusals.append(now)
        return len(self.rate_refusals) >= RATE_REFUSALS_BEFORE_CLOSE

    # --- events from the channel layer --------------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        message = event["message"]
        sender = message["sender"]
        if sender is not None and sender["id"] in self.blocked:
            return
        if message["id"] in self.shown:
            self.shown.discard(message["id"])
            return
        if sender is None or sender["id"] != self.user_id:
            message = {**message, "client_id": None}
        await self.send_json({"type": "message", "message": message})

    async def chat_hidden(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "message_hidden", "id": event["id"]})

    async def chat_blocked(self, event: dict[str, Any]) -> None:
        self.blocked = {*self.blocked, int(event["user"])}

    async def chat_unblocked(self, event: dict[str, Any]) -> None:
        self.blocked = set(self.blocked) - {int(event["user"])}
