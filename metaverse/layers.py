"""The channel layers we run on, with every message they drop counted.

channels-redis drops a group message for a channel that is over capacity and only says so in
an INFO log line; the in-memory layer drops it without a word. Both are counted here by the
kind of group (`chat`, `signal`, `world-sync`, ...) and logged as a warning at most once a
second per kind; /healthz shows the counts.
"""

import logging
import time
from collections import Counter

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as BaseInMemoryChannelLayer
from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer

log = logging.getLogger(__name__)

DROPPED: Counter[str] = Counter()
_reported: dict[str, tuple[float, int]] = {}  # kind -> (when last logged, count then)
_OVER_CAPACITY = "%s of %s channels over capacity in group %s"


def group_kind(group: str) -> str:
    """`chat.3.17` -> `chat`: ids stay out of the counters' keys."""
    return group.split(".", 1)[0] or group


def count_dropped(where: str, count: int = 1) -> None:
    kind = group_kind(where)
    DROPPED[kind] += count
    last, counted = _reported.get(kind, (0.0, 0))
    now = time.monotonic()
    if now - last >= 1.0:
        _reported[kind] = (now, DROPPED[kind])
        log.warning(
            "channel layer dropped %d message(s) for %s over capacity (%d in all)",
            DROPPED[kind] - counted, kind, DROPPED[kind],
        )  # fmt: skip


class _OverCapacityCounter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == _OVER_CAPACITY and isinstance(record.args, tuple) and len(record.args) == 3:
            count, _, group = record.args
            count_dropped(str(group), int(count))  # type: ignore[call-overload]
            return False  # count_dropped logs its own, rate-limited line
        return True


logging.getLogger("channels_redis.core").addFilter(_OverCapacityCounter())


class RedisChannelLayer(BaseRedisChannelLayer):
    async def send(self, channel: str, message: dict) -> None:
        try:
            await super().send(channel, message)
        except ChannelFull:
            count_dropped("channel")
            raise


class InMemoryChannelLayer(BaseInMemoryChannelLayer):
    async def group_send(self, group: str, message: dict) -> None:
        self.require_valid_group_name(group)
        self._clean_expired()
        dropped = 0
        for channel in list(self.groups.get(group, {})):
            try:
                await self.send(channel, message)
            except ChannelFull:
                dropped += 1
        if dropped:
            count_dropped(group, dropped)
