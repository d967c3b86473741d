"""Bans, as every app asks about them (accounts/restrictions.py): registered when Django starts."""

from moderation.selectors import ban_applying


def ban_message(*, user_id: int | None, address: str | None, staff: bool) -> str | None:
    """What a banned account, or anyone at a banned address, is told (docs/protocol.md); one query."""
    found = ban_applying(user_id=user_id, address=address, staff=staff)
    if found is None:
        return None
    ban, by_address = found
    return ban.refusal_message(by_address=by_address)
