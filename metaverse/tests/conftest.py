"""Fixtures of the fault tests: a Redis of their own, a proxy to cut PostgreSQL off, two server
processes on that Redis, and the clients a test opens (closed at the end)."""

import shutil
from pathlib import Path

import pytest
from django.db import connection

from metaverse.faults import PrivateRedis, TcpProxy
from metaverse.testing import ServerProcess, need
from metaverse.tests.fault_support import ON_A, ON_B, Chatter, Player
from world.engine.mapdata import MapData


@pytest.fixture
def private_redis(tmp_path: Path):
    need(shutil.which("redis-server") is not None, "needs redis-server installed")
    with PrivateRedis(tmp_path / "redis") as redis:
        yield redis


@pytest.fixture
def sessions(cookies, demo_worlds) -> dict[str, str]:
    return {name: cookies(name) for name in (*ON_A, *ON_B)}


@pytest.fixture
def mapdata(demo_worlds) -> MapData:
    return MapData(demo_worlds["demo"].map_json)


@pytest.fixture
def pair(private_redis, server_factory, demo_worlds) -> tuple[ServerProcess, ServerProcess]:
    """Two server processes on the private Redis (which outlives them: it is set up first)."""
    env = {"REDIS_URL": private_redis.url, "CHAT_RATE_BURST": "50"}
    return server_factory(env, name="faults-a"), server_factory(env, name="faults-b")


@pytest.fixture
async def clients():
    """Every client a test opens, closed at the end."""
    opened: list[Player | Chatter] = []
    yield opened
    for client in opened:
        await client.leave()


@pytest.fixture
def database_proxy(transactional_db):
    """A TcpProxy in front of the test database (set up before the servers that use it, so that
    it outlives them)."""
    database = connection.settings_dict
    need(database["ENGINE"].endswith("postgresql"), "needs PostgreSQL: set DATABASE_URL")
    with TcpProxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)) as proxy:
        yield proxy
