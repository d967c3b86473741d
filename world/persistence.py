"""The database side of the hub: periodic position saves, presence, reloading a world."""

from channels.db import database_sync_to_async

from world.engine.engine import Session, WorldEngine
from world.engine.hub import Hub, WorldRecord
from world.selectors import world_record_by_id
from world.services import PositionRow, presence_purge_stale, presence_refresh

PURGE_EVERY = 20  # renewals


def position_row(engine: WorldEngine, session: Session) -> PositionRow:
    player = session.player
    zone = engine.zone_of_player(player.id)
    return PositionRow(user_id=player.id, x=player.x, y=player.y, direction=player.dir, zone=zone.name if zone else "")


def install(hub: Hub) -> None:
    saves = 0

    async def on_save(engine: WorldEngine, sessions: list[Session], moved: list[Session]) -> None:
        nonlocal saves
        saves += 1
        moved_rows = [position_row(engine, session) for session in moved]
        await database_sync_to_async(presence_refresh)(
            world_id=engine.world_id,
            server=hub.server_name,
            live=[session.player.id for session in sessions],
            moved=moved_rows,
        )
        if saves % PURGE_EVERY == 0:
            await database_sync_to_async(presence_purge_stale)()

    async def load_record(world_id: int) -> WorldRecord | None:
        return await database_sync_to_async(world_record_by_id)(world_id)

    hub.on_save = on_save
    hub.load_record = load_record
