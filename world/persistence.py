"""The hub's store (world/engine/store.py) in the project's database: records read with the
selectors, presence and positions written with the services. Named by the WORLD_STORE setting;
nothing imports this module but `get_hub`, through that setting."""

from metaverse.database import database_sync_to_async
from world.engine.engine import Session, WorldEngine
from world.engine.records import WorldRecord
from world.selectors import world_record_by_id
from world.services import position_row, presence_purge_stale, presence_refresh

PURGE_EVERY = 20  # renewals


class DatabaseStore:
    def __init__(self) -> None:
        self.saves = 0

    async def load_record(self, world_id: int) -> WorldRecord | None:
        return await database_sync_to_async(world_record_by_id)(world_id)

    async def save(self, engine: WorldEngine, *, server: str, live: list[Session], moved: list[Session]) -> None:
        self.saves += 1
        moved_rows = [position_row(engine, session) for session in moved]
        await database_sync_to_async(presence_refresh)(
            world_id=engine.world_id, server=server, live=[session.player.id for session in live], moved=moved_rows
        )
        if self.saves % PURGE_EVERY == 0:
            await database_sync_to_async(presence_purge_stale)()
