"""Reads for the accounts app: which guests nobody has seen lately, and whose sessions are whose."""

from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from chat.models import Message
from moderation.models import Ban, Report, ReportStatus
from world.models import Presence, SavedPosition

SESSION_SCAN_CHUNK = 2000


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


def sessions_of(*, user_ids: set[int]) -> dict[int, list[str]]:
    """The stored sessions logged in as these users, by user. Sessions are not indexed by user:
    each is decoded once (a few microseconds each), so this reads the whole table."""
    if not user_ids:
        return {}
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    wanted = {str(user_id) for user_id in user_ids}
    found: dict[int, list[str]] = {}
    rows = Session.objects.values_list("session_key", "session_data").iterator(chunk_size=SESSION_SCAN_CHUNK)
    for key, data in rows:
        user_id = store.decode(data).get(SESSION_KEY)
        if user_id in wanted:
            found.setdefault(int(user_id), []).append(key)
    return found
