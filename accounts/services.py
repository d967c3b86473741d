import math
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import guests_unseen_since, sessions_of
from metaverse.errors import AppError
from metaverse.events import user_event_after_commit
from metaverse.ratelimit import ADDRESS_LOCK_WAIT_SECONDS, Rate, address_bucket, rate_take
from metaverse.sockets import CloseCode
from players.services import player_create

# Set while purge_guests deletes guests nobody has seen for days: they have no sockets to close.
_purging: ContextVar[bool] = ContextVar("accounts_purging", default=False)


class GuestsDisabled(PermissionDenied):
    pass


class SignupKind(StrEnum):
    GUEST = "guest"
    ACCOUNT = "account"


class SignupLimited(AppError):
    """Too many new accounts from one address lately; the next may come in `retry_after` seconds."""

    def __init__(self, *, kind: SignupKind, per_hour: int, retry_after: int) -> None:
        self.kind = kind
        self.per_hour = per_hour
        self.retry_after = retry_after
        noun = "guest accounts" if kind == SignupKind.GUEST else "accounts"
        minutes = max(1, math.ceil(retry_after / 60))
        message = (
            f"Too many new {noun} from your network address: at most {per_hour} an hour. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        super().__init__("rate_limited", message, status=429, retry_after=retry_after)


def signup_bucket(*, kind: SignupKind, address: str | None) -> str:
    return f"signup:{kind}:{address_bucket(address)}"


def signup_count(*, kind: SignupKind, address: str | None) -> None:
    """Count one new account of this kind from `address`, for every server process together;
    raises SignupLimited (and counts nothing) when the address has made too many lately."""
    per_hour = settings.GUEST_RATE_PER_HOUR if kind == SignupKind.GUEST else settings.SIGNUP_RATE_PER_HOUR
    rate = Rate(count=per_hour, seconds=3600, burst=per_hour)
    wait = rate_take(key=signup_bucket(kind=kind, address=address), rate=rate, lock_wait=ADDRESS_LOCK_WAIT_SECONDS)
    if wait > 0:
        raise SignupLimited(kind=kind, per_hour=per_hour, retry_after=math.ceil(wait))


@transaction.atomic
def guest_create(*, display_name: str, address: str | None) -> User:
    """Create a guest user and its player, counted against `address`'s sign-ups; the caller logs
    it in."""
    if not settings.GUESTS_ENABLED:
        raise GuestsDisabled("Guest access is switched off on this server.")
    signup_count(kind=SignupKind.GUEST, address=address)
    user = User(username=f"guest-{secrets.token_hex(6)}", is_guest=True)
    user.set_unusable_password()
    user.save()
    player_create(user=user, display_name=display_name)
    return user


# --- guests nobody has seen for days -------------------------------------------------------------

PURGE_BATCH = 500


@dataclass(frozen=True)
class GuestPurge:
    guests: int
    sessions: int


def guest_purge(*, days: int, dry_run: bool) -> GuestPurge:
    """Delete the guests nobody has seen for `days` days (accounts/selectors.py says what "seen"
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
    purging = _purging.set(True)
    try:
        # In batches, each its own transaction: one huge delete would hold its locks (and, on
        # SQLite, the whole database) for as long as it takes.
        for start in range(0, len(unseen), PURGE_BATCH):
            with transaction.atomic():
                # Asked again: a guest who came back since the list was made stays.
                batch = list(
                    guests_unseen_since(cutoff=cutoff)
                    .filter(pk__in=unseen[start : start + PURGE_BATCH])
                    .values_list("pk", flat=True)
                )
                User.objects.filter(pk__in=batch).delete()
                keys = [key for user_id in batch for key in sessions.get(user_id, [])]
                ended += Session.objects.filter(session_key__in=keys).delete()[0]
                guests += len(batch)
    finally:
        _purging.reset(purging)
    return GuestPurge(guests=guests, sessions=ended)


# --- sockets of users whose sessions end ----------------------------------------------------------


class SignedOut(StrEnum):
    """Why a user's sockets closed with 4001: their session no longer lets them in."""

    LOGGED_OUT = "You logged out."
    PASSWORD_CHANGED = "Your password changed; log in again."
    DEACTIVATED = "Your account was deactivated."
    DELETED = "Your account was deleted."


def user_sockets_close(*, user_id: int, why: SignedOut, session_key: str | None = None) -> None:
    """Once the current transaction commits, close the user's open sockets (world, chat and signal,
    in every world, on every server process) with `closing` 4001: all of them, or with
    `session_key` only those opened with that session."""
    event: dict[str, Any] = {
        "type": "account.close",
        "code": int(CloseCode.NOT_AUTHENTICATED),
        "reason": "not_authenticated",
        "message": str(why),
    }
    if session_key:
        event["session"] = session_key
    user_event_after_commit(user_id, event)


def user_after_logout(*, user_id: int, session_key: str | None) -> None:
    """Logging out ends one session: the sockets opened with it close; the user's other browsers
    and devices keep theirs, as they keep their sessions."""
    user_sockets_close(user_id=user_id, why=SignedOut.LOGGED_OUT, session_key=session_key)


def user_after_save(*, user: User, created: bool, update_fields: frozenset[str] | None) -> None:
    """A new password, or a deactivation, ends every session the user has: every socket closes.

    A new password is what `set_password` leaves in `_password` until the save is over, whatever
    set it (the password change and reset pages, the admin, the shell); Django clears it for a
    hash upgrade at log-in, which is no password change. A save of an inactive user that names
    is_active closes sockets they cannot have anyway: harmless, and no query to tell.
    """
    if created:
        return
    if getattr(user, "_password", None) is not None:
        user_sockets_close(user_id=user.pk, why=SignedOut.PASSWORD_CHANGED)
    elif not user.is_active and (update_fields is None or "is_active" in update_fields):
        user_sockets_close(user_id=user.pk, why=SignedOut.DEACTIVATED)


def user_after_delete(*, user_id: int) -> None:
    if _purging.get():
        return
    user_sockets_close(user_id=user_id, why=SignedOut.DELETED)
