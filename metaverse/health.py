"""GET /healthz: is the database reachable, is the channel layer reachable, is this process
draining for shutdown; and what the channel layers dropped (metaverse/layers.py).

Anyone gets the status (what a load balancer needs). The details per component, whose errors
name internal hosts and ports, go only to staff sessions and to callers that send
HEALTHZ_TOKEN (`Authorization: Bearer <token>`, or `?token=`)."""

import asyncio
import hmac
import logging
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from metaverse.bus import get_bus
from metaverse.layers import DROPPED

log = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0


def _check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned a different message")


async def _timed(check) -> dict[str, object]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        reason = str(error) or type(error).__name__
        return {"ok": False, "error": reason[:200]}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _token_given(request: HttpRequest) -> bool:
    expected = settings.HEALTHZ_TOKEN
    if not expected:
        return False
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    given = credentials.strip() if scheme.lower() == "bearer" else request.GET.get("token", "")
    return hmac.compare_digest(given.encode(), expected.encode())


async def _staff_session(request: HttpRequest) -> bool:
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # no session to look up: no query
    try:
        user = await asyncio.wait_for(request.auser(), CHECK_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - no session store: not shown to be staff
        log.warning("healthz: could not read the session: %s: %s", type(error).__name__, str(error)[:200])
        return False
    return bool(user.is_active and user.is_staff)


async def healthz(request: HttpRequest) -> JsonResponse:
    database, channel_layer = await asyncio.gather(
        _timed(sync_to_async(_check_database, thread_sensitive=False)), _timed(_check_channel_layer)
    )
    channel_layer["dropped"] = dict(DROPPED)
    draining = get_bus().draining
    healthy = bool(database["ok"] and channel_layer["ok"]) and not draining
    status = "draining" if draining else "ok" if healthy else "unavailable"
    body: dict[str, object] = {"status": status}
    # Sessions live in the database: with it down, only the token shows the details.
    if _token_given(request) or (database["ok"] and await _staff_session(request)):
        body.update(database=database, channel_layer=channel_layer)
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response
