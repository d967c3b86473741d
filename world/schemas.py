"""One schema per message a client sends on /ws/world/ (docs/protocol.md): validated fields only."""

from dataclasses import dataclass
from typing import Any

from metaverse.sockets import field_bool, field_choice, field_int, field_number
from metaverse.wire import MAX_INTEGER
from world.engine.state import DIRECTIONS, EMOTES


@dataclass(frozen=True, slots=True)
class Move:
    x: float
    y: float
    dir: str | None  # None: unchanged
    moving: bool
    seq: int | None  # None: the server counts


def parse_move(data: dict[str, Any]) -> Move:
    return Move(
        x=field_number(data, "x"),
        y=field_number(data, "y"),
        dir=field_choice(data, "dir", DIRECTIONS) if "dir" in data else None,
        moving=field_bool(data, "moving", default=False),
        seq=field_int(data, "seq", required=False, minimum=1),
    )


def parse_locate(data: dict[str, Any]) -> int:
    """`id`: the player to find."""
    found = field_int(data, "id", minimum=1)
    assert found is not None  # required
    return found


def parse_knock_answer(data: dict[str, Any]) -> tuple[int, bool]:
    """`id`: who knocked; `accept`: coming over or not."""
    return parse_locate(data), field_bool(data, "accept", default=False)


def parse_emote(data: dict[str, Any]) -> str:
    return field_choice(data, "emote", EMOTES)


def parse_ping(data: dict[str, Any]) -> int | float | None:
    """`t`, echoed back: the client's clock, e.g. Date.now()."""
    if data.get("t") is None:
        return None
    field_number(data, "t", bound=MAX_INTEGER)
    return data["t"]
