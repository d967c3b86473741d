from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metaverse.errors import AppError
from moderation.commandline import find_world, live_reach_warning
from moderation.services import broadcast
from world.selectors import worlds_with_online_counts


class Command(BaseCommand):
    help = "Send a system message to everyone in a world (and into its chat history)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--world", metavar="SLUG", required=True, help="the world to speak in")
        parser.add_argument("text", help="the message, in quotes")

    def handle(self, *args: Any, **options: Any) -> None:
        world = find_world(options["world"])
        try:
            message = broadcast(world=world, text=options["text"], by=None)
        except AppError as error:
            raise CommandError(f"not sent: {error.message}") from error
        online = getattr(worlds_with_online_counts().get(pk=world.pk), "online", 0)
        self.stdout.write(
            f"sent to {world.slug} ({online} online): message {message.pk}, {len(message.text)} characters"
        )
        warning = live_reach_warning()
        if warning:
            self.stderr.write(warning + "; the message is in the chat history")
