"""How fast one user may chat, counted for all of their sockets on every server process.

One message every CHAT_RATE_SECONDS / CHAT_RATE_MESSAGES seconds on average, up to
CHAT_RATE_BURST at once: a bucket per user in the shared rate limiter (metaverse/ratelimit.py).
"""

from django.conf import settings

from metaverse import ratelimit as shared


def _key(user_id: int) -> str:
    return f"chat:rate:{user_id}"


def rate_take(*, user_id: int) -> float:
    """Count one message; 0.0 if it may go, otherwise the seconds until one may."""
    rate = shared.Rate(
        count=settings.CHAT_RATE_MESSAGES, seconds=settings.CHAT_RATE_SECONDS, burst=settings.CHAT_RATE_BURST
    )
    return shared.rate_take(key=_key(user_id), rate=rate)
