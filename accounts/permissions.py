"""The REST API's default permission besides being logged in: nobody kept out gets in."""

from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.restrictions import request_restriction


class NotRestricted(BasePermission):
    """403 {"detail": <why>} for a banned account or address, logged in or not."""

    def has_permission(self, request: Request, view: Any) -> bool:
        refusal = request_restriction(request._request, user=request.user)
        if refusal is not None:
            # Raised rather than returned False: DRF would answer an anonymous caller 401.
            raise PermissionDenied(refusal, code="banned")
        return True
