"""How often something may happen, counted for every server process together.

A token bucket kept in Django's cache (Redis when REDIS_URL is set): `count` events every
`seconds` on average, up to `burst` at once. It is stored as the time the bucket will be full
again (GCRA), so one key per bucket is enough. Chat counts per user; sign-ups and TURN
credentials per client address (`address_bucket`).
"""

import ipaddress
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

LOCK_SECONDS = 2  # a lock left by a process that died expires on its own
LOCK_POLL_SECONDS = 0.005
# Per-address buckets wait this long for their lock: a class joining from one school's address
# arrives together, and should be counted, not refused for a race.
ADDRESS_LOCK_WAIT_SECONDS = 0.5
IPV6_BUCKET_PREFIX = 64


@dataclass(frozen=True)
class Rate:
    """`count` events every `seconds` on average, up to `burst` at once."""

    count: int
    seconds: float
    burst: int

    @property
    def interval(self) -> float:
        return self.seconds / self.count


def _locked(lock: str, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while not cache.add(lock, 1, timeout=LOCK_SECONDS):
        if time.monotonic() >= deadline:
            return False
        time.sleep(LOCK_POLL_SECONDS)
    return True


def rate_take(*, key: str, rate: Rate, lock_wait: float = 0.0) -> float:
    """Count one event in the bucket `key`: 0.0 if it may happen, otherwise the seconds until one may.

    Read-modify-write across processes: whoever holds the bucket's lock decides. A caller that
    finds it taken waits up to `lock_wait` seconds (chat waits for nothing: two sends by one
    person within the same millisecond are a script), then is refused for a moment: the lock is
    gone by then at the latest.
    """
    interval = rate.interval
    tolerance = interval * (rate.burst - 1)
    lock = f"{key}:lock"
    if not _locked(lock, lock_wait):
        return min(interval, LOCK_SECONDS)
    try:
        now = time.time()
        full_at = max(float(cache.get(key) or 0.0), now)
        wait = full_at - now - tolerance
        if wait > 0:
            return wait
        cache.set(key, full_at + interval, timeout=math.ceil(full_at + interval - now) + 1)
        return 0.0
    finally:
        cache.delete(lock)


def rate_forget(*, key: str) -> None:
    """Empty the bucket `key` (tests, and an operator who lifts a limit early)."""
    cache.delete_many([key, f"{key}:lock"])


def address_bucket(address: str | None) -> str:
    """What a client address counts as: an IPv4 address itself; an IPv6 address by its /64, since
    one home, phone or server gets a whole /64 and counting single addresses would count nothing;
    "unknown" when there is no address (a Unix socket without a proxy's headers), which everyone
    then shares."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_BUCKET_PREFIX), strict=False))
    return str(ip)
