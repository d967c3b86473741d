"""Reads for moderation."""

from datetime import timedelta
from functools import reduce
from operator import or_

from django.db.models import F, Q
from django.utils import timezone

from moderation.models import Ban, Report
from world.models import Presence
from world.services import presence_stale_seconds


def ban_applying(*, user_id: int | None, address: str | None, staff: bool = False) -> tuple[Ban, bool] | None:
    """The ban that keeps this connection out, if any, and whether it matched by address.
    The longest one wins, so the message tells the whole story. `user_id` None: nobody is
    logged in, only the address counts. Staff accounts are exempt from the address bans that
    moderators made: a moderator cannot lock a superuser out by banning a guest on the same
    network; one query."""
    matches = [Q(user_id=user_id)] if user_id is not None else []
    if address:
        matches.append(Q(ip=address, by_superuser=True) if staff else Q(ip=address))
    if not matches:
        return None
    ban = Ban.objects.active().filter(reduce(or_, matches)).order_by(F("until").desc(nulls_first=True), "-pk").first()
    if ban is None:
        return None
    return ban, ban.user_id != user_id


def bans_active(*, user_id: int) -> list[Ban]:
    return list(Ban.objects.active().filter(user_id=user_id))


def worlds_online_in(*, user_id: int) -> list[str]:
    """Slugs of the worlds where the user has a live world socket, as the servers last reported."""
    cutoff = timezone.now() - timedelta(seconds=presence_stale_seconds())
    return list(
        Presence.objects.filter(user_id=user_id, last_seen__gte=cutoff)
        .order_by("world__slug")
        .values_list("world__slug", flat=True)
    )


def address_of(*, user_id: int) -> str | None:
    """The address the user's most recent live world socket comes from."""
    presence = Presence.objects.filter(user_id=user_id, address__isnull=False).order_by("-connected_at").first()
    return presence.address if presence else None


def reports_since(*, reporter_id: int, since: timedelta) -> int:
    return Report.objects.filter(reporter_id=reporter_id, created_at__gte=timezone.now() - since).count()
