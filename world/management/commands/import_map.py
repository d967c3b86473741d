from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from world.services import world_import_map
from world.tiled import MapError


class Command(BaseCommand):
    help = "Create or update a world from a Tiled JSON map, with its tilesets and images."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="the .tmj or .json map file")
        parser.add_argument("--slug", required=True, help="the world's address: /w/<slug>/")
        parser.add_argument("--name", help="the world's display name (default: from the slug)")

    def handle(self, *args: Any, path: str, slug: str, name: str | None, **options: Any) -> None:
        if slugify(slug) != slug:
            raise CommandError(f"'{slug}' is not a valid slug: use lowercase letters, digits and hyphens")
        try:
            result = world_import_map(path=path, slug=slug, name=name)
        except MapError as error:
            raise CommandError(f"{path}: {error}") from None
        world = result.world
        verb = "created" if result.created else ("updated" if result.changed else "unchanged")
        self.stdout.write(
            f"{verb} world '{world.slug}' ({world.name}): {world.width}×{world.height} tiles, "
            f"{result.assets} image(s), map version {world.map_version}"
        )
