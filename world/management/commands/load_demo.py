from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from world.services import world_import_map

DEMO_MAPS = Path(__file__).resolve().parents[2] / "demo" / "maps"
# The campus is where capacity is measured (docs/performance.md), so it admits up to 1,000.
DEMO_WORLDS = [("demo.tmj", "demo", "Demo Campus", 1000), ("annex.tmj", "annex", "The Annex", 100)]


class Command(BaseCommand):
    help = "Load (or refresh) the demo worlds 'demo' and 'annex'; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        for file_name, slug, name, capacity in DEMO_WORLDS:
            result = world_import_map(path=DEMO_MAPS / file_name, slug=slug, name=name, capacity=capacity)
            verb = "created" if result.created else ("updated" if result.changed else "unchanged")
            self.stdout.write(f"{verb} world '{slug}' ({result.world.width}×{result.world.height} tiles)")
