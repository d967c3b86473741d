"""GET /healthz: is the database reachable, is the channel layer reachable, is this process
draining for shutdown; and what the channel layers dropped (metaverse/layers.py)."""

import asyncio
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse

from metaverse.bus import get_bus
from metaverse.layers import DROPPED

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


async def healthz(request: HttpRequest) -> JsonResponse:
    database, channel_layer = await asyncio.gather(
        _timed(sync_to_async(_check_database, thread_sensitive=False)), _timed(_check_channel_layer)
    )
    channel_layer["dropped"] = dict(DROPPED)
    draining = get_bus().draining
    healthy = bool(database["ok"] and channel_layer["ok"]) and not draining
    status = "draining" if draining else "ok" if healthy else "unavailable"
    body = {"status": status, "database": database, "channel_layer": channel_layer}
    return JsonResponse(body, status=200 if healthy else 503)
