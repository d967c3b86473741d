"""Whom a player has blocked, for the engine never to put them in contact: asked by the world,
answered on top.

Blocks are the chat app's (a layer above); the world asks here and never imports it. Chat
registers its answer when Django starts (chat/apps.py): on PostgreSQL an expression for the ids a
player (`user_id` of the row being read) has blocked, read in the same query as the rest of an
arrival (world/selectors.py `player_entry`); on any database, a reader that asks on its own."""

from collections.abc import Callable
from typing import Any

from django.db import connection

BlockedExpression = Callable[[], Any]  # () -> a query expression: an array of user ids
BlockedReader = Callable[[int], set[int]]  # user id -> the ids they have blocked

_expression: BlockedExpression | None = None
_reader: BlockedReader | None = None


def avoidance_register(*, expression: BlockedExpression, reader: BlockedReader) -> None:
    global _expression, _reader
    _expression, _reader = expression, reader


def blocked_expression() -> Any | None:
    """The expression, where the database can read it as one array (PostgreSQL), else None."""
    if _expression is None or connection.vendor != "postgresql":
        return None
    return _expression()


def blocked_ids_read(user_id: int) -> set[int]:
    return set() if _reader is None else _reader(user_id)
