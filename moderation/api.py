from typing import cast

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from moderation.serializers import ReportCreateSerializer
from moderation.services import report_create


class ReportCreateApi(APIView):
    """A player reports another player, or one of their messages, to the moderators."""

    def post(self, request: Request) -> Response:
        incoming = ReportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        report = report_create(
            reporter=cast(User, request.user), user_id=data["user"], message_id=data.get("message"),
            reason=data["reason"],
        )  # fmt: skip
        return Response({"id": report.pk, "status": report.status}, status=status.HTTP_201_CREATED)
