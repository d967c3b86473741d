from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from moderation.maintenance import guest_purge


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


class Command(BaseCommand):
    help = "Delete guest accounts nobody has seen for GUEST_RETENTION_DAYS days (or --days), with their sessions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, metavar="N", help="not seen for N days (default: GUEST_RETENTION_DAYS, 7 unless set)"
        )
        parser.add_argument("--dry-run", action="store_true", help="count them, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.GUEST_RETENTION_DAYS if options["days"] is None else options["days"]
        if days < 1:
            raise CommandError(f"--days must be at least 1, not {days}")
        result = guest_purge(days=days, dry_run=options["dry_run"])
        guests, sessions = _count(result.guests, "guest"), _count(result.sessions, "session")
        what = f"{guests} not seen for {_count(days, 'day')} and {sessions}"
        if options["dry_run"]:
            self.stdout.write(f"would delete {what}; dry run, nothing deleted")
        else:
            self.stdout.write(f"deleted {what}")
