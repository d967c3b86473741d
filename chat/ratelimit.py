"""How fast one user may chat, counted for all of their sockets on every server process.

A token bucket kept in Django's cache (Redis when REDIS_URL is set): one message every
CHAT_RATE_SECONDS / CHAT_RATE_MESSAGES seconds on average, up to CHAT_RATE_BURST at once. It is
stored as the time the bucket will be full again (GCRA), so one key per user is enough.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache

LOCK_SECONDS = 2  # a lock left by a process that died expires on its own


def _key(user_id: int) -> str:
    return f"chat:rate:{user_id}"


def rate_take(*, user_id: int) -> float:
    """Count one message; 0.0 if it may go, otherwise the seconds until one may."""
    interval = settings.CHAT_RATE_SECONDS / settings.CHAT_RATE_MESSAGES
    tolerance = interval * (settings.CHAT_RATE_BURST - 1)
    key = _key(user_id)
    # Read-modify-write across processes: whoever holds the lock decides. Two sends by one
    # person within the same millisecond are a script, so the loser is refused, not queued.
    if not cache.add(f"{key}:lock", 1, timeout=LOCK_SECONDS):
        return interval
    try:
        now = time.time()
        full_at = max(float(cache.get(key) or 0.0), now)
        wait = full_at - now - tolerance
        if wait > 0:
            return wait
        cache.set(key, full_at + interval, timeout=math.ceil(full_at + interval - now) + 1)
        return 0.0
    finally:
        cache.delete(f"{key}:lock")
