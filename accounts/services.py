import math
import secrets
from contextvars import ContextVar
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.models import User
from metaverse.errors import AppError
from metaverse.events import user_event_after_commit
from metaverse.i18n import text
from metaverse.ratelimit import ADDRESS_LOCK_WAIT_SECONDS, Rate, address_bucket, rate_take
from metaverse.sockets import CloseCode

# Set while users nobody has seen for days are deleted: they have no sockets to close.
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
        minutes = max(1, math.ceil(retry_after / 60))
        if kind == SignupKind.GUEST:
            limit = gettext("Too many new guest accounts from your network address: at most %(count)d an hour.")
        else:
            limit = gettext("Too many new accounts from your network address: at most %(count)d an hour.")
        wait = ngettext("Try again in %(minutes)d minute.", "Try again in %(minutes)d minutes.", minutes)
        message = " ".join((limit % {"count": per_hour}, wait % {"minutes": minutes}))
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


def guest_user_create(*, address: str | None) -> User:
    """A guest user (no password: their session is their key), counted against `address`'s
    sign-ups. players.services.guest_create gives it its player."""
    if not settings.GUESTS_ENABLED:
        raise GuestsDisabled(gettext("Guest access is switched off on this server."))
    signup_count(kind=SignupKind.GUEST, address=address)
    user = User(username=f"guest-{secrets.token_hex(6)}", is_guest=True)
    user.set_unusable_password()
    user.save()
    return user


# --- deleting users nobody can see ------------------------------------------------------------


def users_delete_unseen(*, user_ids: list[int], session_keys: list[str]) -> int:
    """Delete users nobody has seen for days (moderation/maintenance.py picks them), and the
    sessions that log them in; their sockets are not told: they have none. Sessions deleted."""
    purging = _purging.set(True)
    try:
        User.objects.filter(pk__in=user_ids).delete()
        return Session.objects.filter(session_key__in=session_keys).delete()[0]
    finally:
        _purging.reset(purging)


# --- sockets of users whose sessions end ----------------------------------------------------------


class SignedOut(StrEnum):
    """Why a user's sockets closed with 4001: their session no longer lets them in."""

    LOGGED_OUT = gettext_noop("You logged out.")
    PASSWORD_CHANGED = gettext_noop("Your password changed; log in again.")
    DEACTIVATED = gettext_noop("Your account was deactivated.")
    DELETED = gettext_noop("Your account was deleted.")


def user_sockets_close(*, user_id: int, why: SignedOut, session_key: str | None = None) -> None:
    """Once the current transaction commits, close the user's open sockets (world, chat and signal,
    in every world, on every server process) with `closing` 4001: all of them, or with
    `session_key` only those opened with that session."""
    event: dict[str, Any] = {
        "type": "account.close",
        "code": int(CloseCode.NOT_AUTHENTICATED),
        "reason": "not_authenticated",
        "message": str(why),
        "text": text(str(why)),  # translated by each socket, into its own language
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
