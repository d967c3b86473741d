"""A load test over real WebSockets: N guests walking at random in a world, measuring how long
each move takes from the sender's socket to every receiver's socket, and whether it arrives.

Only `observers` of the players (a random sample, 50 by default) parse and account for what
they receive: with hundreds of players every move reaches hundreds of sockets, and a load
generator that parsed all of it would measure its own backlog. The others still receive every
frame, walk and answer corrections, so the server's load is the same.

Delivery accounting (see docs/performance.md): a tick carries each player's latest position,
so two moves of one player that reach the server within one tick go out as one (the later),
and a move the server corrected goes out not at all. What the server did publish, each player
reads from its own ticks (they hold its own entry). While a receiver R sees a sender S (from
the tick that says S `entered` until the one that says S `left`), every move of S published
after the one R entered on must reach R: for a view still open when the test ends, up to S's
last; for one that closed, up to the last R received (a move lost just before S left view
cannot be told from one that took S out of view).
"""

import asyncio
import bisect
import gc
import http.cookiejar
import json
import random
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
import websockets

from world.engine.mapdata import MapData
from world.walking import RandomWalker

HISTOGRAM_MS = 10_000  # latencies are counted in 0.1 ms buckets up to 10 s
DRAIN_SECONDS = 2.0


class LoadTestError(RuntimeError):
    pass


def move_key(player_id: int, seq: int) -> int:
    # An int rather than a tuple: ints are not tracked by the garbage collector.
    return player_id << 32 | seq


@dataclass
class Options:
    url: str  # ws://host:port
    world: str
    players: int
    rate: float
    seconds: float
    seed: int = 1
    observers: int = 50
    connect_concurrency: int = 50


@dataclass
class View:
    entered_seq: int
    received: int = 0
    last_seq: int = 0


@dataclass
class Player:
    index: int
    cookie: str
    observer: bool = False
    id: int = 0
    seq: int = 0
    own_entry: str = ""  # how its own entry in a tick's `moved` starts
    walker: RandomWalker | None = None
    socket: Any = None
    views: dict[int, View] = field(default_factory=dict)
    published: list[int] = field(default_factory=list)  # seqs of its moves the server sent out
    closed: list[tuple[int, View, int]] = field(default_factory=list)  # (sender, view, last seq)


@dataclass
class Results:
    histogram: list[int] = field(default_factory=lambda: [0] * (HISTOGRAM_MS * 10 + 1))
    latencies: int = 0
    received: int = 0
    expected: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        rank = fraction * self.latencies
        seen = 0
        for bucket, count in enumerate(self.histogram):
            seen += count
            if seen >= rank:
                return bucket / 10
        return HISTOGRAM_MS


class LoadTest:
    def __init__(self, options: Options) -> None:
        self.options = options
        parts = urllib.parse.urlsplit(options.url)
        if parts.scheme not in {"ws", "wss"} or not parts.netloc:
            raise LoadTestError(f"--url must look like ws://host:port, not {options.url!r}")
        self.http = f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"
        self.ws = f"{parts.scheme}://{parts.netloc}"
        self.rng = random.Random(options.seed)
        self.results = Results()
        self.players: list[Player] = []
        self.by_id: dict[int, Player] = {}
        self.sent_at: dict[int, float] = {}  # move_key(player, seq) -> when it was sent
        self.mapdata: MapData | None = None
        self.walk_speed = 5.0
        self.running = False

    # --- setting up -------------------------------------------------------------------------

    def _guest_cookie(self, index: int) -> str:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        guest_url = f"{self.http}/accounts/guest/"
        opener.open(guest_url, timeout=30).read()
        csrf = next((cookie.value for cookie in jar if cookie.name == "csrftoken"), None)
        if csrf is None:
            raise LoadTestError("the server sent no CSRF cookie on /accounts/guest/ (are guests switched off?)")
        body = urllib.parse.urlencode({"display_name": f"load {index}", "csrfmiddlewaretoken": csrf}).encode()
        request = urllib.request.Request(guest_url, data=body, headers={"Referer": guest_url})
        opener.open(request, timeout=30).read()
        session = next((cookie.value for cookie in jar if cookie.name == "sessionid"), None)
        if session is None:
            raise LoadTestError("joining as a guest gave no session (are guests switched off?)")
        return session

    def _load_map(self) -> None:
        with urllib.request.urlopen(f"{self.http}/api/worlds/", timeout=30) as response:
            worlds = {world["slug"]: world for world in json.load(response)}
        world = worlds.get(self.options.world)
        if world is None:
            raise LoadTestError(f"the server has no world {self.options.world!r} (it has: {', '.join(sorted(worlds))})")
        with urllib.request.urlopen(self.http + world["map_url"], timeout=30) as response:
            self.mapdata = MapData(json.load(response))

    async def _create_guests(self) -> None:
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(max_workers=8) as pool:
            cookies = await asyncio.gather(
                *(loop.run_in_executor(pool, self._guest_cookie, index) for index in range(self.options.players))
            )
        observers = set(self.rng.sample(range(len(cookies)), min(self.options.observers, len(cookies))))
        self.players = [
            Player(index=index, cookie=cookie, observer=index in observers) for index, cookie in enumerate(cookies)
        ]

    async def _connect(self, player: Player, gate: asyncio.Semaphore) -> None:
        async with gate:
            player.socket = await websockets.connect(
                f"{self.ws}/ws/world/{self.options.world}/",
                additional_headers={"Cookie": f"sessionid={player.cookie}", "Origin": self.http},
                open_timeout=60,
                max_size=2**24,
                compression=None,
            )
            welcome = orjson.loads(await player.socket.recv())
        if welcome.get("type") != "welcome":
            raise LoadTestError(f"expected a welcome, got {welcome}")
        you = welcome["you"]
        player.id = you["id"]
        player.own_entry = f"[{player.id},"
        player.seq = you["seq"]
        self.walk_speed = welcome["world"]["walk_speed"]
        step = min(1.0, self.walk_speed * 0.8 / self.options.rate)
        assert self.mapdata is not None
        player.walker = RandomWalker(
            self.mapdata, (you["x"], you["y"]), step=step, rng=random.Random(self.rng.random())
        )
        self.by_id[player.id] = player
        for other in welcome["players"]:
            player.views[other["id"]] = View(entered_seq=other["seq"], last_seq=other["seq"])

    # --- running ----------------------------------------------------------------------------

    async def _walk(self, player: Player, until: float) -> None:
        interval = 1.0 / self.options.rate
        await asyncio.sleep(self.rng.random() * interval)  # spread the players over the interval
        next_at = time.perf_counter()
        while self.running and time.perf_counter() < until:
            assert player.walker is not None
            (x, y), direction = player.walker.next()
            player.seq += 1
            message = {"type": "move", "x": round(x, 3), "y": round(y, 3), "dir": direction, "moving": True}
            message["seq"] = player.seq
            self.sent_at[move_key(player.id, player.seq)] = time.perf_counter()
            try:
                await player.socket.send(json.dumps(message))
            except websockets.ConnectionClosed:
                self.results.error("send_failed")
                return
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    async def _listen(self, player: Player) -> None:
        try:
            async for frame in player.socket:
                if player.observer:
                    self._observe(player, orjson.loads(frame), time.perf_counter())
                elif frame.startswith('{"type":"tick"'):
                    self._note_published(player, frame)
                else:
                    self._handle(player, orjson.loads(frame))
        except websockets.ConnectionClosed:
            if self.running:
                self.results.error("connection_closed")

    @staticmethod
    def _note_published(player: Player, frame: str) -> None:
        # Only its own entry matters, and parsing the whole tick would make the generator the
        # bottleneck: `[id,` starts a `moved` entry and nothing else (`left` never names oneself).
        start = frame.find(player.own_entry)
        if start >= 0:
            end = frame.index("]", start)
            player.published.append(int(frame[frame.rindex(",", start, end) + 1 : end]))

    def _observe(self, player: Player, message: dict[str, Any], now: float) -> None:
        if message["type"] != "tick":
            self._handle(player, message)
            return
        results, sent_at, views = self.results, self.sent_at, player.views
        for state in message.get("entered", ()):
            views[state["id"]] = View(entered_seq=state["seq"], last_seq=state["seq"])
        for sender, _x, _y, _dir, _moving, seq in message.get("moved", ()):
            if sender == player.id:
                player.published.append(seq)
                continue
            view = views.get(sender)
            if view is None or seq <= view.entered_seq:
                continue
            view.received += 1
            if seq > view.last_seq:
                view.last_seq = seq
            sent = sent_at.get(move_key(sender, seq))
            if sent is not None:
                results.histogram[min(int((now - sent) * 10_000), HISTOGRAM_MS * 10)] += 1
                results.latencies += 1
        for sender in message.get("left", ()):
            view = views.pop(sender, None)
            if view is not None:
                # Counted at the end: the sender's own copy of this tick may not be read yet.
                player.closed.append((sender, view, view.last_seq))

    def _handle(self, player: Player, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "correction":
            self.results.error("correction")
            if player.walker is not None:
                player.walker.reset((message["x"], message["y"]))
        elif kind == "error":
            self.results.error(f"error:{message.get('code')}")
        elif kind == "closing":
            self.results.error(f"closed:{message.get('code')}")

    def _close_view(self, sender: int, view: View, until_seq: int) -> None:
        published = self.by_id[sender].published
        self.results.expected += bisect.bisect_right(published, until_seq) - bisect.bisect_right(
            published, view.entered_seq
        )
        self.results.received += view.received

    async def run(self) -> Results:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._load_map)
        await self._create_guests()
        gate = asyncio.Semaphore(self.options.connect_concurrency)
        await asyncio.gather(*(self._connect(player, gate) for player in self.players))
        listeners = [asyncio.create_task(self._listen(player)) for player in self.players]
        # The generator's own garbage collection would pause it for tens of milliseconds and
        # count as the server's latency: it is off while measuring (memory grows a little).
        gc.collect()
        gc.freeze()
        gc.disable()
        try:
            self.running = True
            until = time.perf_counter() + self.options.seconds
            await asyncio.gather(*(self._walk(player, until) for player in self.players))
            await asyncio.sleep(DRAIN_SECONDS)  # let the last moves arrive
            self.running = False
        finally:
            gc.enable()
            gc.unfreeze()
        for player in self.players:
            if not player.observer:
                continue
            for sender, view, until_seq in player.closed:
                if sender in self.by_id:
                    self._close_view(sender, view, until_seq)
            for sender, view in player.views.items():
                if sender in self.by_id:
                    self._close_view(sender, view, self.by_id[sender].seq)
        for player in self.players:
            await player.socket.close()
        for listener in listeners:
            listener.cancel()
        return self.results


def summary_line(options: Options, results: Results) -> str:
    delivered = results.received / results.expected if results.expected else float("nan")
    return (
        f"players={options.players} rate={options.rate:g} p50_ms={results.percentile(0.50):.1f} "
        f"p95_ms={results.percentile(0.95):.1f} p99_ms={results.percentile(0.99):.1f} "
        f"delivered={delivered:.3f} errors={results.errors}"
    )
