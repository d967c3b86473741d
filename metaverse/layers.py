"""The channel layers we run on, with every message they drop counted.

channels-redis drops a group message for a channel that is over capacity and only says so in
an INFO log line, and drops the oldest message of a socket that falls `capacity` messages
behind without a word; the in-memory layer drops over capacity silently too. All are counted
here by the kind of group (`chat`, `signal`, `world-sync`, ...; `channel` for a direct send,
`socket-buffer` for a socket behind) and logged as a warning at most once a second per kind;
/healthz shows the counts.
"""

import collections
import functools
import logging
import time
from collections import Counter
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as BaseInMemoryChannelLayer
from channels_redis.core import BoundedQueue
from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
from redis.asyncio import BlockingConnectionPool

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


_redis_layer_log = logging.getLogger("channels_redis.core")
_redis_layer_log.addFilter(_OverCapacityCounter())
# Its only INFO line is the over-capacity one: let it through whatever LOG_LEVEL says, to be counted.
_redis_layer_log.setLevel(logging.INFO)


class _CountedBuffer(BoundedQueue):
    """channels-redis's per-socket buffer drops its oldest message when a socket falls behind."""

    def put_nowait(self, item: Any) -> None:
        if self.full():
            count_dropped("socket-buffer")
        super().put_nowait(item)


class RedisChannelLayer(BaseRedisChannelLayer):
    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        self.receive_buffer: collections.defaultdict[str, BoundedQueue] = collections.defaultdict(
            functools.partial(_CountedBuffer, self.capacity)
        )

    def create_pool(self, index: int) -> BlockingConnectionPool:
        """A pool that waits (up to `timeout` seconds) for a free connection when all
        `max_connections` are busy, where redis-py's default pool fails at once: 150 sockets
        connecting together raised "Too many connections"."""
        host = dict(self.hosts[index])
        return BlockingConnectionPool.from_url(host.pop("address"), **host)

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
