"""How long an arrival's trip to the database thread takes, with nothing else running: the reads
a world socket makes when it opens (admission and the player's entry), awaited from an event
loop, through channels' `database_sync_to_async` (a new connection each trip) and through
`metaverse.database`'s (the thread keeps its connection). docs/performance.md, "Arrivals".

    DATABASE_URL=... python -m tools.loadtest.db_trips --world demo --trips 300

It reads as the newest account with a profile; `load_demo` and one guest are enough.
"""

import argparse
import asyncio
import os
import time
from collections.abc import Callable
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--world", default="demo")
    parser.add_argument("--trips", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2, help="each way this many times, in turn")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metaverse.settings")
    import django

    django.setup()
    from channels.db import database_sync_to_async as channels_trip

    from metaverse.database import database_sync_to_async as kept_trip
    from players.models import Player
    from world.admission import admit
    from world.models import World
    from world.selectors import player_entry

    world = World.objects.get(slug=options.world)
    player = Player.objects.select_related("user").order_by("-user_id").first()
    if player is None:
        raise SystemExit("no player yet: join as a guest once, or run load_demo")

    def arrival() -> None:
        admit(user=player.user, slug=world.slug, address="127.0.0.1")
        player_entry(user_id=player.user_id, world_id=world.id)

    async def per_trip_ms(way: Callable[..., Any]) -> float:
        started = time.perf_counter()
        for _ in range(options.trips):
            await way(arrival)()
        return (time.perf_counter() - started) / options.trips * 1000

    async def measure() -> None:
        for _ in range(options.rounds):
            channels_ms = await per_trip_ms(channels_trip)
            kept_ms = await per_trip_ms(kept_trip)
            print(f"trips={options.trips} new_connection_ms={channels_ms:.2f} kept_connection_ms={kept_ms:.2f}")

    asyncio.run(measure())


if __name__ == "__main__":
    main()
