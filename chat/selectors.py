"""Reads for chat: which messages a player may see, whom they block, whether they are muted."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from chat.models import Audience, Block, Message, Mute, Scope

HISTORY_SIZE = 50


def with_sender(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Messages with what `message_json` shows of their sender, in the same query (no sprite bytes)."""
    return messages.select_related("sender__player__avatar").defer("sender__player__avatar__sprite")


def messages_visible(*, user_id: int, world_id: int) -> QuerySet[Message]:
    """What a player may read in a world, newest first: world and system messages, the nearby and
    zone messages they sent or heard, their own direct conversations; never hidden messages nor
    those of players they block."""
    heard = Exists(Audience.objects.filter(message=OuterRef("pk"), user_id=user_id))
    blocked = Exists(Block.objects.filter(blocker_id=user_id, blocked=OuterRef("sender")))
    return with_sender(
        Message.objects.filter(world_id=world_id, hidden_at__isnull=True)
        .filter(
            Q(scope__in=(Scope.WORLD, Scope.SYSTEM))
            | Q(scope__in=(Scope.NEARBY, Scope.ZONE)) & (Q(sender_id=user_id) | heard)
            | Q(scope=Scope.DIRECT) & (Q(sender_id=user_id) | Q(recipient_id=user_id))
        )
        .exclude(blocked)
        .order_by("-created_at", "-id")
    )


def conversation(messages: QuerySet[Message], *, user_id: int, other_id: int) -> QuerySet[Message]:
    """Narrow visible messages to the direct messages between two players."""
    return messages.filter(scope=Scope.DIRECT).filter(
        Q(sender_id=user_id, recipient_id=other_id) | Q(sender_id=other_id, recipient_id=user_id)
    )


def history_recent(*, user_id: int, world_id: int, limit: int = HISTORY_SIZE) -> list[Message]:
    """The last messages a player may see, oldest first (what a chat socket starts with)."""
    return list(reversed(messages_visible(user_id=user_id, world_id=world_id)[:limit]))


def blocked_ids(*, user_id: int) -> set[int]:
    return set(Block.objects.filter(blocker_id=user_id).values_list("blocked_id", flat=True))


def blocked_ids_expression() -> ArraySubquery:
    """The ids the player of the row being read (its `user_id`) has blocked, as one array."""
    return ArraySubquery(Block.objects.filter(blocker_id=OuterRef("user_id")).values("blocked_id"))


def blocks_of(*, user_id: int) -> QuerySet[Block]:
    return (
        Block.objects.filter(blocker_id=user_id)
        .select_related("blocked__player__avatar")
        .defer("blocked__player__avatar__sprite")
        .order_by("-created_at")
    )


def mute_active(*, user_id: int) -> Mute | None:
    """The mute that keeps the player quiet longest, if any is in force."""
    return Mute.objects.active().filter(user_id=user_id).order_by(F("until").desc(nulls_first=True)).first()
