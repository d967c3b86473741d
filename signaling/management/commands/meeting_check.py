import logging
import math
import time
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from websockets.exceptions import InvalidStatus

from accounts.models import User
from metaverse.processes import cpu_seconds, process_named
from players.services import player_for_user
from signaling.bot import SocketClosed
from signaling.janus import JanusError
from signaling.meeting import Guest, MeetingResult, percentile
from signaling.meeting_shards import processes_for, run_meeting_sharded
from signaling.services import bot_session_create
from world.engine.mapdata import MEETING, MapData, Zone
from world.models import Presence, World
from world.services import PositionRow, positions_save

USERNAME = "meeting-check-{}"
LEAVE_WAIT_SECONDS = 10.0


class Command(BaseCommand):
    help = (
        "Meet N guests in one meeting room through the real server and its media server (Janus), each "
        "sending its own colour and tone, and count the streams that arrive as sent. Exit 1 if any is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server (http(s):// or ws(s)://)")
        parser.add_argument("--world", required=True, metavar="SLUG")
        parser.add_argument("--participants", type=int, default=8, help="how many meet (2-30, default 8)")
        parser.add_argument("--zone", help="the meeting zone's name (default: the world's largest)")
        parser.add_argument("--seconds", type=float, default=30.0, help="how long each step may take (default 30)")
        parser.add_argument("--janus-pid", type=int, help="Janus's process, for its CPU use (default: found by name)")
        parser.add_argument(
            "--processes", type=int, help="spread the guests over this many processes (default: one per 6 guests)"
        )
        parser.add_argument("--server-pid", type=int, help="the web server's process: its CPU use is printed too")
        parser.add_argument("--origin", help="Origin header to send (default: the server's own)")

    def handle(self, *args: Any, **options: Any) -> None:
        for noisy in ("aioice", "aiortc"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        count = options["participants"]
        if not 2 <= count <= 30:
            raise CommandError("--participants must be 2-30")
        parts = urlsplit(str(options["url"]).rstrip("/"))
        if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
            raise CommandError(f"--url {options['url']!r}: give http://host:port")
        secure = parts.scheme in ("https", "wss")
        ws_url = f"{'wss' if secure else 'ws'}://{parts.netloc}"
        origin = options["origin"] or f"{'https' if secure else 'http'}://{parts.netloc}"
        world = World.objects.filter(slug=options["world"]).first()
        if world is None:
            raise CommandError(f"there is no world {options['world']!r}")
        tiles = self._seats(world, options["zone"], count)
        guests = self._guests(world, tiles)
        janus_pid = options["janus_pid"] or process_named("janus")

        def out(line: str) -> None:
            self.stdout.write(f"meeting_check: {line}")
            self.stdout.flush()

        server_pid = options["server_pid"]
        server_before = _cpu_seconds(server_pid)
        cpu_before, started = _cpu_seconds(janus_pid), time.monotonic()
        try:
            result = run_meeting_sharded(
                ws_url=ws_url, slug=world.slug, origin=origin, guests=guests, seconds=options["seconds"], out=out,
                processes=options["processes"] or processes_for(count),
            )  # fmt: skip
        except InvalidStatus as error:
            raise CommandError(
                f"{ws_url} refused the connection ({error.response.status_code}): is --origin right?"
            ) from None
        except SocketClosed as closed:
            raise CommandError(f"the server closed a connection: {closed}") from None
        except TimeoutError:
            raise CommandError(
                "the participants were not put in a media server call in time: is the server's JANUS_URL set, and "
                f"CALL_P2P_LIMIT below {count}?"
            ) from None
        except (JanusError, RuntimeError, OSError) as error:
            raise CommandError(str(error)) from None
        finally:
            self._delete(guests)
        cpu_after, elapsed = _cpu_seconds(janus_pid), time.monotonic() - started
        cpu = "n/a" if cpu_before is None or cpu_after is None else f"{100 * (cpu_after - cpu_before) / elapsed:.0f}"
        line = _line(result, cpu)
        if server_pid:
            server_after = _cpu_seconds(server_pid)
            used = None if server_before is None or server_after is None else server_after - server_before
            line += f" server_cpu_pct={'n/a' if used is None else f'{100 * used / elapsed:.0f}'}"
        self.stdout.write(line)
        for missing in result.missing:
            self.stdout.write(f"missing: {missing}")
        if result.streams < result.expected:
            raise SystemExit(1)

    def _delete(self, guests: list[Guest]) -> None:
        """Our guests go, once the server has seen them leave (it saves where they stood)."""
        ids = [guest.user_id for guest in guests]
        deadline = time.monotonic() + LEAVE_WAIT_SECONDS
        while Presence.objects.filter(user_id__in=ids).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        User.objects.filter(pk__in=ids).delete()

    def _seats(self, world: World, name: str | None, count: int) -> list[tuple[float, float]]:
        """`count` walkable tiles spread over the meeting zone."""
        mapdata = MapData(world.map_json)
        zones = [zone for zone in mapdata.zones if zone.kind == MEETING and (name is None or zone.name == name)]
        if not zones:
            raise CommandError(f"{world.name} has no meeting zone" + (f" named {name!r}" if name else ""))
        seats_by_zone = {zone.index: _tiles_of(mapdata, zone) for zone in zones}
        index = max(seats_by_zone, key=lambda key: len(seats_by_zone[key]))
        seats = seats_by_zone[index]
        if len(seats) < count:
            raise CommandError(f"the meeting zone has {len(seats)} free tiles, fewer than {count} participants")
        step = len(seats) / count
        return [seats[int(i * step)] for i in range(count)]

    def _guests(self, world: World, seats: list[tuple[float, float]]) -> list[Guest]:
        guests = []
        for index, (x, y) in enumerate(seats):
            username = USERNAME.format(index + 1)
            User.objects.filter(username=username).delete()  # a run that was killed
            user = User(username=username, email="")
            user.set_unusable_password()
            user.save()
            player_for_user(user=user)
            positions_save(world_id=world.pk, rows=[PositionRow(user_id=user.pk, x=x, y=y, direction="down", zone="")])
            guests.append(Guest(index=index, user_id=user.pk, cookie=bot_session_create(user=user)))
        return guests


def _tiles_of(mapdata: MapData, zone: Zone) -> list[tuple[float, float]]:
    return [
        (x + 0.5, y + 0.5)
        for y in range(mapdata.height)
        for x in range(mapdata.width)
        if mapdata.is_walkable(x + 0.5, y + 0.5)
        and (found := mapdata.zone_of(x + 0.5, y + 0.5))
        and found.index == zone.index
    ]


def _line(result: MeetingResult, cpu: str) -> str:
    def ms(values: list[float]) -> str:
        found = percentile(values, 0.95)
        return "n/a" if math.isnan(found) else f"{found:.0f}"

    return (
        f"participants={result.participants} streams={result.streams}/{result.expected} "
        f"join_p95_ms={ms(result.join_ms)} first_frame_p95_ms={ms(result.first_frame_ms)} janus_cpu_pct={cpu}"
        + (" sound=mixed" if result.mixed else "")
    )


def _cpu_seconds(pid: int | None) -> float | None:
    """A process's CPU time so far (Janus's, the server's), or None when there is none to read."""
    if pid is None:
        return None
    try:
        return cpu_seconds(pid)
    except OSError:
        return None
