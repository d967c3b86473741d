"""What the engine is made with and gives back: its settings, a connected player's session, what
a move and a tick return. Apart from the engine so that it stays one readable module."""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from metaverse.frames import FrameWriter
from world.engine.mapdata import Exit
from world.engine.state import PlayerState

Sink = Callable[[str], Awaitable[None]]
# (added contacts, removed contacts, the call the player is in now or None); also called when
# the player's call becomes mixed or stops being so (WorldEngine.call_mixed)
ContactListener = Callable[[list[int], list[int], str | None], Awaitable[None]]


@dataclass(frozen=True)
class EngineSettings:
    walk_speed: float = 5.0  # tiles per second
    talk_radius: float = 2.5
    mesh_limit: int = 6
    call_limit: int = 0  # a meeting of more goes through the media server; 0: there is none
    mix_limit: int = 0  # a call of more has its sound mixed by the media server; 0: never
    aoi_cell: int = 10
    aoi_radius: int = 2
    speed_allowance: float = 1.2  # how much faster than walk_speed a client may seem to move
    burst_tiles: float = 1.5  # distance a client may catch up in one go (network jitter)
    # Contacts only start and stop calls, so they are worked out at most this often rather
    # than every tick: with hundreds of players they cost more than the rest of the tick.
    contacts_interval_ms: int = 200


def always() -> bool:
    return True


@dataclass(eq=False)
class Session:
    """A player connected to this process."""

    player: PlayerState
    sink: Sink
    close: Callable[[int, str], Awaitable[None]]
    alive: Callable[[], bool] = always  # False once the socket has ended (the hub sweeps it out)
    write: FrameWriter | None = None  # writes a frame built once for many (None: use `sink`)
    connected_at: float = field(default_factory=time.time)
    visible: set[int] = field(default_factory=set)
    window: frozenset[int] = frozenset()
    contacts: frozenset[int] = frozenset()
    call: str | None = None
    budget: float = 0.0  # tiles the player may still move now
    last_move: float = field(default_factory=time.monotonic)
    exit_index: int = -1  # the exit tile the player stands on, so each exit is announced once
    area_set: int = 0  # the interactive areas the player is in (MapData.area_sets), told on each change
    left_call_at: tuple[float, float] | None = None  # where they stepped out of calls (leave_call)


@dataclass
class MoveResult:
    accepted: bool
    reason: str = ""
    zone_changed: bool = False
    areas_changed: bool = False
    exit: Exit | None = None


@dataclass
class TickResult:
    messages: list[tuple[Session, str]] = field(default_factory=list)  # each for one session
    shared: list[tuple[str, list[Session]]] = field(default_factory=list)  # the same frame for many
    contact_changes: list[tuple[int, list[int], list[int], str | None]] = field(default_factory=list)
    publication: dict[str, Any] | None = None
