"""Failures of what the server stands on (PostgreSQL, Redis, the network to them), told apart
from bugs: they get "try again" answers (HTTP 503, WebSocket 1013, `unavailable`), not 500."""

import logging
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy
from redis.exceptions import BusyLoadingError, OutOfMemoryError, ReadOnlyError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    OutOfMemoryError,  # Redis full (maxmemory, noeviction)
    ReadOnlyError,  # a replica, during a failover
    BusyLoadingError,  # Redis restarting with its data
    ConnectionError,
    TimeoutError,
)
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = gettext_lazy(
    "The server cannot reach its database or message bus right now; try again in a moment."
)


def is_infrastructure_error(error: BaseException) -> bool:
    return isinstance(error, INFRASTRUCTURE_ERRORS) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    )


class ServiceUnavailableMiddleware:
    """A request that failed for want of PostgreSQL or Redis gets 503 with Retry-After."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_infrastructure_error(exception):
            return None
        log.warning("%s %s: unavailable: %s: %s", request.method, request.path, type(exception).__name__, exception)
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": str(UNAVAILABLE_MESSAGE)}, status=503)
        else:
            response = HttpResponse(str(UNAVAILABLE_MESSAGE), status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
