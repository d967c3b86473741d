"""The shared rate limiter: its arithmetic on a fake clock, and what counts as one address."""

import pytest
from django.core.cache import cache

from metaverse import ratelimit
from metaverse.ratelimit import Rate, address_bucket, rate_forget, rate_take

HOURLY = Rate(count=10, seconds=3600, burst=10)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(ratelimit.time, "time", fake.time)
    rate_forget(key="test:bucket")
    yield fake
    rate_forget(key="test:bucket")


def test_ten_an_hour_lets_ten_through_at_once_then_one_every_six_minutes(clock):
    assert [rate_take(key="test:bucket", rate=HOURLY) for _ in range(10)] == [0.0] * 10
    assert rate_take(key="test:bucket", rate=HOURLY) == pytest.approx(360)
    clock.now += 359
    assert rate_take(key="test:bucket", rate=HOURLY) == pytest.approx(1)
    clock.now += 1
    assert rate_take(key="test:bucket", rate=HOURLY) == 0.0
    clock.now += 3600
    assert [rate_take(key="test:bucket", rate=HOURLY) for _ in range(11)][-1] > 0  # all ten are back, no more


def test_a_refused_event_is_not_counted(clock):
    for _ in range(10):
        rate_take(key="test:bucket", rate=HOURLY)
    for _ in range(50):
        assert rate_take(key="test:bucket", rate=HOURLY) == pytest.approx(360)


def test_a_caller_that_finds_the_bucket_locked_waits_for_it_only_as_long_as_it_may(clock):
    cache.add("test:bucket:lock", 1, timeout=2)  # another process is deciding right now
    # Refused for a moment (at most the lock's life), not for a whole interval.
    assert rate_take(key="test:bucket", rate=HOURLY, lock_wait=0.02) == ratelimit.LOCK_SECONDS
    cache.delete("test:bucket:lock")
    assert rate_take(key="test:bucket", rate=HOURLY, lock_wait=0.02) == 0.0


@pytest.mark.parametrize(
    ("address", "bucket"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb:cccc:dddd:eeee", "2001:db8:1:2::/64"),  # the same home: one bucket
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("", "unknown"),
        (None, "unknown"),
        ("/run/daphne.sock", "unknown"),
    ],
)
def test_an_ipv6_address_counts_by_its_64_and_no_address_as_one_unknown(address, bucket):
    assert address_bucket(address) == bucket
