"""Faults injected into real components under real server processes and real WebSocket clients:
Redis killed, stalled or out of memory, PostgreSQL cut off, SIGTERM, a second tab. The runtime
must heal by itself (docs/architecture.md, "Lifecycle and faults"). The figures measured go to
test-artifacts/faults.json."""

import asyncio
import contextlib
import json
import math
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from metaverse.faults import PrivateRedis, TcpProxy
from metaverse.testing import ServerProcess, need, ws_connect, ws_receive_until
from metaverse.testing import test_database_url as database_url  # not collected as a test
from world.engine.mapdata import MapData
from world.models import Presence, SavedPosition
from world.walking import neighbours, tile_of, tiles_within, walk_to

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MEASURED = Path(settings.BASE_DIR) / "test-artifacts" / "faults.json"
CONVERGE_SECONDS = 5.0  # docs/architecture.md: every pair sees each other again within 5 s
GHOST_SECONDS = 10.0  # docs/protocol.md: anyone who left is gone from every view within 10 s
STEP_SECONDS = 0.12  # 0.5-tile steps at ~4 tiles a second, under the walk speed of 5
ON_A, ON_B = ("alice", "bob", "carol"), ("dave", "erin", "frank")


def record(name: str, value: float | int | bool) -> None:
    MEASURED.parent.mkdir(exist_ok=True)
    measured = json.loads(MEASURED.read_text()) if MEASURED.exists() else {}
    measured[name] = round(value, 3) if isinstance(value, float) else value
    MEASURED.write_text(json.dumps(measured, indent=2, sort_keys=True))
    print(f"{name}: {value}")


async def until(condition: Callable[[], bool], *, within: float, what: Callable[[], str] | str) -> float:
    """Seconds until `condition` holds; an AssertionError saying `what` after `within` seconds."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > within:
            raise AssertionError(f"not within {within}s: {what() if callable(what) else what}")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


# --- clients ------------------------------------------------------------------------------------


class Player:
    """A client on /ws/world/demo/ and what it knows: whom it sees (the welcome's players, then
    each tick's entered and left), when it saw each move, and any closing it was sent."""

    def __init__(self, name: str, socket: ClientConnection, welcome: dict[str, Any]) -> None:
        self.name = name
        self.socket = socket
        self.welcome = welcome
        you = welcome["you"]
        self.id: int = you["id"]
        self.x, self.y, self.seq = float(you["x"]), float(you["y"]), int(you["seq"])
        self.dir = str(you["dir"])
        self.view = {player["id"] for player in welcome["players"]}
        self.closings: list[dict[str, Any]] = []
        self.pongs = 0
        self.heard: dict[tuple[int, int], float] = {}  # (player id, seq) -> when this client saw it
        self.sent: dict[int, float] = {}  # seq -> when sent
        self.reader = asyncio.create_task(self._read(), name=f"client-{name}")

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.socket:
                message = json.loads(raw)
                if message["type"] == "tick":
                    now = time.monotonic()
                    self.view |= {player["id"] for player in message.get("entered", [])}
                    for entry in message.get("moved", []):
                        self.heard.setdefault((entry[0], entry[5]), now)
                    self.view -= set(message.get("left", []))
                elif message["type"] == "closing":
                    self.closings.append(message)
                elif message["type"] == "pong":
                    self.pongs += 1

    @property
    def open(self) -> bool:
        return not self.reader.done()

    def saw(self, other: "Player", seq: int) -> float | None:
        """When this client first saw `other` at `seq` or later (ticks may merge moves)."""
        times = [at for (player, each), at in self.heard.items() if player == other.id and each >= seq]
        return min(times) if times else None

    async def move(self, x: float, y: float, direction: str = "down") -> None:
        self.seq += 1
        self.x, self.y, self.dir = x, y, direction
        self.sent[self.seq] = time.monotonic()
        message = {"type": "move", "x": x, "y": y, "dir": direction, "moving": True, "seq": self.seq}
        await self.socket.send(json.dumps(message))

    async def walk(self, mapdata: MapData, goal: tuple[int, int]) -> None:
        for x, y in walk_to(mapdata, (self.x, self.y), goal):
            await self.move(x, y, "right" if x > self.x else "left" if x < self.x else "down")
            await asyncio.sleep(STEP_SECONDS)

    async def step(self, mapdata: MapData) -> None:
        """A tile's walk, so that this player's position is a live one, not a spawn."""
        await self.walk(mapdata, next(neighbours(mapdata, tile_of((self.x, self.y)))))

    async def closed(self, within: float = 10.0) -> tuple[dict[str, Any], int | None]:
        """The closing this client got and the close frame's code."""
        await asyncio.wait_for(asyncio.shield(self.reader), within)
        assert len(self.closings) == 1, f"{self.name} got closings {self.closings}"
        return self.closings[0], self.socket.close_code

    async def leave(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.socket.close(), 5)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.reader, 5)


class Chatter:
    """A client on /ws/chat/demo/ that keeps everything it receives, with when."""

    def __init__(self, name: str, socket: ClientConnection, history: dict[str, Any]) -> None:
        self.name = name
        self.socket = socket
        self.history = history["messages"]
        self.received: list[tuple[float, dict[str, Any]]] = []
        self.reader = asyncio.create_task(self._read(), name=f"chat-{name}")

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.socket:
                self.received.append((time.monotonic(), json.loads(raw)))

    def got(self, text: str) -> float | None:
        """When the message with this text arrived, live or in a fresh `history` (the server sends
        one again after its message bus failed: docs/protocol.md)."""
        for at, message in self.received:
            if message["type"] == "message" and message["message"]["text"] == text:
                return at
            if message["type"] == "history" and any(item["text"] == text for item in message["messages"]):
                return at
        return None

    async def say(self, text: str, *, within: float = 10.0) -> tuple[dict[str, Any] | None, float]:
        """Send a world message; its answer (our own copy, or an error; None if nothing came
        within `within` seconds) and how long it took. One message at a time, so an error
        without a client_id is still this message's."""
        client_id = f"{self.name}-{text}"[:64]
        start, sent = len(self.received), time.monotonic()
        await self.socket.send(json.dumps({"type": "send", "scope": "world", "text": text, "client_id": client_id}))

        def answer() -> dict[str, Any] | None:
            for _, message in self.received[start:]:
                if message["type"] == "error" or (
                    message["type"] == "message" and message["message"]["client_id"] == client_id
                ):
                    return message
            return None

        with contextlib.suppress(AssertionError):
            await until(lambda: answer() is not None, within=within, what="")
        return answer(), time.monotonic() - sent

    async def leave(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.socket.close(), 5)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.reader, 5)


async def closed_with(socket: ClientConnection, within: float = 10.0) -> tuple[dict[str, Any], int | None]:
    """The `closing` message a raw socket gets (skipping what comes before) and its close code."""
    closing = await ws_receive_until(socket, "closing", within=within)
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(socket.recv(), within)
    return closing, socket.close_code


def missing(players: list[Player]) -> dict[str, list[str]]:
    """Whom each player does not see."""
    gaps = {p.name: sorted(q.name for q in players if q is not p and q.id not in p.view) for p in players}
    return {name: gap for name, gap in gaps.items() if gap}


def all_see_each_other(players: list[Player]) -> Callable[[], bool]:
    return lambda: not missing(players)


def seen_by(players: list[Player], gone: Player) -> list[str]:
    return [p.name for p in players if gone.id in p.view]


def troubles(players: list[Player]) -> dict[str, Any]:
    return {p.name: (p.closings, p.socket.close_code) for p in players if p.closings or not p.open}


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path: Path):
    need(shutil.which("redis-server") is not None, "needs redis-server installed")
    with PrivateRedis(tmp_path / "redis") as redis:
        yield redis


@pytest.fixture
def sessions(cookies, demo_worlds) -> dict[str, str]:
    return {name: cookies(name) for name in (*ON_A, *ON_B)}


@pytest.fixture
def mapdata(demo_worlds) -> MapData:
    return MapData(demo_worlds["demo"].map_json)


@pytest.fixture
def pair(private_redis, server_factory, demo_worlds) -> tuple[ServerProcess, ServerProcess]:
    """Two server processes on the private Redis (which outlives them: it is set up first)."""
    env = {"REDIS_URL": private_redis.url, "CHAT_RATE_BURST": "50"}
    return server_factory(env, name="faults-a"), server_factory(env, name="faults-b")


@pytest.fixture
async def clients():
    """Every client a test opens, closed at the end."""
    opened: list[Player | Chatter] = []
    yield opened
    for client in opened:
        await client.leave()


async def enter(clients: list, server: ServerProcess, name: str, cookie: str) -> Player:
    socket = await ws_connect(server, "/ws/world/demo/", cookie)
    player = Player(name, socket, await ws_receive_until(socket, "welcome", within=10))
    clients.append(player)
    return player


async def chat(clients: list, server: ServerProcess, name: str, cookie: str) -> Chatter:
    socket = await ws_connect(server, "/ws/chat/demo/", cookie)
    chatter = Chatter(name, socket, await ws_receive_until(socket, "history", within=10))
    clients.append(chatter)
    return chatter


async def six_players(clients: list, pair: tuple[ServerProcess, ServerProcess], sessions, mapdata) -> list[Player]:
    """alice, bob and carol on A, dave, erin and frank on B; all see each other and have moved."""
    a, b = pair
    players = [await enter(clients, a, name, sessions[name]) for name in ON_A]
    players += [await enter(clients, b, name, sessions[name]) for name in ON_B]
    await until(all_see_each_other(players), within=10, what=lambda: f"before the fault, missing {missing(players)}")
    await asyncio.gather(*(player.step(mapdata) for player in players))
    return players


async def moves_cross(players: list[Player], mapdata: MapData, within: float = 2.0) -> None:
    """alice (A) and dave (B) each take a step, and the other sees it."""
    alice, dave = players[0], players[3]
    await asyncio.gather(alice.step(mapdata), dave.step(mapdata))
    await until(lambda: dave.saw(alice, alice.seq) is not None, within=within, what="dave seeing alice's step")
    await until(lambda: alice.saw(dave, dave.seq) is not None, within=within, what="alice seeing dave's step")


async def presence_rows() -> list[tuple[str, str]]:
    return await database_sync_to_async(lambda: list(Presence.objects.values_list("user__username", "server")))()


async def everyone_leaves(players: list[Player], observers: list[Player]) -> float:
    """All but the observers close their sockets, one after the other as people close tabs: within
    GHOST_SECONDS no observer sees them; then the observers close too, and within GHOST_SECONDS
    no presence row is left. Returns the seconds the whole took after the first close."""
    started = time.monotonic()
    leavers = [player for player in players if player not in observers]
    for player in leavers:
        await player.leave()

    def ghosts() -> dict[str, list[str]]:
        return {player.name: seen_by(observers, player) for player in leavers if seen_by(observers, player)}

    await until(lambda: not ghosts(), within=GHOST_SECONDS, what=lambda: f"ghosts (who: seen by): {ghosts()}")
    for player in observers:
        await player.leave()
    deadline = time.monotonic() + GHOST_SECONDS
    while rows := await presence_rows():
        assert time.monotonic() < deadline, f"presence rows left {GHOST_SECONDS}s after everyone closed: {rows}"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


class Separation:
    """Whether, during a fault, any player lost sight of someone (the heal was exercised)."""

    def __init__(self, players: list[Player]) -> None:
        self.players = players
        self.seen = False
        self.task = asyncio.create_task(self._watch(), name="separation")

    async def _watch(self) -> None:
        while not self.seen:
            self.seen = bool(missing([p for p in self.players if p.open]))
            await asyncio.sleep(0.05)

    def stop(self) -> bool:
        self.task.cancel()
        return self.seen


# --- the baseline -------------------------------------------------------------------------------


async def test_without_a_fault_everyone_who_closes_is_gone_from_every_view_and_from_presence_within_10s(
    pair, sessions, mapdata, clients
):
    """What the fault tests end with, with no fault: a failure there is not the fault's doing."""
    players = await six_players(clients, pair, sessions, mapdata)
    await moves_cross(players, mapdata)
    record("baseline.everyone_gone_after_closing_s", await everyone_leaves(players, [players[2], players[5]]))


# --- Redis --------------------------------------------------------------------------------------


async def test_players_see_each_other_within_5s_after_redis_is_killed_for_10s_and_comes_back_empty(
    pair, private_redis, sessions, mapdata, clients
):
    players = await six_players(clients, pair, sessions, mapdata)
    frank = players[-1]
    stayed = players[:-1]

    private_redis.kill()
    killed = time.monotonic()
    separation = Separation(stayed)
    await asyncio.sleep(4)
    await frank.leave()  # during the outage: he must not linger anywhere
    ghost_gone = asyncio.create_task(
        until(
            lambda: not seen_by(stayed, frank), within=GHOST_SECONDS, what=lambda: f"seen by {seen_by(stayed, frank)}"
        )
    )
    await asyncio.sleep(10 - (time.monotonic() - killed))
    await asyncio.to_thread(private_redis.start)
    converged = await until(
        all_see_each_other(stayed), within=CONVERGE_SECONDS, what=lambda: f"after Redis came back, {missing(stayed)}"
    )
    record("redis_killed.converged_after_return_s", converged)
    record("redis_killed.players_lost_sight_during_outage", separation.stop())
    record("redis_killed.frank_gone_from_every_view_s", await ghost_gone)
    await moves_cross(stayed, mapdata)
    record("redis_killed.ghosts_left", len(seen_by(stayed, frank)))
    assert seen_by(stayed, frank) == []
    assert troubles(stayed) == {}
    record("redis_killed.everyone_gone_after_closing_s", await everyone_leaves(stayed, [stayed[2], stayed[4]]))


async def test_players_see_each_other_within_5s_after_redis_stalls_for_10s_and_local_moves_flow_meanwhile(
    pair, private_redis, sessions, mapdata, clients
):
    players = await six_players(clients, pair, sessions, mapdata)
    alice, bob, dave, erin = players[0], players[1], players[3], players[4]

    stall = private_redis.stall(10)
    separation = Separation(players)
    await asyncio.sleep(0.5)
    first = {alice.name: alice.seq + 1, dave.name: dave.seq + 1}

    async def pace(player: Player) -> None:
        """Back and forth between two tiles, a move every quarter second, for 8 s."""
        home = tile_of((player.x, player.y))
        there = next(neighbours(mapdata, home))
        for lap in range(8):
            await player.walk(mapdata, there if lap % 2 == 0 else home)
            await asyncio.sleep(0.5 - 2 * STEP_SECONDS)

    await asyncio.gather(pace(alice), pace(dave))
    assert stall.is_alive(), "the walk should have happened while Redis was stalled"
    await asyncio.sleep(0.3)  # the last moves' ticks
    latencies = []
    for mover, watcher in ((alice, bob), (dave, erin)):
        for seq in range(first[mover.name], mover.seq + 1):
            seen = watcher.saw(mover, seq)
            latencies.append(math.inf if seen is None else seen - mover.sent[seq])
    record("redis_stalled.local_moves_seen", sum(1 for each in latencies if each < math.inf))
    record("redis_stalled.local_moves_sent", len(latencies))
    record("redis_stalled.local_move_latency_max_s", max(latencies))
    assert max(latencies) < 1.0

    await asyncio.to_thread(stall.join, 10)
    assert not stall.is_alive()
    converged = await until(
        all_see_each_other(players), within=CONVERGE_SECONDS, what=lambda: f"after the stall, {missing(players)}"
    )
    record("redis_stalled.converged_after_return_s", converged)
    record("redis_stalled.players_lost_sight_during_stall", separation.stop())
    await moves_cross(players, mapdata)
    assert troubles(players) == {}
    record("redis_stalled.everyone_gone_after_closing_s", await everyone_leaves(players, [players[2], players[5]]))


async def test_players_see_each_other_within_5s_after_redis_runs_out_of_memory_for_6s(
    pair, private_redis, sessions, mapdata, clients
):
    players = await six_players(clients, pair, sessions, mapdata)

    # A little longer than ORIGIN_TIMEOUT (5 s): each process drops the other's players, and
    # they must come back.
    await asyncio.to_thread(private_redis.fill_memory)
    separation = Separation(players)
    await asyncio.sleep(6)
    await asyncio.to_thread(private_redis.free_memory)
    converged = await until(
        all_see_each_other(players), within=CONVERGE_SECONDS, what=lambda: f"after memory was freed, {missing(players)}"
    )
    record("redis_oom.converged_after_return_s", converged)
    record("redis_oom.players_lost_sight_during_oom", separation.stop())
    await moves_cross(players, mapdata)
    assert troubles(players) == {}
    record("redis_oom.everyone_gone_after_closing_s", await everyone_leaves(players, [players[2], players[5]]))


async def test_chat_loses_no_acknowledged_message_and_answers_every_send_while_redis_is_killed(
    pair, private_redis, sessions, clients
):
    a, b = pair
    alice = await chat(clients, a, "alice", sessions["alice"])
    bob = await chat(clients, b, "bob", sessions["bob"])
    acknowledged: dict[str, int] = {}  # text -> id: the sender got its own copy, or not_delivered

    def keep(text: str, reply: dict[str, Any]) -> None:
        if reply["type"] == "message":
            acknowledged[text] = reply["message"]["id"]
        elif reply.get("code") == "not_delivered":
            acknowledged[text] = reply["id"]

    reply, _ = await alice.say("before the outage")
    assert reply is not None
    assert reply["type"] == "message", reply
    keep("before the outage", reply)
    await until(lambda: bob.got("before the outage") is not None, within=5, what="bob hearing alice before")

    private_redis.kill()
    killed = time.monotonic()
    answers = []
    for index in range(3):
        text = f"during the outage {index}"
        reply, took = await alice.say(text, within=10)
        answers.append((reply and reply["type"], reply and reply.get("code"), round(took, 2)))
        assert reply is not None, f"no answer to {text!r} within 10 s"
        assert reply["type"] == "message" or reply.get("code") in {"not_delivered", "unavailable"}, reply
        keep(text, reply)
        await asyncio.sleep(max(0.0, (index + 1) * 3 - (time.monotonic() - killed)))
    print("answers during the outage (type, code, seconds):", answers)
    record("chat.slowest_answer_during_outage_s", max(took for _, _, took in answers))
    await asyncio.sleep(max(0.0, 10 - (time.monotonic() - killed)))
    await asyncio.to_thread(private_redis.start)
    back = time.monotonic()

    # Straight away, as a person would; then once the bus has repaired (its retries back off to 2 s).
    straight, straight_took = await alice.say("straight after the outage", within=10)
    print("answer straight after Redis came back:", straight, round(straight_took, 2))
    if straight is not None:
        keep("straight after the outage", straight)
    await asyncio.sleep(max(0.0, 4 - (time.monotonic() - back)))
    later_sent = time.monotonic()
    later, _ = await alice.say("a while after the outage", within=10)
    assert later is not None
    assert later["type"] == "message", later
    keep("a while after the outage", later)
    await until(lambda: bob.got("a while after the outage") is not None, within=5, what="bob hearing alice later")
    record("chat.later_message_reached_the_other_process_s", bob.got("a while after the outage") - later_sent)

    status, body = await asyncio.to_thread(
        a.get, "/api/worlds/demo/messages/?page_size=100", {"Cookie": f"sessionid={sessions['carol']}"}
    )
    assert status == 200, body
    stored = {message["text"]: message["id"] for message in json.loads(body)["results"]}
    carol = await chat(clients, b, "carol", sessions["carol"])
    in_history = {message["id"] for message in carol.history}
    lost = {text: id for text, id in acknowledged.items() if id not in stored.values() or id not in in_history}
    record("chat.acknowledged", len(acknowledged))
    record("chat.acknowledged_lost", len(lost))
    assert lost == {}

    heard = bob.got("straight after the outage")
    record("chat.straight_after_return_answered", straight is not None)
    record("chat.straight_after_return_delivered_to_other_process", heard is not None)
    story = (
        f"sent {straight_took:.1f} s after Redis came back: answer {straight}, bob heard it: {heard is not None}, "
        f"stored as {stored.get('straight after the outage')}"
    )
    assert straight is not None, story
    assert heard is not None, story


async def test_a_chat_message_sent_while_redis_is_out_of_memory_is_answered_with_unavailable_or_not_delivered(
    private_redis, server_factory, sessions, clients
):
    server = server_factory({"REDIS_URL": private_redis.url, "CHAT_RATE_BURST": "50"}, name="faults-chat-oom")
    alice = await chat(clients, server, "alice", sessions["alice"])

    await asyncio.to_thread(private_redis.fill_memory)
    reply, took = await alice.say("while Redis is full", within=10)
    await asyncio.to_thread(private_redis.free_memory)
    print("answer while Redis was out of memory:", reply, round(took, 2))
    assert reply is not None, "no answer within 10 s"
    assert reply["type"] == "message" or reply.get("code") in {"not_delivered", "unavailable"}, reply

    reply, _ = await alice.say("once Redis has room again", within=10)
    assert reply is not None
    assert reply["type"] == "message", reply


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def database_proxy(transactional_db):
    """A TcpProxy in front of the test database (set up before the servers that use it, so that
    it outlives them)."""
    database = connection.settings_dict
    need(database["ENGINE"].endswith("postgresql"), "needs PostgreSQL: set DATABASE_URL")
    with TcpProxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)) as proxy:
        yield proxy


async def entered(player: Player) -> None:
    """A ping answered: the socket has finished entering (its presence is written), since a
    socket handles its messages one at a time."""
    pongs = player.pongs
    await player.socket.send(json.dumps({"type": "ping"}))
    await until(lambda: player.pongs > pongs, within=3, what=f"{player.name}'s pong")


async def test_sockets_are_refused_with_1013_and_healthz_says_503_while_postgresql_is_cut_off(
    private_redis, database_proxy, server_factory, sessions, clients
):
    server = server_factory(
        {"REDIS_URL": private_redis.url, "DATABASE_URL": database_proxy.url_for(database_url())}, name="faults-pg"
    )
    alice = await enter(clients, server, "alice", sessions["alice"])
    await entered(alice)

    database_proxy.cut()
    status, body = await asyncio.to_thread(server.get, "/healthz")
    assert (status, json.loads(body)["database"]["ok"]) == (503, False), body
    for path in ("/ws/world/demo/", "/ws/chat/demo/", "/ws/signal/demo/"):
        socket = await ws_connect(server, path, sessions["bob"])  # accepted: no HTTP 500
        closing, code = await closed_with(socket)
        assert (closing["code"], closing["reason"], code) == (1013, "unavailable", 1013), (path, closing)
    # Someone already in keeps their socket, and it still answers.
    await entered(alice)
    assert troubles([alice]) == {}

    database_proxy.restore()
    bob = await enter(clients, server, "bob", sessions["bob"])
    await entered(bob)
    status, _ = await asyncio.to_thread(server.get, "/healthz")
    assert status == 200
    assert troubles([alice, bob]) == {}


# --- shutting down ------------------------------------------------------------------------------


async def test_sigterm_closes_every_socket_with_1012_saves_the_last_position_and_exits_within_10s(
    private_redis, server_factory, sessions, mapdata, clients
):
    server = server_factory({"REDIS_URL": private_redis.url, "WORLD_SAVE_SECONDS": "3600"}, name="faults-sigterm")
    alice = await enter(clients, server, "alice", sessions["alice"])
    bob = await enter(clients, server, "bob", sessions["bob"])
    others = []
    for name in ("alice", "bob"):
        for path, first in (("/ws/chat/demo/", "history"), ("/ws/signal/demo/", "ready")):
            socket = await ws_connect(server, path, sessions[name])
            await ws_receive_until(socket, first, within=10)
            others.append((f"{name} {path}", socket))
    away = tiles_within(mapdata, tile_of((alice.x, alice.y)), minimum=2, maximum=3)[0]
    await alice.walk(mapdata, away)
    await until(lambda: bob.saw(alice, alice.seq) is not None, within=3, what="bob seeing alice's last step")

    assert server.process is not None
    server.process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    for player in (alice, bob):
        closing, code = await player.closed()
        assert (closing["code"], closing["reason"], code) == (1012, "service_restart", 1012), player.name
    for name, socket in others:
        closing, code = await closed_with(socket)
        assert (closing["code"], closing["reason"], code) == (1012, "service_restart", 1012), name
    await asyncio.to_thread(server.process.wait, 12)
    exited = time.monotonic() - signalled
    record("sigterm.exit_s", exited)
    record("sigterm.return_code", server.process.returncode)
    assert exited < 10

    saved = await database_sync_to_async(SavedPosition.objects.get)(player_id=alice.id, world__slug="demo")
    assert (saved.x, saved.y, saved.direction) == (alice.x, alice.y, alice.dir)
    assert not await database_sync_to_async(Presence.objects.filter(user_id__in=[alice.id, bob.id]).exists)()


# --- a second tab -------------------------------------------------------------------------------


async def walk_away(player: Player, mapdata: MapData) -> tuple[float, float]:
    """Walk a few tiles; returns where the player started (its saved position)."""
    start = (player.x, player.y)
    goal = tiles_within(mapdata, tile_of(start), minimum=3, maximum=4)[0]
    await player.walk(mapdata, goal)
    await until(lambda: player.saw(player, player.seq) is not None, within=3, what=f"{player.name}'s last move")
    return start


def resumed_from(player: Player, welcome: dict[str, Any], saved: tuple[float, float]) -> dict[str, float]:
    you = welcome["you"]
    return {
        "from_live": round(math.dist((you["x"], you["y"]), (player.x, player.y)), 3),
        "from_saved": round(math.dist((you["x"], you["y"]), saved), 3),
    }


async def test_a_second_tab_on_the_same_process_resumes_the_live_position(
    private_redis, server_factory, sessions, mapdata, clients
):
    server = server_factory({"REDIS_URL": private_redis.url, "WORLD_SAVE_SECONDS": "3600"}, name="faults-tab")
    first = await enter(clients, server, "alice", sessions["alice"])
    saved = await walk_away(first, mapdata)

    second = await enter(clients, server, "alice", sessions["alice"])
    closing, code = await first.closed()
    assert (closing["code"], closing["reason"], code) == (4009, "replaced", 4009)
    distances = resumed_from(first, second.welcome, saved)
    record("second_tab.same_process", distances["from_live"])
    assert distances["from_live"] <= 0.5, distances


@pytest.mark.parametrize("someone_on_b", [True, False], ids=["b-has-a-replica", "b-starts-its-replica"])
async def test_a_second_tab_on_another_process_resumes_the_live_position(
    pair, sessions, mapdata, clients, someone_on_b
):
    a, b = pair
    first = await enter(clients, a, "alice", sessions["alice"])
    if someone_on_b:
        dave = await enter(clients, b, "dave", sessions["dave"])
        await until(lambda: first.id in dave.view, within=5, what="dave seeing alice")
    saved = await walk_away(first, mapdata)
    if someone_on_b:
        await until(lambda: dave.saw(first, first.seq) is not None, within=3, what="dave seeing alice's last move")

    second = await enter(clients, b, "alice", sessions["alice"])
    closing, code = await first.closed()
    assert (closing["code"], closing["reason"], code) == (4009, "replaced", 4009)
    distances = resumed_from(first, second.welcome, saved)
    record(f"second_tab.other_process.{'warm' if someone_on_b else 'cold'}", distances["from_live"])
    assert distances["from_live"] <= 0.5, distances
