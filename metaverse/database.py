"""The sockets' trips to the database: like channels' `database_sync_to_async`, except that the
thread keeps its connection between trips.

Every socket's database work runs on one thread (asgiref's thread-sensitive executor). With
CONN_MAX_AGE=0, which HTTP requests need (each runs in a thread of its own, and kept
connections piled up until PostgreSQL refused more), channels closed that thread's connection
after every trip and opened a new one for the next: a TCP connect, PostgreSQL starting a
backend and the session's set-up, several round trips each waiting for the interpreter while
the loop is busy, on every arrival, leave and save (docs/performance.md, "Arrivals").
This thread is one per process, so its one connection is kept. A connection that failed is
checked and replaced, and one left idle a while is checked before use, so a restarted
PostgreSQL costs at most the trip that found it gone."""

import time
from typing import Any

from asgiref.sync import SyncToAsync
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

IDLE_CHECK_SECONDS = 5.0  # a connection unused this long is checked (one SELECT 1) before use
_LAST_USED = "_metaverse_last_used"


def _checked(connection: BaseDatabaseWrapper, *, before: bool) -> None:
    if connection.connection is None:
        return
    if connection.get_autocommit() != connection.settings_dict["AUTOCOMMIT"]:
        connection.close()  # a trip that left a transaction open: not carried into the next (as Django does)
        return
    idle = time.monotonic() - getattr(connection, _LAST_USED, 0.0)
    if connection.errors_occurred or (before and idle > IDLE_CHECK_SECONDS):
        if connection.is_usable():
            connection.errors_occurred = False
        else:
            connection.close()


def _before() -> None:
    for connection in connections.all(initialized_only=True):
        _checked(connection, before=True)


def _after() -> None:
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        _checked(connection, before=False)
        setattr(connection, _LAST_USED, now)


class KeptConnectionSyncToAsync(SyncToAsync):
    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        _before()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _after()


# Used like channels' `database_sync_to_async`: `await database_sync_to_async(read)(...)`.
database_sync_to_async = KeptConnectionSyncToAsync
