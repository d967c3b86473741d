"""What a world replica is built from: plain data, read from the database by the world's store
(world/persistence.py) and by admission, handed to the hub."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WorldRecord:
    id: int
    slug: str
    name: str
    capacity: int
    guests_allowed: bool
    map_json: dict[str, Any] | None  # None: not read (admission); the hub reads it from its store if it needs it
    map_version: str
    map_url: str
