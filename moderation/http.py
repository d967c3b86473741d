"""Bans over HTTP. A ban keeps its account, and anyone calling from its address, out of the REST
API (NotBanned, one of the default permission classes: every endpoint answers 403 with the ban's
message) and out of the pages that change what others see, as the sockets keep them out with 4003."""

from typing import Any

from django.http import HttpRequest
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from metaverse.addresses import request_address
from moderation.models import Ban
from moderation.selectors import ban_applying

_CHECKED = "_moderation_bans_checked"


def request_ban(request: HttpRequest, *, user: Any) -> tuple[Ban, bool] | None:
    """The ban that applies to this request, if any, and whether it matched by address. At most
    one query per request: the answer is kept on the request for whoever asks again."""
    user_id = user.pk if user.is_authenticated else None
    address = request_address(request)
    checked: dict[tuple[int | None, str | None], tuple[Ban, bool] | None] = request.__dict__.setdefault(_CHECKED, {})
    if (user_id, address) not in checked:
        staff = bool(user.is_authenticated and (user.is_staff or user.is_superuser))
        checked[(user_id, address)] = ban_applying(user_id=user_id, address=address, staff=staff)
    return checked[(user_id, address)]


def request_refusal(request: HttpRequest, *, user: Any) -> str | None:
    """What a banned caller is told (docs/protocol.md), or None."""
    found = request_ban(request, user=user)
    if found is None:
        return None
    ban, by_address = found
    return ban.refusal_message(by_address=by_address)


class NotBanned(BasePermission):
    """403 {"detail": <the ban's message>} for a banned account or address, logged in or not."""

    def has_permission(self, request: Request, view: Any) -> bool:
        refusal = request_refusal(request._request, user=request.user)
        if refusal is not None:
            # Raised rather than returned False: DRF would answer an anonymous caller 401.
            raise PermissionDenied(refusal, code="banned")
        return True
