import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from players.models import Player
from players.services import player_create


class GuestsDisabled(PermissionDenied):
    pass


@transaction.atomic
def guest_create(*, display_name: str) -> User:
    """Create a guest user and its player; the caller logs it in."""
    if not settings.GUESTS_ENABLED:
        raise GuestsDisabled("Guest access is switched off on this server.")
    user = User(username=f"guest-{secrets.token_hex(6)}", is_guest=True)
    user.set_unusable_password()
    user.save()
    player_create(user=user, display_name=display_name)
    return user


def user_display_name(*, user: User) -> str:
    player = Player.objects.filter(user=user).only("display_name").first()
    return player.display_name if player else user.get_username()
