from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from world.areas import NOTED
from world.services import world_import_map
from world.tiled import MapError


class Command(BaseCommand):
    help = "Create or update a world from a Tiled JSON map, with its tilesets and images."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="the .tmj or .json map file")
        parser.add_argument("--slug", required=True, help="the world's address: /w/<slug>/")
        parser.add_argument("--name", help="the world's display name (default: from the slug)")
        parser.add_argument(
            "--keep-area-edits",
            action="store_true",
            help="keep the moderators' edits of areas (the admin's Areas) in the new map, matched by layer and name",
        )

    def handle(self, *args: Any, path: str, slug: str, name: str | None, keep_area_edits: bool, **options: Any) -> None:
        if slugify(slug) != slug:
            raise CommandError(f"'{slug}' is not a valid slug: use lowercase letters, digits and hyphens")
        try:
            result = world_import_map(path=path, slug=slug, name=name, keep_area_edits=keep_area_edits)
        except MapError as error:
            raise CommandError(f"{path}: {error}") from None
        world = result.world
        verb = "created" if result.created else ("updated" if result.changed else "unchanged")
        self.stdout.write(
            f"{verb} world '{world.slug}' ({world.name}): {world.width}×{world.height} tiles, "
            f"{result.assets} file(s), {result.areas} interactive area(s), map version {world.map_version}"
        )
        if keep_area_edits:
            self.stdout.write(f"kept {result.kept_edits} area edit(s)")
        for where, names in result.ignored:
            self.stdout.write(f"ignored: {where}: {', '.join(names)}")
        for name in sorted({name for _, names in result.ignored for name in names} & NOTED.keys()):
            self.stdout.write(f"note: {name}: {NOTED[name]}")
