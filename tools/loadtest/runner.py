"""A load test over real WebSockets: N guests walking at random in a world, measuring how long
each move takes from the sender's socket to every receiver's socket, and whether it arrives.

The guests are shared among `processes` worker processes, as real clients sit on many
machines: one process reading every player's frames was itself the slowest part of the
measurement. Each move's `seq` is the time it was sent, in microseconds of CLOCK_MONOTONIC,
which every process on the host reads alike, so whichever process receives a move can tell its
latency without asking the sender's. The time received is when the frame's bytes were read
from the socket (tools/loadtest/wsclient.py).

Only `observers` of the players (a random sample, 50 by default) parse and account for what
they receive. The others still receive every frame, walk and answer corrections, so the
server's load is the same.

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
import multiprocessing
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import orjson

from metaverse.processes import cpu_seconds
from tools.loadtest.wsclient import WebSocketClient, WebSocketError, now_us
from world.engine.mapdata import MapData
from world.walking import RandomWalker

HISTOGRAM_MS = 10_000  # latencies are counted in 0.1 ms buckets up to 10 s
DRAIN_SECONDS = 2.0
START_DELAY_US = 300_000  # workers get the start time this far ahead, so all begin together
JOINER_STAYS_US = 1_000_000
WORKER_TIMEOUT = 120.0  # seconds a worker may take to connect its players, or to report


class LoadTestError(RuntimeError):
    pass


@dataclass
class Options:
    url: str  # ws://host:port
    world: str
    players: int
    rate: float
    seconds: float
    seed: int = 1
    warmup: float = 5.0
    observers: int = 50
    processes: int = 2
    connect_concurrency: int = 50
    joiners: int = 20  # guests who connect while the others walk, each timed from connect to welcome
    server_pids: list[int] = field(default_factory=list)  # whose CPU time to read (/proc), if any


@dataclass
class Guest:
    index: int
    cookie: str
    observer: bool


@dataclass
class WorkerSpec:
    ws_url: str  # the world socket's URL
    origin: str
    rate: float
    seed: int
    warmup: float
    seconds: float
    map_json: dict[str, Any]
    guests: list[Guest]
    connect_concurrency: int
    joiners: list[Guest] = field(default_factory=list)


@dataclass
class Report:
    """What one worker measured; the parent adds them up."""

    histogram: list[int] = field(default_factory=lambda: [0] * (HISTOGRAM_MS * 10 + 1))
    latencies: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    published: dict[int, list[int]] = field(default_factory=dict)  # player -> seqs the server sent out
    last_seq: dict[int, int] = field(default_factory=dict)  # player -> its last move's seq
    # (sender, seq the view opened on, moves received, seq it closed on or None if still open)
    views: list[tuple[int, int, int, int | None]] = field(default_factory=list)
    joins_ms: list[float] = field(default_factory=list)  # connect to welcome, for each joiner
    observer_bytes: int = 0  # message bytes the observers received while measuring
    updates: int = 0  # positions (moved entries) every player received while measuring

    def error(self, kind: str) -> None:
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


@dataclass
class Results:
    histogram: list[int] = field(default_factory=lambda: [0] * (HISTOGRAM_MS * 10 + 1))
    latencies: int = 0
    received: int = 0
    expected: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    joins_ms: list[float] = field(default_factory=list)
    observer_bytes: int = 0
    updates: int = 0
    observers: int = 0
    seconds: float = 0.0  # how long the measurement ran
    server_cpu_seconds: float | None = None  # of the --server-pid processes, while measuring

    @property
    def errors(self) -> int:
        return sum(self.error_kinds.values())

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

    def join_percentile(self, fraction: float) -> float:
        if not self.joins_ms:
            return float("nan")
        ordered = sorted(self.joins_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- the parent: guests, workers, the sums -------------------------------------------------------


class LoadTest:
    def __init__(self, options: Options) -> None:
        self.options = options
        parts = urllib.parse.urlsplit(options.url)
        if parts.scheme not in {"ws", "wss"} or not parts.netloc:
            raise LoadTestError(f"--url must look like ws://host:port, not {options.url!r}")
        self.http = f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"
        self.ws = f"{parts.scheme}://{parts.netloc}"
        self.rng = random.Random(options.seed)

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
        try:
            opener.open(request, timeout=30).read()
        except urllib.error.HTTPError as error:
            if error.code != 429:
                raise
            raise LoadTestError(
                f"the server refused guest {index + 1}: too many guests from this address; start it with "
                f"GUEST_RATE_PER_HOUR={self.options.players + self.options.joiners} or more"
            ) from None
        session = next((cookie.value for cookie in jar if cookie.name == "sessionid"), None)
        if session is None:
            raise LoadTestError("joining as a guest gave no session (are guests switched off?)")
        return session

    def _map_json(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.http}/api/worlds/", timeout=30) as response:
            worlds = {world["slug"]: world for world in json.load(response)}
        world = worlds.get(self.options.world)
        if world is None:
            raise LoadTestError(f"the server has no world {self.options.world!r} (it has: {', '.join(sorted(worlds))})")
        with urllib.request.urlopen(self.http + world["map_url"], timeout=30) as response:
            map_json: dict[str, Any] = json.load(response)
        return map_json

    def run(self) -> Results:
        options = self.options
        map_json = self._map_json()
        with ThreadPoolExecutor(max_workers=8) as pool:
            cookies = list(pool.map(self._guest_cookie, range(options.players + options.joiners)))
        cookies, joiner_cookies = cookies[: options.players], cookies[options.players :]
        observers = set(self.rng.sample(range(len(cookies)), min(options.observers, len(cookies))))
        guests = [Guest(index, cookie, index in observers) for index, cookie in enumerate(cookies)]
        joiners = [Guest(options.players + index, cookie, False) for index, cookie in enumerate(joiner_cookies)]
        processes = max(1, min(options.processes, len(guests)))
        specs = [
            WorkerSpec(
                ws_url=f"{self.ws}/ws/world/{options.world}/",
                origin=self.http,
                rate=options.rate,
                seed=self.rng.randrange(2**32),
                warmup=options.warmup,
                seconds=options.seconds,
                map_json=map_json,
                guests=guests[number::processes],
                connect_concurrency=max(1, options.connect_concurrency // processes),
                joiners=joiners[number::processes],
            )
            for number in range(processes)
        ]
        context = multiprocessing.get_context("spawn")
        pipes: list[Connection] = []
        workers = []
        try:
            for spec in specs:
                ours, theirs = context.Pipe()
                worker = context.Process(target=worker_main, args=(spec, theirs), name="loadtest-worker", daemon=True)
                worker.start()
                theirs.close()
                pipes.append(ours)
                workers.append(worker)
            for pipe in pipes:
                expect(pipe, "ready")
            start_us = now_us() + START_DELAY_US
            for pipe in pipes:
                pipe.send(("go", start_us))
            walking = options.warmup + options.seconds
            cpu = self._server_cpu(start_us + int(options.warmup * 1_000_000), options.seconds)
            reports = [expect(pipe, "report", timeout=walking + WORKER_TIMEOUT) for pipe in pipes]
        finally:
            for worker in workers:
                worker.join(timeout=10)
                if worker.is_alive():
                    worker.kill()
        results = add_up(reports)
        results.observers, results.seconds, results.server_cpu_seconds = len(observers), options.seconds, cpu
        return results

    def _server_cpu(self, from_us: int, seconds: float) -> float | None:
        """The CPU time the servers use while latency is measured (None without --server-pid)."""
        if not self.options.server_pids:
            return None
        time.sleep(max(0.0, (from_us - now_us()) / 1_000_000))
        before = sum(cpu_seconds(pid) for pid in self.options.server_pids)
        time.sleep(seconds)
        return sum(cpu_seconds(pid) for pid in self.options.server_pids) - before


def expect(pipe: Connection, kind: str, timeout: float = WORKER_TIMEOUT) -> Any:
    """The next message of a worker, which must be `kind`; a worker's failure is raised here."""
    try:
        if not pipe.poll(timeout):
            raise LoadTestError(f"a worker sent no {kind!r} within {timeout:.0f} s")
        message = pipe.recv()
    except (EOFError, ConnectionResetError):
        raise LoadTestError("a worker process died (see its traceback above)") from None
    if message[0] == "failed":
        raise LoadTestError(message[1])
    if message[0] != kind:
        raise LoadTestError(f"a worker sent {message[0]!r}, expected {kind!r}")
    return message[1]


def add_up(reports: list[Report]) -> Results:
    results = Results()
    published: dict[int, list[int]] = {}
    last_seq: dict[int, int] = {}
    for report in reports:
        results.latencies += report.latencies
        results.histogram = [a + b for a, b in zip(results.histogram, report.histogram, strict=True)]
        for kind, count in report.error_kinds.items():
            results.error_kinds[kind] = results.error_kinds.get(kind, 0) + count
        published.update(report.published)
        last_seq.update(report.last_seq)
        results.joins_ms += report.joins_ms
        results.observer_bytes += report.observer_bytes
        results.updates += report.updates
    for report in reports:
        for sender, entered_seq, received, closed_seq in report.views:
            seqs = published.get(sender)
            if seqs is None:  # not one of ours (a real player in the same world)
                continue
            until = last_seq[sender] if closed_seq is None else closed_seq
            results.expected += bisect.bisect_right(seqs, until) - bisect.bisect_right(seqs, entered_seq)
            results.received += received
    return results


def summary_line(options: Options, results: Results) -> str:
    delivered = results.received / results.expected if results.expected else float("nan")
    line = (
        f"players={options.players} rate={options.rate:g} p50_ms={results.percentile(0.50):.1f} "
        f"p95_ms={results.percentile(0.95):.1f} p99_ms={results.percentile(0.99):.1f} "
        f"delivered={delivered:.3f} errors={results.errors}"
    )
    if results.joins_ms:
        line += f" join_p99_ms={results.join_percentile(0.99):.1f}"
    if results.observers and results.seconds:
        line += f" client_kb_s={results.observer_bytes / results.observers / results.seconds / 1000:.1f}"
    if results.server_cpu_seconds is not None and results.updates:
        per_1k = results.server_cpu_seconds * 1000 / (results.updates / 1000)
        line += f" server_cpu_pct={results.server_cpu_seconds / results.seconds * 100:.0f}"
        line += f" cpu_ms_per_1k_updates={per_1k:.2f}"
    return line


# --- a worker process: its share of the guests -------------------------------------------------


@dataclass
class View:
    entered_seq: int
    received: int = 0
    last_seq: int = 0


@dataclass
class Player:
    guest: Guest
    walker: RandomWalker
    client: WebSocketClient
    id: int = 0
    seq: int = 0
    own_entry: str = ""  # how its own entry in a tick's `moved` starts
    views: dict[int, View] = field(default_factory=dict)
    closed_views: list[tuple[int, View]] = field(default_factory=list)  # (sender, its view when it left)
    published: list[int] = field(default_factory=list)


def worker_main(spec: WorkerSpec, pipe: Connection) -> None:
    try:
        asyncio.run(Worker(spec, pipe).run())
    except (LoadTestError, WebSocketError, OSError, TimeoutError) as error:
        pipe.send(("failed", str(error) or type(error).__name__))


class Worker:
    def __init__(self, spec: WorkerSpec, pipe: Connection) -> None:
        self.spec = spec
        self.pipe = pipe
        self.rng = random.Random(spec.seed)
        self.mapdata = MapData(spec.map_json)
        self.report = Report()
        self.players: list[Player] = []
        self.running = False
        self.measure_from_us = 2**63  # latencies count from then (after the warm-up)
        self.measure_until_us = 0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(self.spec.connect_concurrency)
        self.players = list(await asyncio.gather(*(self._connect(guest, gate) for guest in self.spec.guests)))
        self.pipe.send(("ready", len(self.players)))
        _, start_us = await loop.run_in_executor(None, self.pipe.recv)
        self.measure_from_us = start_us + int(self.spec.warmup * 1_000_000)
        until_us = start_us + int((self.spec.warmup + self.spec.seconds) * 1_000_000)
        self.measure_until_us = until_us
        # The generator's own garbage collection would pause it for tens of milliseconds and
        # count as the server's latency: it is off while measuring (memory grows a little).
        gc.collect()
        gc.freeze()
        gc.disable()
        try:
            self.running = True
            await asyncio.gather(
                *(self._walk(player, start_us, until_us) for player in self.players),
                *(self._join(guest, self.measure_from_us, until_us) for guest in self.spec.joiners),
            )
            await asyncio.sleep(DRAIN_SECONDS)  # let the last moves arrive
            self.running = False
        finally:
            gc.enable()
            gc.unfreeze()
        self.pipe.send(("report", self._final_report()))
        await asyncio.gather(*(player.client.close() for player in self.players))

    async def _connect(self, guest: Guest, gate: asyncio.Semaphore) -> Player:
        async with gate:
            client = await WebSocketClient.connect(
                self.spec.ws_url, headers={"Cookie": f"sessionid={guest.cookie}", "Origin": self.spec.origin}
            )
            async with asyncio.timeout(30):
                welcome = orjson.loads(await client.recv())
        if welcome.get("type") != "welcome":
            raise LoadTestError(f"expected a welcome, got {welcome}")
        you = welcome["you"]
        step = min(1.0, welcome["world"]["walk_speed"] * 0.8 / self.spec.rate)
        walker = RandomWalker(self.mapdata, (you["x"], you["y"]), step=step, rng=random.Random(self.rng.random()))
        player = Player(guest=guest, walker=walker, client=client, id=you["id"], seq=you["seq"])
        player.own_entry = f"[{player.id},"
        for other in welcome["players"]:
            player.views[other["id"]] = View(entered_seq=other["seq"], last_seq=other["seq"])
        client.listen(self._observer(player) if guest.observer else self._walker(player))
        client.closed.add_done_callback(self._closed)
        return player

    async def _join(self, guest: Guest, from_us: int, until_us: int) -> None:
        """Arrive at a random moment while the others walk, time connect to welcome, stay a
        second, and leave."""
        latest = max(from_us, until_us - JOINER_STAYS_US)
        await asyncio.sleep(max(0, from_us + int(self.rng.random() * (latest - from_us)) - now_us()) / 1_000_000)
        started = now_us()
        client = await WebSocketClient.connect(
            self.spec.ws_url, headers={"Cookie": f"sessionid={guest.cookie}", "Origin": self.spec.origin}
        )
        try:
            async with asyncio.timeout(30):
                welcome = orjson.loads(await client.recv())
            if welcome.get("type") != "welcome":
                self.report.error(f"joiner:{welcome.get('type')}")
                return
            self.report.joins_ms.append((now_us() - started) / 1000)
            client.listen(lambda text, read_at: None)
            await asyncio.sleep(JOINER_STAYS_US / 1_000_000)
        finally:
            await client.close()

    def _closed(self, _: object) -> None:
        if self.running:
            self.report.error("connection_closed")

    async def _walk(self, player: Player, start_us: int, until_us: int) -> None:
        interval_us = int(1_000_000 / self.spec.rate)
        next_us = start_us + int(self.rng.random() * interval_us)  # spread the players over the interval
        while True:
            await asyncio.sleep(max(0, next_us - now_us()) / 1_000_000)
            if not self.running or now_us() >= until_us:
                return
            (x, y), direction = player.walker.next()
            # The seq is the send time: any worker can tell this move's latency from it.
            player.seq = max(player.seq + 1, now_us())
            text = f'{{"type":"move","x":{x:.3f},"y":{y:.3f},"dir":"{direction}","moving":true,"seq":{player.seq}}}'
            if not player.client.send_text(text):
                self.report.error("send_failed")
                return
            next_us += interval_us

    def _walker(self, player: Player) -> Any:
        report = self.report

        def on_text(text: str, read_at: int) -> None:
            if text.startswith('{"type":"tick"'):
                if self.measure_from_us <= read_at <= self.measure_until_us and '"moved":[' in text:
                    report.updates += text.count("],[") + 1  # entries are arrays; nothing else in a tick is
                # Only its own entry matters, and parsing the whole tick would make the generator
                # the bottleneck: `[id,` starts a `moved` entry and nothing else.
                start = text.find(player.own_entry)
                if start >= 0:
                    end = text.index("]", start)
                    player.published.append(int(text[text.rindex(",", start, end) + 1 : end]))
            else:
                self._handle(player, orjson.loads(text))

        return on_text

    def _observer(self, player: Player) -> Any:
        report, views = self.report, player.views
        histogram, top = report.histogram, HISTOGRAM_MS * 10

        def on_text(text: str, read_at: int) -> None:
            message = orjson.loads(text)
            measuring = self.measure_from_us <= read_at <= self.measure_until_us
            if measuring:
                report.observer_bytes += len(text)
            if message["type"] != "tick":
                self._handle(player, message)
                return
            if measuring:
                report.updates += len(message.get("moved", ()))
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
                if seq > self.measure_from_us and seq <= read_at:
                    histogram[min((read_at - seq) // 100, top)] += 1
                    report.latencies += 1
            for sender in message.get("left", ()):
                view = views.pop(sender, None)
                if view is not None:
                    player.closed_views.append((sender, view))

        return on_text

    def _handle(self, player: Player, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "correction":
            self.report.error("correction")
            player.walker.reset((message["x"], message["y"]))
        elif kind == "error":
            self.report.error(f"error:{message.get('code')}")
        elif kind == "closing":
            self.report.error(f"closed:{message.get('code')}")

    def _final_report(self) -> Report:
        report = self.report
        for player in self.players:
            report.published[player.id] = player.published
            report.last_seq[player.id] = player.seq
            if not player.guest.observer:
                continue
            for sender, view in player.closed_views:
                report.views.append((sender, view.entered_seq, view.received, view.last_seq))
            for sender, view in player.views.items():
                report.views.append((sender, view.entered_seq, view.received, None))
        return report
