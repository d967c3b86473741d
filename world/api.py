from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.http import NotBanned
from world.models import World
from world.selectors import world_online, worlds_with_online_counts
from world.serializers import WorldSerializer


class WorldListApi(ListAPIView[World]):
    """Every world with how many are online: public, like a lobby's door sign (but not to a
    banned address)."""

    serializer_class = WorldSerializer
    permission_classes = [NotBanned]
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return worlds_with_online_counts()


class WorldDetailApi(APIView):
    """One world and who is in it: for logged-in users only."""

    def get(self, request: Request, slug: str) -> Response:
        world = worlds_with_online_counts().filter(slug=slug).first()
        if world is None:
            return Response({"detail": f"There is no world '{slug}'."}, status=404)
        body = dict(WorldSerializer(world).data)
        body["players"] = world_online(world=world)
        return Response(body)
