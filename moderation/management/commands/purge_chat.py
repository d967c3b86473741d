from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from metaverse.errors import AppError
from moderation.commandline import describe, parse_duration
from moderation.models import when
from moderation.services import chat_purge


class Command(BaseCommand):
    help = "Delete chat messages older than a given age (reports keep the text they quote)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", required=True, metavar="DURATION", help="30d, 12w, …")
        parser.add_argument("--dry-run", action="store_true", help="count them, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        age: timedelta = parse_duration(options["older_than"])
        try:
            count = chat_purge(older_than=age, dry_run=options["dry_run"], by=None)
        except AppError as error:
            raise CommandError(error.message) from error
        what = f"{count} chat message{'s' if count != 1 else ''} older than {describe(age)}"
        before = when(timezone.now() - age)
        if options["dry_run"]:
            self.stdout.write(f"would delete {what} (before {before}); dry run, nothing deleted")
        else:
            self.stdout.write(f"deleted {what} (before {before})")
