from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metaverse.errors import AppError
from moderation.commandline import find_user, live_reach_warning
from moderation.selectors import worlds_online_in
from moderation.services import player_kick, user_label


class Command(BaseCommand):
    help = "Close every connection a user has open (code 4010); they may come back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", metavar="USER", help="username, email address or numeric id")
        parser.add_argument("--reason", default="", help="shown to the player")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["user"])
        worlds = worlds_online_in(user_id=user.pk)
        try:
            player_kick(user=user, by=None, reason=options["reason"])
        except AppError as error:
            raise CommandError(error.message) from error
        where = f"online in {', '.join(worlds)}" if worlds else "not in any world right now"
        self.stdout.write(f"kick sent to {user_label(user)}'s connections ({where})")
        warning = live_reach_warning()
        if warning:
            self.stderr.write(warning)
