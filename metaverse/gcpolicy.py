"""Garbage collection for a server that must answer within milliseconds.

A full collection walks every object the collector tracks. With 300 players connected that is
about 80,000 objects (sockets, consumers, tasks, the engine's sets) and took 55–100 ms on our
2-core machine, every few seconds: the slowest ticks, and the worst latencies, were those
pauses. Yet steady socket traffic makes almost no cyclic garbage (after 20 s of 300 players
walking, a collection found 159 unreachable objects); what lives through one full collection
is mostly the connections, which live on. So objects that survive a full collection are
moved out of the collector's reach (`gc.freeze`), and later full collections only look at
what is newer. Cycles among frozen objects (a closed connection's, say) would never be
collected, so every `thaw_seconds` they are put back (`gc.unfreeze`), and the next full
collection looks at everything once: one long pause per period instead of one every few seconds.

`manage.py serve` installs it when GC_FREEZE is on (metaverse/serving.py), once the application
has loaded.
"""

import gc
import time
from collections.abc import Callable
from typing import Any

THAW_SECONDS = 600.0


class FreezeSurvivors:
    def __init__(self, thaw_seconds: float = THAW_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.thaw_seconds = thaw_seconds
        self.clock = clock
        self.thawed_at = clock()

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop" or info.get("generation") != 2:
            return
        now = self.clock()
        if now - self.thawed_at >= self.thaw_seconds:
            self.thawed_at = now
            gc.unfreeze()  # the next full collection sees every object again
        else:
            gc.freeze()


def install(thaw_seconds: float = THAW_SECONDS) -> FreezeSurvivors:
    """Freeze what exists now (it lives as long as the process) and every full collection's survivors."""
    gc.freeze()
    policy = FreezeSurvivors(thaw_seconds)
    gc.callbacks.append(policy)
    return policy


def uninstall() -> None:
    """Undo `install`: no more freezing, and everything frozen goes back to the collector."""
    gc.callbacks[:] = [callback for callback in gc.callbacks if not isinstance(callback, FreezeSurvivors)]
    gc.unfreeze()
