"""Who may open a socket on a world: the one rule for the world, chat and signal sockets,
decided once when a socket connects (world/sockets.py asks it)."""

from dataclasses import dataclass

from django.utils.translation import gettext

from accounts.models import User
from accounts.restrictions import restriction_of
from metaverse.sockets import CloseCode
from world.engine.records import WorldRecord
from world.models import World
from world.selectors import record_of


@dataclass(frozen=True)
class Refusal:
    code: CloseCode
    reason: str
    message: str


@dataclass(frozen=True)
class Admission:
    record: WorldRecord  # what the world engine is built from
    world: World  # the row, for what is stored against it (chat messages)


def admit(*, user: User, slug: str, address: str | None = None) -> Admission | Refusal:
    """Logged in (a guest is), not kept out (a ban on the account or the address: staff only by
    a superuser's or an operator's), a world that exists, and a member if it is for members."""
    if not user.is_authenticated:
        return Refusal(CloseCode.NOT_AUTHENTICATED, "not_authenticated", gettext("Log in or join as a guest first."))
    restriction = restriction_of(user=user, address=address)
    if restriction is not None:
        return Refusal(CloseCode.BANNED, "banned", restriction)
    world = World.objects.filter(slug=slug).defer("map_json").first()
    if world is None:
        return Refusal(
            CloseCode.UNKNOWN_WORLD, "unknown_world", gettext("There is no world '%(slug)s'.") % {"slug": slug}
        )
    if user.is_guest and not world.guests_allowed:
        return Refusal(CloseCode.GUESTS_NOT_ALLOWED, "guests_not_allowed", gettext("This world is for members only."))
    return Admission(record=record_of(world, with_map=False), world=world)
