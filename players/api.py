from typing import cast

from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from players.models import Avatar
from players.serializers import AvatarSerializer, PlayerSerializer, PlayerUpdateSerializer
from players.services import player_for_user, player_update


class PlayerMeApi(APIView):
    def get(self, request: Request) -> Response:
        return Response(PlayerSerializer(player_for_user(user=cast(User, request.user))).data)

    def patch(self, request: Request) -> Response:
        incoming = PlayerUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        player = player_update(
            player=player_for_user(user=cast(User, request.user)),
            display_name=values.get("display_name"),
            avatar_slug=values.get("avatar"),
            status=values.get("status"),
            guide_seen=values.get("guide_seen"),
            hide_location=values.get("hide_location"),
        )
        return Response(PlayerSerializer(player).data)


class AvatarListApi(ListAPIView[Avatar]):
    serializer_class = AvatarSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Avatar.objects.active()
