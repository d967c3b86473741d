"""What the operators' commands share: naming a user or a world, reading a duration, and saying
whether an action can reach the server's open sockets from this process."""

import re
from datetime import timedelta

from django.conf import settings
from django.core.management.base import CommandError

from accounts.models import User
from world.models import World

UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"^\s*(\d{1,6})\s*([mhdw])\s*$")
LONGEST = timedelta(days=36500)


def parse_duration(text: str) -> timedelta:
    """`30m`, `2h`, `7d`, `1w`: a whole number and a unit."""
    match = DURATION.match(text)
    if match is None:
        raise CommandError(f"bad duration {text!r}: use a number and a unit, like 30m, 2h, 7d or 1w")
    amount, unit = int(match[1]), match[2]
    if amount == 0:
        raise CommandError(f"bad duration {text!r}: it must be more than nothing")
    length = timedelta(**{UNITS[unit]: amount})
    if length > LONGEST:
        raise CommandError(f"bad duration {text!r}: at most 100 years (leave it out for good)")
    return length


def describe(length: timedelta) -> str:
    for unit, name in (("w", "week"), ("d", "day"), ("h", "hour"), ("m", "minute")):
        size = timedelta(**{UNITS[unit]: 1})
        if length % size == timedelta(0):
            count = length // size
            return f"{count} {name}{'s' if count != 1 else ''}"
    return str(length)


def find_user(text: str) -> User:
    """A user by numeric id, email address or username."""
    text = text.strip()
    if not text:
        raise CommandError("name a user: a username, an email address or a numeric id")
    if text.isdigit():
        user = User.objects.filter(pk=int(text)).first() if int(text) < 2**63 else None
        if user is None:
            raise CommandError(f"there is no user with id {text}")
        return user
    if "@" in text:
        users = list(User.objects.filter(email__iexact=text)[:2])
        if len(users) > 1:
            raise CommandError(f"several users have the email {text}: give the username or the id")
        if not users:
            raise CommandError(f"there is no user with the email {text}")
        return users[0]
    user = User.objects.filter(username=text).first()
    if user is None:
        raise CommandError(f"there is no user {text!r} (give a username, an email address or a numeric id)")
    return user


def find_world(slug: str) -> World:
    world = World.objects.filter(slug=slug).first()
    if world is None:
        known = ", ".join(World.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"there is no world {slug!r} (worlds: {known})")
    return world


def live_reach_warning() -> str | None:
    """Without Redis the channel layer lives inside each process: this command's cannot reach
    the server's sockets. Stored actions (bans, mutes) still hold; live ones (kicks) do not."""
    if settings.REDIS_URL:
        return None
    return (
        "warning: REDIS_URL is not set, so this command cannot reach the server's open connections; "
        "run it with the server's REDIS_URL, or act from the admin, for the effect to be live"
    )
