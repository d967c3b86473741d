"""A bounded, seeded fuzz of the three sockets and the REST API, against one real server process.

Several guests send FRAMES frames in all, valid messages of every documented type mixed with
mutations of them (metaverse/tests/mutations.py), while a thread sends random bodies to every
REST endpoint. A client the server closes with a documented code reconnects and goes on. At the
end: no close with 1011 or 1006, no `internal_error`, no traceback or ERROR in the server's log,
documented messages still accepted, nobody left behind in the world, and the server's memory
bounded. Replay a run with METAVERSE_FUZZ_SEED=<the seed it printed>.

A failure the fuzz met only now and then has a test of its own below, that meets it every time.
"""

import asyncio
import json
import os
import random
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from conftest import make_user, session_cookie
from metaverse.testing import ServerProcess, ws_connect, ws_receive_until
from metaverse.tests.mutations import WIRE_LIMIT, Me, Mutator

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.multiprocess,
    pytest.mark.slow,
    pytest.mark.timeout(150),
]

FRAMES = 20_000
FRAMES_PER_SECOND = 800  # all clients together: what a busy server reads without falling behind
USERS = 6
VANISH_SHARE = 0.002  # of frames after which the client drops the connection without a close frame
SECOND_TAB_SHARE = 0.002  # ... or opens the same socket again, as a second tab would (4009)
SPECIALS = 6  # frames over 256 KiB (closed with 1009), and as many text frames that are not UTF-8 (1007)
REST_REQUESTS = 300
SEED = int(os.environ.get("METAVERSE_FUZZ_SEED") or 20_261_202)
RUN_SECONDS = 100  # the sockets' part must be over by then, whatever the machine
GHOST_SECONDS = 12
RSS_GROWTH_LIMIT_KB = 100 * 1024
PATHS = {"world": "/ws/world/demo/", "chat": "/ws/chat/demo/", "signal": "/ws/signal/demo/"}
KINDS, WEIGHTS = ("world", "chat", "signal"), (4, 3, 3)
OVERSIZED = '{"type": "move", "pad": "' + "x" * WIRE_LIMIT + '"}'
NOT_UTF8 = b'{"type": "send", "text": "\xed\xa0\x80"}'  # a surrogate, encoded: never valid UTF-8
SPECIAL_FRAMES = (OVERSIZED, NOT_UTF8)
# Closes a fuzzing client may meet and reconnect after: those docs/protocol.md lists ("Closing";
# 1013 when SQLite is locked for a moment), and 1007 (RFC 6455) for a text frame not in UTF-8.
EXPECTED_CLOSES = {1007, 1009, 1013, 4000, 4006, 4009, 4029}


@dataclass
class Person:
    id: int
    cookie: str
    token: str


@dataclass
class Tally:
    frames: Counter[str] = field(default_factory=Counter)
    closes: Counter[tuple[str, int]] = field(default_factory=Counter)
    closings: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    connects: int = 0
    problems: list[str] = field(default_factory=list)
    rest: Counter[int] = field(default_factory=Counter)


@pytest.fixture
def fuzzed(server_factory, demo_worlds) -> tuple[ServerProcess, list[Person], Person]:
    from rest_framework.authtoken.models import Token

    def person(name: str) -> Person:
        user = make_user(name, guest=True)
        return Person(id=user.pk, cookie=session_cookie(user), token=Token.objects.create(user=user).key)

    people = [person(f"fuzz{n}") for n in range(USERS)]
    newcomer = person("newcomer")
    return server_factory(name="fuzz"), people, newcomer


async def test_sockets_and_api_survive_a_seeded_fuzz(fuzzed):
    server, people, newcomer = fuzzed
    tally = Tally()
    print(f"\nfuzz seed {SEED}: {FRAMES} frames from {USERS} guests, {REST_REQUESTS} REST requests")
    rss_before = rss_kb(server)
    started = time.monotonic()
    clients = [Client(server, person, people, random.Random(SEED + n), tally) for n, person in enumerate(people)]
    rest = asyncio.create_task(asyncio.to_thread(rest_fuzz, server, people, random.Random(SEED - 1), tally))
    try:
        async with asyncio.timeout(RUN_SECONDS):
            await asyncio.gather(
                *(client.run(share(FRAMES, n), share(SPECIALS, n)) for n, client in enumerate(clients))
            )
            await rest
    except TimeoutError:
        tally.problems.append(f"the fuzz did not finish within {RUN_SECONDS} s ({sum(tally.frames.values())} sent)")
    finally:
        await asyncio.gather(*(client.close_all() for client in clients))
    fuzzing = time.monotonic() - started

    tally.problems += await documented_messages_problems(server, people[0])
    ghost_seconds = await wait_for_no_ghosts(server, newcomer, {person.id for person in people}, tally)
    rss_after = rss_kb(server)
    log = server.log_path.read_text(errors="replace")
    bad_lines = [line for line in log.splitlines() if "Traceback" in line or " ERROR " in line]

    sent = sum(tally.frames.values())
    print(f"frames sent: {sent} {dict(tally.frames)} in {fuzzing:.1f} s; connections opened {tally.connects}")
    print(f"closes by code: {dict(sorted(tally.closes.items()))}")
    print(f"closing messages: {dict(sorted(tally.closings.items()))}; errors: {dict(tally.errors.most_common())}")
    print(f"REST statuses: {dict(sorted(tally.rest.items()))}")
    print(f"tracebacks/ERROR lines in the server log: {len(bad_lines)}; ghosts gone after {ghost_seconds:.1f} s")
    print(f"server RSS before {rss_before // 1024} MB, after {rss_after // 1024} MB")
    print(f"duration {time.monotonic() - started:.1f} s; seed {SEED}")
    for problem in tally.problems[:30]:
        print("PROBLEM:", problem)
    for line in bad_lines[:30]:
        print("LOG:", line)

    assert sent >= FRAMES * 0.9
    assert not [key for key in tally.closes if key[1] in (1006, 1011)], tally.closes
    assert {code for _, code in tally.closes} <= EXPECTED_CLOSES, tally.closes
    assert tally.errors["internal_error"] == 0
    assert not bad_lines, "\n".join(bad_lines[:30])
    assert rss_after - rss_before < RSS_GROWTH_LIMIT_KB
    assert not tally.problems, "\n".join(tally.problems[:30])


async def test_a_signal_socket_refused_while_a_message_waits_logs_no_traceback(fuzzed):
    """What the fuzz met now and then, made certain: a hang-up waits (up to 0.5 s) for a player
    who is not there, and meanwhile the server refuses the connection an oversized frame (1009).
    A client slow to read does not answer the close at once, so the connection is still closing
    when the wait ends and the refusal is sent."""
    server, (person, *_), _ = fuzzed
    world = await ws_connect(server, PATHS["world"], person.cookie)
    await ws_receive_until(world, "welcome")
    signal = await ws_connect(server, PATHS["signal"], person.cookie)
    await ws_receive_until(signal, "ready")
    await signal.send(json.dumps({"type": "hangup", "to": 987654321}))
    signal.transport.pause_reading()  # busy elsewhere: the server's close frame waits unread
    await signal.send(OVERSIZED)
    await asyncio.sleep(1.5)  # the contact wait, and autobahn's 1 s for the closing handshake
    signal.transport.abort()
    await world.close()
    await asyncio.sleep(1)  # for the socket's task to end, and anything it left to be logged
    log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[log.find("Traceback") - 300 :][:3000]


# --- the socket clients ------------------------------------------------------------------------


def share(total: int, n: int) -> int:
    """Client n's part of `total`."""
    return total // USERS + (1 if n < total % USERS else 0)


class Client:
    """One guest with its three sockets; each reconnects whenever the server has closed it."""

    def __init__(self, server: ServerProcess, person: Person, people: list[Person], rng: random.Random, tally: Tally):
        self.server, self.person, self.rng, self.tally = server, person, rng, tally
        self.me = Me(id=person.id, peers=[other.id for other in people if other is not person])
        self.mutator = Mutator(rng)
        self.links: dict[str, Any] = {}  # the connection each kind of frame goes to
        self.opened: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []
        self.ours: set[int] = set()  # connections we closed ourselves

    async def run(self, frames: int, specials: int) -> None:
        """Send `frames` frames at this client's share of FRAMES_PER_SECOND; `specials` of them are
        over 256 KiB, as many again text frames that are not UTF-8."""
        picked = self.rng.sample(range(frames), 2 * specials)
        special = {number: SPECIAL_FRAMES[n % 2] for n, number in enumerate(picked)}
        interval = USERS / FRAMES_PER_SECOND
        next_at = time.monotonic()
        for number in range(frames):
            kind = self.rng.choices(KINDS, WEIGHTS)[0]
            await self.send(kind, special.get(number) or self.mutator.frame(kind, self.me))
            roll = self.rng.random()
            if roll < VANISH_SHARE:
                self.vanish(kind)
            elif roll < VANISH_SHARE + SECOND_TAB_SHARE:
                self.links.pop(kind, None)  # the next frame opens another; the server closes this one
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def send(self, kind: str, frame: str | bytes) -> None:
        connection = await self.connection(kind)
        if connection is None:
            return
        try:
            await asyncio.wait_for(connection.send(frame, text=frame is NOT_UTF8 or None), 10)
        except ConnectionClosed:
            return  # the reader counts the close; the next frame reconnects
        except TimeoutError:
            self.tally.problems.append(f"{kind}: a frame could not be sent within 10 s")
            return
        self.tally.frames[kind] += 1

    async def connection(self, kind: str) -> Any:
        connection = self.links.get(kind)
        if connection is not None and connection.state is State.OPEN:
            return connection
        if kind != "world" and await self.connection("world") is None:
            return None  # chat and signal want the player in the world
        headers = {"Origin": self.server.http_url, "Cookie": f"sessionid={self.person.cookie}"}
        try:
            connection = await websockets.connect(
                self.server.ws_url + PATHS[kind], additional_headers=headers, open_timeout=10, close_timeout=3,
                max_size=2**22,
            )  # fmt: skip
        except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
            self.tally.problems.append(f"{kind}: could not connect: {type(error).__name__}: {error}")
            return None
        self.tally.connects += 1
        self.links[kind] = connection
        self.opened.append(connection)
        welcomed = asyncio.Event()
        self.readers.append(asyncio.create_task(self.read(kind, connection, welcomed)))
        if kind == "world":
            try:
                await asyncio.wait_for(welcomed.wait(), 10)
            except TimeoutError:
                self.tally.problems.append("world: no welcome within 10 s")
        return connection

    async def read(self, kind: str, connection: Any, welcomed: asyncio.Event) -> None:
        try:
            async for frame in connection:
                if isinstance(frame, bytes):
                    self.tally.problems.append(f"{kind}: a binary frame from the server")
                elif self.note(json.loads(frame)) == "welcome":
                    welcomed.set()
        except ConnectionClosed:
            pass
        except ValueError as error:
            self.tally.problems.append(f"{kind}: a frame from the server that is not JSON: {error}")
        finally:
            welcomed.set()
        if id(connection) not in self.ours:
            self.tally.closes[(kind, connection.close_code)] += 1

    def note(self, message: dict[str, Any]) -> str | None:
        kind = message.get("type")
        if kind == "error":
            self.tally.errors[message.get("code")] += 1
        elif kind == "closing":
            self.tally.closings[message.get("code")] += 1
        elif kind == "welcome":
            you = message["you"]
            self.me.x, self.me.y, self.me.seq = you["x"], you["y"], you["seq"]
        elif kind == "correction":
            self.me.x, self.me.y = message["x"], message["y"]
        return kind

    def vanish(self, kind: str) -> None:
        """Gone without a goodbye, like a laptop shut mid-sentence: no close frame, no FIN."""
        connection = self.links.get(kind)
        if connection is not None and connection.state is State.OPEN:
            self.ours.add(id(connection))
            connection.transport.abort()

    async def close_all(self) -> None:
        for connection in self.opened:
            if connection.state is State.OPEN:
                self.ours.add(id(connection))
                await connection.close()
        await asyncio.wait_for(asyncio.gather(*self.readers, return_exceptions=True), 10)


# --- checks after the fuzz ----------------------------------------------------------------------


async def documented_messages_problems(server: ServerProcess, person: Person) -> list[str]:
    """The client messages docs/protocol.md shows, sent as shown, are answered and not refused."""
    problems: list[str] = []
    headers = {"Origin": server.http_url, "Cookie": f"sessionid={person.cookie}"}
    world = await websockets.connect(server.ws_url + PATHS["world"], additional_headers=headers, open_timeout=10)
    chat = await websockets.connect(server.ws_url + PATHS["chat"], additional_headers=headers, open_timeout=10)
    try:
        welcome = await until(world, lambda message: message["type"] == "welcome")
        you = welcome["you"]
        shown = [
            {"type": "move", "x": you["x"], "y": you["y"], "dir": "right", "moving": True, "seq": you["seq"] + 1},
            {"type": "ping", "t": 1795313603000},
            {"type": "ping"},
        ]
        for sentinel, message in enumerate(shown):
            await world.send(json.dumps(message))
            await world.send(json.dumps({"type": "ping", "t": sentinel}))
            seen = await until(world, lambda reply, n=sentinel: reply["type"] == "pong" and reply["t"] == n, keep=True)
            refused = [reply for reply in seen if reply["type"] == "error"]
            if refused:
                problems.append(f"/ws/world/: the documented {json.dumps(message)} got {refused[0]}")
        send = {"type": "send", "scope": "world", "text": "hi Carol", "client_id": "c-42"}
        await chat.send(json.dumps(send))
        reply = await until(chat, lambda message: mine(message) == "c-42")
        if reply["type"] == "error" and reply["code"] != "rate_limited":
            problems.append(f"/ws/chat/: the documented {json.dumps(send)} got {reply}")
    finally:
        await world.close()
        await chat.close()
    return problems


def mine(message: dict[str, Any]) -> Any:
    """The client_id of a chat message or error that answers ours."""
    return message["message"].get("client_id") if message["type"] == "message" else message.get("client_id")


async def until(connection: Any, wanted: Any, *, keep: bool = False, within: float = 5.0) -> Any:
    """The first message that `wanted` accepts (or, with `keep`, every message up to it)."""
    seen = []
    async with asyncio.timeout(within):
        while True:
            message = json.loads(await connection.recv())
            seen.append(message)
            if wanted(message):
                return seen if keep else message


async def wait_for_no_ghosts(server: ServerProcess, newcomer: Person, fuzzers: set[int], tally: Tally) -> float:
    """Seconds until the world shows nobody from the fuzz, to a newcomer and in /api/worlds/."""
    started = time.monotonic()
    headers = {"Origin": server.http_url, "Cookie": f"sessionid={newcomer.cookie}"}
    while True:
        status, body = await asyncio.to_thread(server.get, "/api/worlds/")
        online = {world["slug"]: world["online"] for world in json.loads(body)} if status == 200 else {}
        connection = await websockets.connect(server.ws_url + PATHS["world"], additional_headers=headers)
        try:
            welcome = await until(connection, lambda message: message["type"] in ("welcome", "closing"))
        finally:
            await connection.close()
        ghosts = {player["id"] for player in welcome.get("players", [])} & fuzzers
        if welcome["type"] == "welcome" and not ghosts and not any(online.values()):
            return time.monotonic() - started
        if time.monotonic() - started > GHOST_SECONDS:
            tally.problems.append(f"ghosts after {GHOST_SECONDS} s: {sorted(ghosts)} in the welcome, online {online}")
            return time.monotonic() - started
        await asyncio.sleep(0.5)


def rss_kb(server: ServerProcess) -> int:
    assert server.process is not None
    with open(f"/proc/{server.process.pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


# --- REST -----------------------------------------------------------------------------------------


def rest_fuzz(server: ServerProcess, people: list[Person], rng: random.Random, tally: Tally) -> None:
    """Random bodies and queries to every endpoint, by token or by session and CSRF token: never a
    500, always JSON."""
    csrf = {person.id: csrf_token(server, person) for person in people}
    for _ in range(REST_REQUESTS):
        person = rng.choice(people)
        me = Me(id=person.id, peers=[other.id for other in people if other is not person])
        method, path = rng.choice(ENDPOINTS)
        path = path.format(
            id=rng.choice([*me.peers, me.id, 0, 2**63, 2**70, int("9" * 400)]),
            query=rng.choice(QUERIES),
        )
        body, content_type = Mutator(rng).rest_body(path, me) if method in ("PATCH", "POST") else (b"", "")
        headers = {"Content-Type": content_type} if content_type else {}
        how = rng.choice(["token", "session", "session", "nobody"])
        if how == "token":
            headers["Authorization"] = f"Token {person.token}"
        elif how == "session":
            headers["Cookie"] = f"sessionid={person.cookie}; csrftoken={csrf[person.id]}"
            headers["X-CSRFToken"] = csrf[person.id]
        status, content_type, answer = request(server, method, path, body, headers)
        tally.rest[status] += 1
        if status == 400 and not answer and headers.get("Content-Type", "").startswith("multipart/form-data"):
            continue  # Twisted's HTTP server parses multipart bodies itself, and answers a bad one so
        if status >= 500 or status == 0 or (status != 204 and not is_json(content_type, answer)):
            tally.problems.append(f"REST {method} {path} {body[:200]!r} ({how}): {status} {answer[:300]!r}")


def is_json(content_type: str, body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return content_type.startswith("application/json")


ENDPOINTS = [
    ("PATCH", "/api/players/me/"), ("PATCH", "/api/players/me/"), ("POST", "/api/blocks/"), ("POST", "/api/blocks/"),
    ("POST", "/api/reports/"), ("POST", "/api/reports/"), ("DELETE", "/api/blocks/{id}/"), ("GET", "/api/players/me/"),
    ("GET", "/api/avatars/"), ("GET", "/api/worlds/"), ("GET", "/api/worlds/demo/"), ("GET", "/api/blocks/"),
    ("GET", "/api/rtc/ice-servers/"), ("GET", "/api/worlds/demo/messages/?{query}"),
    ("GET", "/api/worlds/nowhere/messages/"),
]  # fmt: skip
QUERIES = [
    "", "scope=world", "scope=direct&with=1", "scope=%00", "scope=" + "x" * 3000, "with=-1", "with=" + "9" * 5000,
    "page_size=0", "page_size=-5", "page_size=" + "9" * 5000, "cursor=%ff%fe", "cursor=cD0yMDI2", "with=%F0%9F%98%80",
    "scope=world&scope=zone", "page_size=1e400",
]  # fmt: skip


def csrf_token(server: ServerProcess, person: Person) -> str:
    """The CSRF cookie a page of the site hands the browser (for its scripts' X-CSRFToken)."""
    page = urllib.request.Request(server.http_url + "/profile/", headers={"Cookie": f"sessionid={person.cookie}"})
    with urllib.request.urlopen(page, timeout=10) as response:
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    return cookies["csrftoken"].value


def request(
    server: ServerProcess, method: str, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, str, bytes]:
    """Status, Content-Type and body; status 0 when no answer came within 10 s."""
    sent = urllib.request.Request(server.http_url + path, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=10) as response:
            return int(response.status), response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.headers.get("Content-Type", ""), error.read()
    except OSError as error:  # refused, reset, timed out
        return 0, "", str(error).encode()
