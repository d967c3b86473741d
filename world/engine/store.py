"""Where the hub keeps what outlives a process: the worlds' records, where players stand, and who
is online (a lease the hub renews every PRESENCE_RENEW_SECONDS).

The hub is given a store when it is built (world/engine/hub.py, `get_hub`): the project's
database (`world.persistence.DatabaseStore`, the `WORLD_STORE` setting), or `MemoryStore`
where there is no database, as in tests of the hub alone.
"""

from collections.abc import Iterable
from typing import Protocol

from world.engine.engine import Session, WorldEngine
from world.engine.records import WorldRecord

PRESENCE_RENEW_SECONDS = 3.0


class WorldStore(Protocol):
    async def load_record(self, world_id: int) -> WorldRecord | None:
        """The world as it is stored now (after its map was re-imported, say); None if it is gone."""

    async def save(self, engine: WorldEngine, *, server: str, live: list[Session], moved: list[Session]) -> None:
        """Renew the presence of `live`, everyone connected to `server` in this world (anyone else
        `server` had there is gone), and save where `moved` stand."""


class MemoryStore:
    """A store in this process's memory: the records it was given, and what the hub saved."""

    def __init__(self, records: Iterable[WorldRecord] = ()) -> None:
        self.records = {record.id: record for record in records}
        self.positions: dict[tuple[int, int], tuple[float, float, str]] = {}  # (world, player): x, y, dir
        self.presence: dict[tuple[int, int], str] = {}  # (world, player): server

    async def load_record(self, world_id: int) -> WorldRecord | None:
        return self.records.get(world_id)

    async def save(self, engine: WorldEngine, *, server: str, live: list[Session], moved: list[Session]) -> None:
        world = engine.world_id
        for session in moved:
            player = session.player
            self.positions[(world, player.id)] = (player.x, player.y, player.dir)
        for key in [key for key, owner in self.presence.items() if key[0] == world and owner == server]:
            del self.presence[key]
        self.presence.update({(world, session.player.id): server for session in live})
