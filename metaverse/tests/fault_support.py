"""Clients and measures for the fault tests (test_faults_*.py): players and chatters on real
WebSocket connections that keep everything they receive, and the figures the tests record."""

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from metaverse.testing import ServerProcess, ws_connect, ws_receive_until
from world.engine.mapdata import MapData
from world.models import Presence
from world.walking import neighbours, tile_of, walk_to

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
