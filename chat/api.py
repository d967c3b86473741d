from typing import Any, cast

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from chat.selectors import blocks_of, conversation, messages_visible
from chat.serializers import BIGINT_MAX, BlockCreateSerializer, BlockSerializer, HistoryQuerySerializer, message_json
from chat.services import block_create, block_remove
from world.models import World


class HistoryPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def decode_cursor(self, request: Request) -> Cursor | None:
        cursor = super().decode_cursor(request)
        # A cursor is the client's to forge: a position that is no time would be a 500 in the query.
        if cursor is not None and cursor.position is not None and not _is_time(str(cursor.position)):
            raise NotFound(self.invalid_cursor_message)
        return cursor


def _is_time(text: str) -> bool:
    try:
        return parse_datetime(text) is not None
    except ValueError:  # well formed but impossible, such as month 13
        return False


class MessageHistoryApi(APIView):
    """What the user may read of a world's chat, newest first, a page at a time."""

    def get(self, request: Request, slug: str) -> Response:
        user = cast(User, request.user)
        world = World.objects.filter(slug=slug).first()
        if world is None:
            return Response(
                {"detail": gettext("There is no world '%(slug)s'.") % {"slug": slug}}, status=status.HTTP_404_NOT_FOUND
            )
        if user.is_guest and not world.guests_allowed:
            raise PermissionDenied(gettext("This world is for members only."))
        query: dict[str, Any] = {key: request.query_params[key] for key in ("scope",) if key in request.query_params}
        if "with" in request.query_params:
            query["with_user"] = request.query_params["with"]
        filters = HistoryQuerySerializer(data=query)
        if not filters.is_valid():
            errors = dict(filters.errors)
            if "with_user" in errors:
                errors["with"] = errors.pop("with_user")
            raise serializers.ValidationError(errors)
        messages = messages_visible(user_id=user.pk, world_id=world.pk)
        scope = filters.validated_data.get("scope")
        if scope:
            messages = messages.filter(scope=scope)
        other = filters.validated_data.get("with_user")
        if other is not None:
            messages = conversation(messages, user_id=user.pk, other_id=other)
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(messages, request, view=self) or []
        return paginator.get_paginated_response([message_json(message, viewer_id=user.pk) for message in page])


class BlockListApi(APIView):
    def get(self, request: Request) -> Response:
        blocks = blocks_of(user_id=cast(User, request.user).pk)
        return Response(BlockSerializer(blocks, many=True).data)

    def post(self, request: Request) -> Response:
        user = cast(User, request.user)
        incoming = BlockCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        blocked = User.objects.filter(pk=incoming.validated_data["user"]).first()
        if blocked is None:
            missing = gettext("There is no player %(id)s.") % {"id": incoming.validated_data["user"]}
            raise serializers.ValidationError({"user": [missing]})
        block, created = block_create(blocker=user, blocked=blocked)
        block = blocks_of(user_id=user.pk).get(pk=block.pk)
        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class BlockDetailApi(APIView):
    def delete(self, request: Request, user_id: int) -> Response:
        if user_id > BIGINT_MAX or not block_remove(blocker=cast(User, request.user), blocked_id=user_id):
            return Response(
                {"detail": gettext("You do not block player %(id)s.") % {"id": user_id}},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)
