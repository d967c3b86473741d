"""One schema per message a client sends on /ws/chat/ (docs/protocol.md): validated fields only."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from chat.models import CLIENT_ID_MAX_LENGTH, Scope
from metaverse.errors import AppError
from metaverse.sockets import field_choice, field_int

SEND_SCOPES = (Scope.WORLD.value, Scope.NEARBY.value, Scope.ZONE.value, Scope.DIRECT.value)


@dataclass(frozen=True, slots=True)
class Send:
    scope: str
    text: str  # as sent: chat/services.py trims and checks it
    to: int | None  # the recipient of a direct message


def parse_client_id(data: dict[str, Any]) -> str | None:
    """Read first: every later error about this message carries it back."""
    client_id = data.get("client_id")
    if client_id is not None and (
        not isinstance(client_id, str) or len(client_id) > CLIENT_ID_MAX_LENGTH or not client_id.isprintable()
    ):
        raise AppError(
            "invalid",
            gettext("'client_id' must be a string of at most %(limit)d characters") % {"limit": CLIENT_ID_MAX_LENGTH},
        )
    return client_id


def parse_send(data: dict[str, Any]) -> Send:
    scope = field_choice(data, "scope", SEND_SCOPES)
    text = data.get("text")
    if not isinstance(text, str):
        raise AppError("invalid", gettext("'text' must be a string"))
    return Send(scope=scope, text=text, to=field_int(data, "to", minimum=1) if scope == Scope.DIRECT else None)
