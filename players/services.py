from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import guest_user_create
from metaverse.errors import AppError
from metaverse.events import user_event_after_commit
from players.models import DISPLAY_NAME_MAX_LENGTH, Avatar, Player, Status
from players.names import display_name_problem


class ProfileError(AppError):
    """A profile value that cannot be stored; `field` names the input it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__("invalid", message, field=field)


def clean_display_name(value: str, *, staff: bool = False) -> str:
    """White space collapsed; no invisible or control characters; no staff or system name
    unless `staff` (the account it is for is staff: players/names.py)."""
    name = " ".join(value.split())
    if not name:
        raise ProfileError("display_name", gettext("A display name cannot be empty."))
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ProfileError(
            "display_name",
            gettext("A display name has at most %(limit)d characters.") % {"limit": DISPLAY_NAME_MAX_LENGTH},
        )
    problem = display_name_problem(name, staff=staff)
    if problem is not None:
        raise ProfileError("display_name", problem)
    return name


def is_staff_account(user: User) -> bool:
    return bool(user.is_staff or user.is_superuser)


def display_name_for(*, user: User, wanted: str) -> str:
    """`wanted` (an email's local part, a username) if it makes a good display name for `user`,
    otherwise a neutral one: nobody signs up as admin@… and speaks as "admin"."""
    try:
        return clean_display_name(wanted, staff=is_staff_account(user))
    except AppError:
        return f"Player {user.pk}"


def default_avatar() -> Avatar | None:
    return Avatar.objects.active().first()


def random_avatar() -> Avatar | None:
    """Any look on offer: guests who do not pick one are not all alike."""
    return Avatar.objects.active().order_by("?").first()


def player_create(*, user: User, display_name: str, avatar: Avatar | None = None) -> Player:
    name = clean_display_name(display_name, staff=is_staff_account(user))
    return Player.objects.create(user=user, display_name=name, avatar=avatar or default_avatar())


def player_for_user(*, user: User) -> Player:
    """The user's player, created on first use (superusers made with createsuperuser have none)."""
    player = Player.objects.select_related("avatar", "user").filter(user=user).first()
    if player is None:
        player = player_create(user=user, display_name=display_name_for(user=user, wanted=user.get_username()))
    return player


@transaction.atomic
def player_update(
    *,
    player: Player,
    display_name: str | None = None,
    avatar_slug: str | None = None,
    status: str | None = None,
    guide_seen: bool | None = None,
    hide_location: bool | None = None,
) -> Player:
    """Change what others see of a player, or whether they may find where the player is (open
    worlds learn of it once the change is committed), or that they have seen the first-visit
    guide (nobody else is told)."""
    fields: list[str] = []
    if guide_seen and player.guide_seen_at is None:
        player.guide_seen_at = timezone.now()
        player.save(update_fields=["guide_seen_at"])
    if display_name is not None:
        player.display_name = clean_display_name(display_name, staff=is_staff_account(player.user))
        fields.append("display_name")
    if avatar_slug is not None:
        avatar = Avatar.objects.active().filter(slug=avatar_slug).first()
        if avatar is None:
            raise ProfileError("avatar", gettext("There is no avatar %(slug)r.") % {"slug": avatar_slug})
        player.avatar = avatar
        fields.append("avatar")
    if status is not None:
        if status not in Status.values:
            raise ProfileError(
                "status",
                gettext("Unknown status %(status)r; use one of %(choices)s.")
                % {"status": status, "choices": ", ".join(Status.values)},
            )
        player.status = status
        fields.append("status")
    if hide_location is not None and hide_location != player.hide_location:
        player.hide_location = hide_location
        fields.append("hide_location")
    if fields:
        player.save(update_fields=[*fields, "updated_at"])
        user_event_after_commit(player.pk, {"type": "player.profile_changed"})
    return player


@transaction.atomic
def guest_create(*, display_name: str, address: str | None, avatar: Avatar | None = None) -> User:
    """A guest and its player (the look they picked, or any), counted against `address`'s
    sign-ups; the caller logs it in."""
    user = guest_user_create(address=address)
    player_create(user=user, display_name=display_name, avatar=avatar or random_avatar())
    return user
