from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from moderation.commandline import find_world
from moderation.models import when
from moderation.services import user_label
from world.selectors import presence_with_positions
from world.services import presence_stale_seconds


class Command(BaseCommand):
    help = "List who is online (world, player, zone, position, connected since), in one world or all."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--world", metavar="SLUG", help="only this world")

    def handle(self, *args: Any, **options: Any) -> None:
        world = find_world(options["world"]) if options["world"] else None
        cutoff = timezone.now() - timedelta(seconds=presence_stale_seconds())
        online = presence_with_positions().filter(last_seen__gte=cutoff).select_related("user__player", "world")
        if world is not None:
            online = online.filter(world=world)
        rows = []
        for presence in online.order_by("world__slug", "connected_at"):
            x, y = getattr(presence, "x", None), getattr(presence, "y", None)
            player = getattr(presence.user, "player", None)
            rows.append(
                (
                    presence.world.slug,
                    user_label(presence.user),
                    player.display_name if player else "",
                    getattr(presence, "zone", None) or "-",
                    "-" if x is None or y is None else f"{x:.1f},{y:.1f}",
                    when(presence.connected_at),
                    presence.address or "-",
                )
            )
        where = f" in {world.slug}" if world else ""
        if not rows:
            self.stdout.write(f"nobody is online{where}")
            return
        header = ("world", "user", "name", "zone", "position", "connected since", "address")
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(f"{value:<{widths[i]}}" for i, value in enumerate(row)).rstrip())
        worlds = len({row[0] for row in rows})
        self.stdout.write(
            f"{len(rows)} online{where}" + ("" if world else f" in {worlds} world{'s' if worlds != 1 else ''}")
        )
