"""Writes for chat. Every message is stored first and delivered over the channel layer only once
its transaction has committed. A delivery is tried twice; if it still fails the message stays in
history, and a player's own message raises `not_delivered` so that they are told."""

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from chat.models import TEXT_MAX_LENGTH, Audience, Block, Message, Mute, Scope
from chat.ratelimit import rate_take
from chat.selectors import mute_active, with_sender
from chat.serializers import message_json
from metaverse.errors import AppError
from metaverse.events import user_event_after_commit
from world.models import World

log = logging.getLogger(__name__)


class ChatError(AppError):
    """A message or request chat refuses (docs/protocol.md lists the codes)."""


# --- who hears what -----------------------------------------------------------------------------


def chat_world_group(world_id: int) -> str:
    """Every chat socket open on a world."""
    return f"chat.{world_id}"


def chat_user_group(world_id: int, user_id: int) -> str:
    """One player's chat sockets on one world."""
    return f"chat.{world_id}.{user_id}"


def _groups_of(message: Message, audience: Iterable[int]) -> list[str]:
    if message.scope in (Scope.WORLD, Scope.SYSTEM):
        return [chat_world_group(message.world_id)]
    people = {user_id for user_id in (message.sender_id, message.recipient_id, *audience) if user_id is not None}
    return [chat_user_group(message.world_id, user_id) for user_id in sorted(people)]


DELIVERY_TIMEOUT_SECONDS = 3.0


def _send(groups: list[str], event: dict[str, Any]) -> list[str]:
    """Send `event` to each group, each tried twice (a pooled connection may be stale after Redis
    restarted); returns the groups that could not be reached."""
    layer = get_channel_layer()
    if layer is None:
        return []

    async def send_all() -> list[str]:
        failed = []
        for group in groups:
            for attempt in (1, 2):
                try:
                    async with asyncio.timeout(DELIVERY_TIMEOUT_SECONDS):
                        await layer.group_send(group, event)
                    break
                except Exception as error:  # noqa: BLE001 - retried once, then reported
                    if attempt == 2:
                        log.warning(
                            "could not deliver %s to %s: %s: %s", event["type"], group, type(error).__name__, error
                        )
                        failed.append(group)
        return failed

    return async_to_sync(send_all)()


def _deliver_after_commit(groups: list[str], event: dict[str, Any]) -> None:
    """Best effort once committed: what could not be delivered is in history for the next load."""
    transaction.on_commit(lambda: _send(groups, event))


# --- messages -----------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    if "\x00" in text:
        raise ChatError("invalid", gettext("'text' must not contain NUL characters"), field="text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ChatError("invalid", gettext("'text' must be valid Unicode (no lone surrogates)"), field="text") from None
    text = text.strip()
    if not text:
        raise ChatError("empty", gettext("A message needs some text."), field="text")
    if len(text) > TEXT_MAX_LENGTH:
        too_long = gettext("A message has at most %(limit)d characters (this one has %(count)d).")
        raise ChatError("too_long", too_long % {"limit": TEXT_MAX_LENGTH, "count": len(text)}, field="text")
    return text


def _recipient(*, sender: User, to: int | None) -> User:
    if to is None:
        raise ChatError("invalid", gettext("'to' is required for direct messages"))
    if to == sender.pk:
        raise ChatError("self", gettext("You cannot send a direct message to yourself."))
    recipient = User.objects.filter(pk=to, is_active=True).first()
    # Nobody by that id, and someone who blocked you, get the same answer: otherwise it would
    # tell which ids exist, and who blocked you.
    if recipient is None or Block.objects.filter(blocker=recipient, blocked=sender).exists():
        raise ChatError("unknown_recipient", gettext("There is no player %(id)s that you can write to.") % {"id": to})
    return recipient


def _check_may_send(sender: User) -> None:
    wait = rate_take(user_id=sender.pk)
    if wait > 0:
        raise ChatError(
            "rate_limited",
            gettext("You are sending too fast; wait %(seconds).1f s.") % {"seconds": wait},
            status=429,
            retry_after=round(wait + 0.05, 1),
        )
    mute = mute_active(user_id=sender.pk)
    if mute is not None:
        until = mute.until.isoformat() if mute.until else None
        if until:
            muted = gettext("A moderator muted you until %(until)s.") % {"until": until}
        else:
            muted = gettext("A moderator muted you until a moderator lifts it.")
        raise ChatError("muted", muted, until=until)


@transaction.atomic
def message_post(
    *,
    sender: User,
    world: World,
    scope: str,
    text: str,
    to: int | None = None,
    client_id: str | None = None,
    audience: Iterable[int] = (),
    zone: str = "",
) -> Message:
    """Store a message from a player and deliver it once committed, to the sender too.

    `audience` (nearby and zone) is who the world engine says hears it; `zone` the zone's name.
    Raises ChatError with the code the client is shown.
    """
    if scope not in (Scope.WORLD, Scope.NEARBY, Scope.ZONE, Scope.DIRECT):
        raise ChatError(
            "invalid",
            gettext("'scope' must be one of: world, nearby, zone, direct (not %(scope)r)") % {"scope": scope[:20]},
        )
    text = clean_text(text)
    _check_may_send(sender)
    recipient = _recipient(sender=sender, to=to) if scope == Scope.DIRECT else None
    hearers: list[int] = []
    if scope in (Scope.NEARBY, Scope.ZONE):
        wanted = {user_id for user_id in audience if user_id != sender.pk}
        # Someone may have deleted their account since the engine last saw them.
        hearers = sorted(User.objects.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else []
    message = Message.objects.create(
        world=world, sender=sender, scope=scope, text=text, recipient=recipient,
        zone=zone if scope == Scope.ZONE else "", client_id=client_id or "",
    )  # fmt: skip
    Audience.objects.bulk_create(Audience(message=message, user_id=user_id) for user_id in hearers)
    message = with_sender(Message.objects.filter(pk=message.pk)).get()
    event = {"type": "chat.message", "message": message_json(message, viewer_id=sender.pk)}
    groups = _groups_of(message, hearers)
    stored_id = message.pk

    def deliver() -> None:
        if _send(groups, event):
            # Raised after the commit, out of this call: the sender learns that the message is
            # stored but did not reach everyone live (their own copy is the acknowledgement).
            raise ChatError(
                "not_delivered",
                gettext("Your message is saved but could not be delivered right now; it is in the chat history."),
                id=stored_id,
            )

    transaction.on_commit(deliver)
    return message


@transaction.atomic
def message_post_system(*, world: World, text: str) -> Message:
    """A message from the operators to everyone in a world."""
    message = Message.objects.create(world=world, sender=None, scope=Scope.SYSTEM, text=clean_text(text))
    _deliver_after_commit(
        _groups_of(message, ()), {"type": "chat.message", "message": message_json(message, viewer_id=None)}
    )
    return message


@transaction.atomic
def message_hide(*, message: Message, moderator: User | None) -> Message:
    """Take a message out of history and off every open chat that shows it."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.hidden_at is not None:
        return message
    message.hidden_at = timezone.now()
    message.hidden_by = moderator
    message.save(update_fields=["hidden_at", "hidden_by"])
    hearers = Audience.objects.filter(message=message).values_list("user_id", flat=True)
    _deliver_after_commit(_groups_of(message, hearers), {"type": "chat.hidden", "id": message.pk})
    return message


# --- mutes --------------------------------------------------------------------------------------


@transaction.atomic
def mute_create(*, user: User, until: datetime | None, reason: str = "", by: User | None) -> Mute:
    """Stop a player chatting until `until` (None: until lifted)."""
    if until is not None and until <= timezone.now():
        raise ChatError("invalid", gettext("A mute must end in the future (or never)."))
    return Mute.objects.create(user=user, until=until, reason=reason[:500], created_by=by)


@transaction.atomic
def mute_lift(*, mute: Mute, by: User | None) -> Mute:
    if mute.lifted_at is None:
        mute.lifted_at = timezone.now()
        mute.lifted_by = by
        mute.save(update_fields=["lifted_at", "lifted_by"])
    return mute


# --- blocks -------------------------------------------------------------------------------------


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> tuple[Block, bool]:
    """`blocker` stops hearing from `blocked`. Returns the block and whether it is new."""
    if blocked.pk == blocker.pk:
        raise ChatError("self", gettext("You cannot block yourself."), field="user")
    block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    if created:
        user_event_after_commit(blocker.pk, {"type": "chat.blocked", "user": blocked.pk})
    return block, created


@transaction.atomic
def block_remove(*, blocker: User, blocked_id: int) -> bool:
    """Hear from `blocked_id` again. False if there was no such block."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked_id=blocked_id).delete()
    if deleted:
        user_event_after_commit(blocker.pk, {"type": "chat.unblocked", "user": blocked_id})
    return bool(deleted)
