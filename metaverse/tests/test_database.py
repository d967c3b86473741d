"""The sockets' database thread keeps its connection, and replaces one PostgreSQL dropped."""

import asyncio

import pytest
from django.db import OperationalError, connection

from metaverse import database
from metaverse.database import database_sync_to_async
from metaverse.infrastructure import is_infrastructure_error
from metaverse.testing import need_postgres


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def trip() -> int:
    """A trip as a socket makes one: from an event loop, to the one database thread."""

    async def run() -> int:
        return await database_sync_to_async(backend_pid)()

    return asyncio.run(run())


def terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_trips_share_one_connection_that_is_not_this_threads() -> None:
    need_postgres()
    first, second, third = trip(), trip(), trip()
    assert first == second == third
    assert first != backend_pid()  # the sockets' thread, not the caller's


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_while_idle_is_replaced_before_use(monkeypatch: pytest.MonkeyPatch) -> None:
    need_postgres()
    kept = trip()
    terminate(kept)
    monkeypatch.setattr(database, "IDLE_CHECK_SECONDS", 0.0)  # as if it had been idle a while
    replaced = trip()
    assert replaced != kept
    assert trip() == replaced


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_while_busy_costs_one_trip_then_is_replaced() -> None:
    need_postgres()
    kept = trip()
    terminate(kept)
    with pytest.raises(OperationalError) as failed:
        trip()  # a socket answers this one "unavailable, try again" (docs/architecture.md)
    assert is_infrastructure_error(failed.value)
    replaced = trip()
    assert replaced != kept
    assert trip() == replaced
