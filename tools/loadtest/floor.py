"""The floor under our server's numbers in docs/performance.md: the same fan-out, by the simplest server.

Every player's moves go out to every player at a fixed tick, as one text message built once per
tick and written to each connection, by one process on the `websockets` library. There is no
authentication, persistence, validation, interest management or second process: whatever latency
the load generator measures here is the cost of the fan-out itself on this machine.

It speaks just enough of the real server's HTTP and protocol for `manage.py loadtest` to run
unchanged against it:

    python -m tools.loadtest.floor --port 8124 &
    manage.py loadtest --url ws://127.0.0.1:8124 --world demo --players 600
"""

import argparse
import asyncio
import contextlib
import http
import itertools
import json
import random
import re
import secrets
import time
from pathlib import Path

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from world.engine.mapdata import MapData
from world.engine.state import PlayerState

WORLD = "demo"
MAP_URL = f"/maps/{WORLD}.tmj"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def response(status: int, body: bytes, content_type: str = "text/plain", cookie: str = "") -> Response:
    headers = Headers([("Content-Type", content_type), ("Content-Length", str(len(body))), ("Connection", "close")])
    if cookie:
        headers["Set-Cookie"] = f"{cookie}; Path=/"
    return Response(status, http.HTTPStatus(status).phrase, headers, body)


class Connection(ServerConnection):
    """websockets reads no request bodies and refuses a request with one: the guest form's body is
    read here and dropped (its fields are not needed), then the request is handed on without it."""

    posted = b""

    def data_received(self, data: bytes) -> None:
        if self.posted or data.startswith(b"POST "):
            self.posted += data
            head, found, body = self.posted.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:[ \t]*(\d+)", head)
            if not found or len(body) < (int(length[1]) if length else 0):
                return  # the rest is still to come
            self.posted = b""
            data = re.sub(rb"(?im)^content-length:[ \t]*\d+", b"Content-Length: 0", head) + b"\r\n\r\n"
        super().data_received(data)


class Floor:
    def __init__(self, map_bytes: bytes, tick_hz: float) -> None:
        self.map_bytes = map_bytes
        tiled = json.loads(map_bytes)
        self.spawn = MapData(tiled).entry_tiles(None)
        self.world = {
            "id": 1, "slug": WORLD, "name": "Demo", "map_url": MAP_URL, "width": tiled["width"],
            "height": tiled["height"], "tile_width": 32, "tile_height": 32, "walk_speed": 5.0, "talk_radius": 2.5,
        }  # fmt: skip
        self.period = 1 / tick_hz
        self.ids = itertools.count(1)
        self.players: dict[int, PlayerState] = {}
        self.connections: set[ServerConnection] = set()
        self.joined: list[tuple[ServerConnection, PlayerState]] = []  # since the last tick, in order
        self.moved: dict[int, PlayerState] = {}
        self.left: list[int] = []

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return None
        if request.path == "/api/worlds/":
            return response(200, json.dumps([self.world]).encode(), "application/json")
        if request.path == MAP_URL:
            return response(200, self.map_bytes, "application/json")
        if request.path == "/accounts/guest/" and request.method == "GET":
            return response(200, b"guest form\n", cookie=f"csrftoken={secrets.token_hex(16)}")
        if request.path == "/accounts/guest/" and request.method == "POST":
            return response(200, b"welcome\n", cookie=f"sessionid={secrets.token_hex(16)}")
        return response(404, b"not found\n")

    async def play(self, connection: ServerConnection) -> None:
        x, y = random.choice(self.spawn)
        player_id = next(self.ids)
        player = PlayerState(player_id, f"guest {player_id}", "ada", "", "available", x + 0.5, y + 0.5)
        welcome = {
            "type": "welcome", "protocol": 1, "world": self.world, "you": player.full(), "zone": None, "zones": [],
            "players": [other.full() for other in self.players.values()], "contacts": [], "server_time": now_ms(),
        }  # fmt: skip
        # No await from here to the `add`: the welcome is written before any tick reaches it.
        broadcast([connection], json.dumps(welcome, separators=(",", ":")))
        self.players[player_id] = player
        self.joined.append((connection, player))
        self.connections.add(connection)
        try:
            async for message in connection:
                self.move(player, message)
        except ConnectionClosed:
            pass
        finally:
            self.connections.discard(connection)
            del self.players[player_id]
            self.moved.pop(player_id, None)
            self.left.append(player_id)

    def move(self, player: PlayerState, message: str | bytes) -> None:
        try:
            data = json.loads(message)
            if data.get("type") == "move":
                player.x, player.y, player.dir = float(data["x"]), float(data["y"]), str(data["dir"])
                player.moving, player.seq = bool(data["moving"]), int(data["seq"])
                self.moved[player.id] = player
        except (ValueError, KeyError, TypeError, AttributeError):
            pass

    def tick(self) -> None:
        """One text, built once, for every connection; but a player is not in its own `entered`, so
        those who joined since the last tick get it without themselves and those before them (whom
        their welcome had)."""
        joined, moved, left = self.joined, self.moved, self.left
        self.joined, self.moved, self.left = [], {}, []
        head, tail = f'{{"type":"tick","t":{now_ms()}', ""
        if moved:
            tail += f',"moved":[{",".join(player.compact_json() for player in moved.values())}]'
        if left:
            tail += f',"left":[{",".join(map(str, left))}]'
        entered = [player.full_json() for _, player in joined]

        def text(first: int) -> str | None:
            if first < len(entered):
                return f'{head},"entered":[{",".join(entered[first:])}]{tail}}}'
            return f"{head}{tail}}}" if tail else None

        newcomers = [connection for connection, _ in joined]
        if (message := text(0)) is not None:
            broadcast(self.connections.difference(newcomers) if newcomers else self.connections, message)
        for index, connection in enumerate(newcomers, start=1):
            if (message := text(index)) is not None:
                broadcast([connection], message)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at = max(next_at + self.period, loop.time())  # behind: the next tick now, not a burst
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            self.tick()


async def main(floor: Floor, options: argparse.Namespace) -> None:
    async with serve(
        floor.play, options.host, options.port, process_request=floor.process_request, create_connection=Connection,
        compression=None,
    ):  # fmt: skip
        print(f"floor: listening on ws://{options.host}:{options.port} ({options.tick_hz:g} ticks/s)", flush=True)
        await floor.run()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--map", default="world/demo/maps/demo.tmj", help="the Tiled map (JSON) to serve")
    parser.add_argument("--tick-hz", type=float, default=20.0)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(Floor(Path(arguments.map).read_bytes(), arguments.tick_hz), arguments))
