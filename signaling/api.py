from typing import cast

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from signaling.services import ice_servers


class IceServersApi(APIView):
    """The STUN/TURN servers for RTCPeerConnection, with fresh TURN credentials: logged-in users only."""

    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        body = {"iceServers": ice_servers(user_id=user.pk), "ttl": settings.TURN_TTL}
        # Credentials: never kept by a shared cache or the browser's back/forward cache.
        return Response(body, headers={"Cache-Control": "no-store, private"})
