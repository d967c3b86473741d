from typing import Any

from django.core.management.base import BaseCommand

from world.selectors import worlds_with_online_counts


class Command(BaseCommand):
    help = "List the worlds with how many players are online in each."

    def handle(self, *args: Any, **options: Any) -> None:
        worlds = list(worlds_with_online_counts())
        if not worlds:
            self.stdout.write("no worlds yet: python manage.py import_map PATH --slug SLUG, or load_demo")
            return
        width = max(len(world.slug) for world in worlds)
        self.stdout.write(f"{'slug':<{width}}  {'online':>6}  {'capacity':>8}  name")
        for world in worlds:
            online = getattr(world, "online", 0)
            self.stdout.write(f"{world.slug:<{width}}  {online:>6}  {world.capacity:>8}  {world.name}")
        total = sum(getattr(world, "online", 0) for world in worlds)
        self.stdout.write(f"{len(worlds)} world{'s' if len(worlds) != 1 else ''}, {total} online")
