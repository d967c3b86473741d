from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from moderation.commandline import find_user
from moderation.selectors import bans_active
from moderation.services import ban_lift, user_label


class Command(BaseCommand):
    help = "Lift a user's bans (and the IP addresses banned with them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", metavar="USER", help="username, email address or numeric id")
        parser.add_argument("--reason", default="", help="for the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["user"])
        lifted = sum(ban_lift(ban=ban, by=None, reason=options["reason"]) for ban in bans_active(user_id=user.pk))
        if lifted:
            self.stdout.write(f"lifted {lifted} ban{'s' if lifted != 1 else ''} of {user_label(user)}")
        else:
            self.stdout.write(f"{user_label(user)} was not banned: nothing to lift")
