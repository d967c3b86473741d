"""Whether an account, or anyone at an address, is kept out: asked by every app, decided on top.

Bans are moderation's (the top layer); the apps below it ask here and never import it.
Moderation registers its answer when Django starts (moderation/apps.py). The answer is what the
person is told (docs/protocol.md, 4003), or None to let them in."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from metaverse.addresses import request_address

Check = Callable[..., str | None]  # (*, user_id: int | None, address: str | None, staff: bool)

_check: Check | None = None
_ASKED = "_restriction_asked"


def restriction_register(check: Check) -> None:
    global _check
    _check = check


def restriction_of(*, user: Any, address: str | None) -> str | None:
    """Why `user` (anonymous or not) connecting from `address` is kept out, or None."""
    if _check is None:
        return None
    authenticated = bool(user is not None and user.is_authenticated)
    return _check(
        user_id=user.pk if authenticated else None,
        address=address,
        staff=authenticated and bool(user.is_staff or user.is_superuser),
    )


def request_restriction(request: HttpRequest, *, user: Any) -> str | None:
    """The same for an HTTP request, asked once per request whoever asks again."""
    asked: dict[tuple[Any, str | None], str | None] = request.__dict__.setdefault(_ASKED, {})
    key = (user.pk if user.is_authenticated else None, request_address(request))
    if key not in asked:
        asked[key] = restriction_of(user=user, address=key[1])
    return asked[key]
