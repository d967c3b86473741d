"""Who may enter a world, decided once when a socket connects."""

from dataclasses import dataclass

from accounts.models import User
from metaverse.sockets import CloseCode
from moderation.selectors import ban_applying
from world.engine.records import WorldRecord
from world.selectors import player_profile, presence_live, saved_position, world_record


@dataclass
class Refusal:
    code: CloseCode
    reason: str
    message: str


@dataclass
class Admission:
    record: WorldRecord | None = None
    profile: dict[str, str] | None = None
    saved: tuple[float, float, str] | None = None
    connected_elsewhere: bool = False  # a live connection to this world, on some server process
    refusal: Refusal | None = None


def ban_refusal(*, user: User, address: str | None) -> Refusal | None:
    """Banned accounts, and connections from banned addresses, stay out of every world (staff
    only out of the addresses a superuser or an operator banned)."""
    found = ban_applying(user_id=user.pk, address=address, staff=user.is_staff or user.is_superuser)
    if found is None:
        return None
    ban, by_address = found
    return Refusal(CloseCode.BANNED, "banned", ban.refusal_message(by_address=by_address))


def admit(*, user: User, slug: str, address: str | None = None) -> Admission:
    if not user.is_authenticated:
        return Admission(
            refusal=Refusal(CloseCode.NOT_AUTHENTICATED, "not_authenticated", "Log in or join as a guest first.")
        )
    banned = ban_refusal(user=user, address=address)
    if banned is not None:
        return Admission(refusal=banned)
    record = world_record(slug=slug)
    if record is None:
        return Admission(refusal=Refusal(CloseCode.UNKNOWN_WORLD, "unknown_world", f"There is no world '{slug}'."))
    if user.is_guest and not record.guests_allowed:
        return Admission(
            refusal=Refusal(CloseCode.GUESTS_NOT_ALLOWED, "guests_not_allowed", "This world is for members only.")
        )
    return Admission(
        record=record,
        profile=player_profile(user_id=user.pk),
        saved=saved_position(user_id=user.pk, world_id=record.id),
        connected_elsewhere=presence_live(user_id=user.pk, world_id=record.id),
    )
