"""Stopping asyncio tasks for good."""

import asyncio
from typing import Any


async def stop_tasks(tasks: list[asyncio.Task[Any]]) -> None:
    """Cancel tasks and wait until they have ended. On Python 3.11 `asyncio.wait_for` (which
    redis-py sends commands with) drops a cancellation that lands as its inner call finishes, so a
    task told once may run on for good: tell it again until it stops."""
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=0.1)
