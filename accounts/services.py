import math
import secrets
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from metaverse.ratelimit import ADDRESS_LOCK_WAIT_SECONDS, Rate, address_bucket, rate_take
from players.models import Player
from players.services import player_create


class GuestsDisabled(PermissionDenied):
    pass


class SignupKind(StrEnum):
    GUEST = "guest"
    ACCOUNT = "account"


class SignupLimited(Exception):
    """Too many new accounts from one address lately; the next may come in `retry_after` seconds."""

    def __init__(self, *, kind: SignupKind, per_hour: int, retry_after: int) -> None:
        self.kind = kind
        self.per_hour = per_hour
        self.retry_after = retry_after
        noun = "guest accounts" if kind == SignupKind.GUEST else "accounts"
        minutes = max(1, math.ceil(retry_after / 60))
        self.message = (
            f"Too many new {noun} from your network address: at most {per_hour} an hour. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        super().__init__(self.message)


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


def user_display_name(*, user: User) -> str:
    player = Player.objects.filter(user=user).only("display_name").first()
    return player.display_name if player else user.get_username()
