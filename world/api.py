from django.utils.translation import gettext
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import NotRestricted
from world.models import World
from world.selectors import sees_members_only, world_online, worlds_with_online_counts
from world.serializers import WorldSerializer


class WorldListApi(ListAPIView[World]):
    """Every world with how many are online: public, like a lobby's door sign (but not to a
    banned address). A members-only world is listed, with `online` null, to whoever may not
    enter it."""

    serializer_class = WorldSerializer
    permission_classes = [NotRestricted]
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return worlds_with_online_counts(viewer=self.request.user)


class WorldDetailApi(APIView):
    """One world and who is in it: for those who may enter it (a guest gets 403 for a members-only
    world, as its socket refuses them with 4011)."""

    def get(self, request: Request, slug: str) -> Response:
        world = worlds_with_online_counts().filter(slug=slug).first()
        if world is None:
            return Response({"detail": gettext("There is no world '%(slug)s'.") % {"slug": slug}}, status=404)
        if not world.guests_allowed and not sees_members_only(request.user):
            raise PermissionDenied(gettext("This world is for members only."))
        body = dict(WorldSerializer(world).data)
        body["players"] = world_online(world=world)
        return Response(body)
