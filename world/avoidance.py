"""Whom a player has blocked, for the engine never to put them in contact: asked by the world,
answered on top.

Blocks are the chat app's (a layer above); the world asks here and never imports it. Chat
registers its answer when Django starts (chat/apps.py): an expression for the ids a player
(`user_id` of the row being read) has blocked, read in the same query as the rest of an arrival
(world/selectors.py `player_entry`), or None while no app has registered one."""

from collections.abc import Callable
from typing import Any

BlockedExpression = Callable[[], Any]  # () -> a query expression: an array of user ids

_expression: BlockedExpression | None = None


def avoidance_register(expression: BlockedExpression) -> None:
    global _expression
    _expression = expression


def blocked_expression() -> Any | None:
    return None if _expression is None else _expression()
