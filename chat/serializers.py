"""How a chat message looks on the wire (the socket and the REST API alike), and what the API accepts."""

from typing import Any

from rest_framework import serializers

from accounts.models import User
from chat.models import Block, Message, Scope

BIGINT_MAX = 2**63 - 1  # ids are 64-bit: a larger number in a query would be a database error


def person_json(user: User) -> dict[str, Any]:
    """Who sent a message, or who is blocked: select `player__avatar` first."""
    player = getattr(user, "player", None)
    return {
        "id": user.pk,
        "name": player.display_name if player else user.get_username(),
        "avatar": player.avatar.slug if player and player.avatar else None,
        "guest": bool(user.is_guest),
    }


def message_json(message: Message, *, viewer_id: int | None) -> dict[str, Any]:
    """Select `sender__player__avatar` first. `client_id` is shown to the sender only."""
    return {
        "id": message.pk,
        "scope": message.scope,
        "text": message.text,
        "sender": person_json(message.sender) if message.sender else None,
        "to": message.recipient_id,
        "zone": message.zone or None,
        "created_at": message.created_at.isoformat(),
        "client_id": (message.client_id or None) if viewer_id is not None and viewer_id == message.sender_id else None,
    }


class HistoryQuerySerializer(serializers.Serializer[None]):
    """The filters of `GET /api/worlds/<slug>/messages/`."""

    scope = serializers.ChoiceField(choices=Scope.choices, required=False)
    # "with" is a Python keyword: the view maps the query parameter onto this field.
    with_user = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, required=False)


class BlockCreateSerializer(serializers.Serializer[None]):
    user = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)


class BlockSerializer(serializers.ModelSerializer[Block]):
    user = serializers.SerializerMethodField()

    class Meta:
        model = Block
        fields = ("user", "created_at")

    def get_user(self, block: Block) -> dict[str, Any]:
        return person_json(block.blocked)
