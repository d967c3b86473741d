"""What operators run every day: deleting the guests nobody has seen for days. It reads across every
app (positions, chat, bans, reports), so it lives here, on top of them all."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.selectors import sessions_of
from accounts.services import users_delete_unseen
from chat.models import Message
from moderation.models import Ban, Report, ReportStatus
from world.models import Presence, SavedPosition


def guests_unseen_since(*, cutoff: datetime) -> QuerySet[User]:
    """Guests nobody has seen since `cutoff`.

    Seen is the latest of: joining, logging in, their saved position (stored whenever they leave
    a world, and while they walk), their last chat message, and being in a world now. Not
    last_login alone: a guest never logs in again, their session cookie brings them back, so it
    is the day they joined.

    Kept however long ago that was: guests with a ban in force (a ban with their address goes
    with them, and the address would be let in again) and guests in an open report (the
    moderators have not looked yet).
    """
    guest = OuterRef("pk")
    return (
        User.objects.filter(is_guest=True, is_staff=False, is_superuser=False, date_joined__lt=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .exclude(Exists(SavedPosition.objects.filter(player_id=guest, updated_at__gte=cutoff)))
        .exclude(Exists(Message.objects.filter(sender_id=guest, created_at__gte=cutoff)))
        .exclude(Exists(Presence.objects.filter(user_id=guest)))
        .exclude(Exists(Ban.objects.active().filter(user_id=guest)))
        .exclude(Exists(Report.objects.filter(Q(reporter_id=guest) | Q(reported_id=guest), status=ReportStatus.OPEN)))
    )


PURGE_BATCH = 500


@dataclass(frozen=True)
class GuestPurge:
    guests: int
    sessions: int


def guest_purge(*, days: int, dry_run: bool) -> GuestPurge:
    """Delete the guests nobody has seen for `days` days (`guests_unseen_since` says what "seen"
    is), with everything that goes with them (player, positions, chat messages to and from them,
    blocks, mutes) and the sessions that log them in; how many (would) go."""
    if days < 1:
        raise ValueError("a guest is kept for at least a day")
    cutoff = timezone.now() - timedelta(days=days)
    unseen = list(guests_unseen_since(cutoff=cutoff).order_by("pk").values_list("pk", flat=True))
    sessions = sessions_of(user_ids=set(unseen))
    if dry_run:
        return GuestPurge(guests=len(unseen), sessions=sum(len(keys) for keys in sessions.values()))
    guests = ended = 0
    # In batches, each its own transaction: one huge delete would hold its locks (and, on SQLite,
    # the whole database) for as long as it takes.
    for start in range(0, len(unseen), PURGE_BATCH):
        with transaction.atomic():
            # Asked again: a guest who came back since the list was made stays.
            batch = list(
                guests_unseen_since(cutoff=cutoff)
                .filter(pk__in=unseen[start : start + PURGE_BATCH])
                .values_list("pk", flat=True)
            )
            keys = [key for user_id in batch for key in sessions.get(user_id, [])]
            ended += users_delete_unseen(user_ids=batch, session_keys=keys)
            guests += len(batch)
    return GuestPurge(guests=guests, sessions=ended)
