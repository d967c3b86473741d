import asyncio
import contextlib
import logging
import signal
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from websockets.exceptions import InvalidStatus

from players.services import ProfileError
from signaling.bot import SocketClosed
from signaling.echo import echo_bot_run
from signaling.services import BotUserTaken, bot_session_create, echo_bot_user, ice_servers
from world.engine.mapdata import SILENT, MapData
from world.models import World
from world.services import PositionRow, positions_save


def parse_at(value: str) -> tuple[float, float]:
    try:
        x, y = (float(part) for part in value.split(","))
    except ValueError:
        raise CommandError(f"--at {value!r}: give X,Y in tiles, e.g. --at 33.5,26.5") from None
    return x, y


def default_origin(url: str) -> str:
    """The origin of the server's own pages at `url`: what the server accepts from a browser."""
    scheme = "https" if url.startswith("wss://") else "http"
    return f"{scheme}://{urlsplit(url).netloc}"


class Command(BaseCommand):
    help = "Stand an echo bot in a world: it answers calls and sends your own audio and video back (a test call)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--world", required=True, metavar="SLUG", help="the world to stand in")
        parser.add_argument("--at", metavar="X,Y", help="where to stand, in tiles (default: where it last stood)")
        parser.add_argument("--url", default="ws://127.0.0.1:8000", help="the server (default ws://127.0.0.1:8000)")
        parser.add_argument("--name", default="Echo bot", help='display name (default "Echo bot")')
        parser.add_argument("--origin", help="Origin header to send (default: the server's own, from --url)")

    def handle(self, *args: Any, **options: Any) -> None:
        for noisy in ("aioice", "aiortc"):  # every candidate pair at INFO; the bot says what matters
            logging.getLogger(noisy).setLevel(logging.WARNING)
        url = str(options["url"]).rstrip("/")
        if not url.startswith(("ws://", "wss://")):
            raise CommandError(f"--url {url!r} must start with ws:// or wss://")
        world = World.objects.filter(slug=options["world"]).first()
        if world is None:
            raise CommandError(f"there is no world {options['world']!r}")
        row = self._position(world, options["at"]) if options["at"] else None
        try:
            user = echo_bot_user(display_name=options["name"])
        except (BotUserTaken, ProfileError) as error:
            raise CommandError(f"--name: {error}" if isinstance(error, ProfileError) else str(error)) from None
        if row is not None:
            # Where it last stood is where the world puts it when it connects.
            positions_save(world_id=world.pk, rows=[replace(row, user_id=user.pk)])
        cookie = bot_session_create(user=user)
        origin = options["origin"] or default_origin(url)

        def out(line: str) -> None:
            self.stdout.write(f"echo_bot: {line}")
            self.stdout.flush()

        async def main() -> None:
            task = asyncio.current_task()
            assert task is not None
            loop = asyncio.get_running_loop()
            for stop in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(stop, task.cancel)
            await echo_bot_run(
                url=url, slug=world.slug, cookie=cookie, origin=origin,
                ice=lambda: ice_servers(user_id=user.pk), out=out,
            )  # fmt: skip

        try:
            with contextlib.suppress(asyncio.CancelledError):
                asyncio.run(main())
        except InvalidStatus as error:
            raise CommandError(
                f"{url} refused the connection ({error.response.status_code}): "
                f"does the server accept the Origin {origin!r}? Its host must be one of ALLOWED_HOSTS, or the "
                "origin one of CSRF_TRUSTED_ORIGINS (--origin)"
            ) from None
        except SocketClosed as closed:
            code = f" (code {closed.code})" if closed.code else ""
            raise CommandError(f"the server closed the connection: {closed}{code}") from None
        except OSError as error:
            raise CommandError(f"cannot reach {url}: {error}") from None
        out("stopped")

    def _position(self, world: World, at: str) -> PositionRow:
        x, y = parse_at(at)
        mapdata = MapData(world.map_json)
        if not mapdata.is_walkable(x, y):
            raise CommandError(f"({x:g}, {y:g}) is outside {world.name} or on a wall")
        index = mapdata.index_of(x, y)
        zone = mapdata.zones[mapdata.zone_at[index]] if mapdata.zone_at[index] >= 0 else None
        if zone is not None and zone.kind == SILENT:
            raise CommandError(f"({x:g}, {y:g}) is in {zone.name}, a silent zone: nobody could call the bot there")
        return PositionRow(user_id=0, x=x, y=y, direction="down", zone=zone.name if zone else "")
