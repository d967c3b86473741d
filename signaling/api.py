from typing import Any, cast

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from signaling.services import ice_servers_issue


class IceServersApi(APIView):
    """The STUN/TURN servers for RTCPeerConnection: logged-in users only, and fresh TURN
    credentials only for a player in a world (docs/protocol.md, "ICE servers")."""

    def get(self, request: Request) -> Response:
        user = cast(User, request.user)
        ice = ice_servers_issue(user_id=user.pk, address=request.META.get("REMOTE_ADDR"))
        body: dict[str, Any] = {"iceServers": ice.servers, "ttl": settings.TURN_TTL, "turn": ice.turn}
        if ice.retry_after is not None:
            body["retry_after"] = ice.retry_after
        # Credentials: never kept by a shared cache or the browser's back/forward cache.
        return Response(body, headers={"Cache-Control": "no-store, private"})
