from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metaverse.errors import AppError
from moderation.commandline import describe, find_user, live_reach_warning, parse_duration
from moderation.selectors import address_of
from moderation.services import ban_create, user_label

CURRENT = "current"


class Command(BaseCommand):
    help = "Ban a user from every world, for a time or for good, optionally with their IP address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", metavar="USER", help="username, email address or numeric id")
        parser.add_argument("--for", dest="length", metavar="DURATION", help="30m, 2h, 7d, 1w…; leave out for good")
        parser.add_argument("--reason", default="", help="shown to the player when refused")
        parser.add_argument(
            "--ip", nargs="?", const=CURRENT, metavar="ADDRESS",
            help="also refuse this address; with no value, the one they are connected from now",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["user"])
        length = parse_duration(options["length"]) if options["length"] is not None else None
        ip = options["ip"]
        if ip == CURRENT:
            ip = address_of(user_id=user.pk)
            if ip is None:
                raise CommandError(
                    f"{user_label(user)} is not online, so their address is unknown: give it, --ip ADDRESS"
                )
        try:
            ban = ban_create(user=user, by=None, reason=options["reason"], duration=length, ip=ip)
        except AppError as error:
            raise CommandError(error.message) from error
        term = f"for {describe(length)}, {ban.term()}" if length else ban.term()
        parts = [f"banned {user_label(user)} {term}"]
        if ban.ip:
            parts.append(f"and the address {ban.ip}")
        if ban.reason:
            parts.append(f"(reason: {ban.reason})")
        self.stdout.write(" ".join(parts) + "; their open connections are being closed")
        warning = live_reach_warning()
        if warning:
            self.stderr.write(warning + "; new connections are refused all the same")
