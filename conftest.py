"""Fixtures shared by every app's tests: named people, the shipped avatars, server processes."""

import asyncio
import contextlib
import inspect
import io
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import Any

import pytest

from metaverse import inbound
from metaverse.testing import ServerProcess, components_required


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if report.skipped and components_required() and not hasattr(report, "wasxfail"):
        # CI runs with every component present: a skip there hides a missing component.
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped while METAVERSE_REQUIRE_COMPONENTS=1: {reason}"
    return report


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if isinstance(item, pytest.Function) and inspect.iscoroutinefunction(item.function):
            item.fixturenames.insert(0, "_tasks_stopped")  # set up first, torn down last


@pytest.fixture
async def _tasks_stopped() -> AsyncIterator[None]:
    """After each async test, stop the tasks it left running (a world's ticker, a channel-layer
    receiver) while its loop still runs. Closing the loop cancels each task only once, and on
    Python 3.11 redis-py's `wait_for` can swallow that one cancellation: the run would hang."""
    yield
    from metaverse.tasks import stop_tasks

    current = asyncio.current_task()
    leftover = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    try:
        await asyncio.wait_for(stop_tasks(leftover), timeout=10)
    except TimeoutError:
        names = ", ".join(task.get_name() for task in leftover if not task.done())
        raise AssertionError(f"tasks left running after the test would not stop: {names}") from None


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing() -> Iterator[None]:
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["metaverse.testing.QuickPBKDF2PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _channel_layer_per_test() -> Iterator[None]:
    """A new channel layer for each test, as for each test's event loop. channels_redis keeps
    asyncio locks in the layer, and one a test's loop closed while it was held (a backup cleaner
    cut short) is bound to that loop: every later test receiving on the layer would fail."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()  # the bulk layer and the control layer alike
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _fresh_address_limits() -> None:
    """Every test's clients come from 127.0.0.1: each test starts with no sign-ups and no TURN
    credentials counted against that address (with Redis, counts would outlive the test run)."""
    from accounts.services import SignupKind, signup_bucket
    from metaverse.ratelimit import rate_forget
    from signaling.services import turn_bucket

    for kind in SignupKind:
        rate_forget(key=signup_bucket(kind=kind, address="127.0.0.1"))
    rate_forget(key=turn_bucket(address="127.0.0.1"))


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """At the end, close the test database's connections still held by worker threads
    (database_sync_to_async runs in a thread pool whose threads keep theirs open), so the test
    database can be dropped instead of being left behind with a warning."""
    yield
    from django.db import connection

    # Only when a test database was made (not when the tests run needed none).
    if connection.vendor != "postgresql" or not str(connection.settings_dict["NAME"]).startswith("test_"):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture
def avatars(db: None) -> list[Any]:
    from players.catalog import load_shipped_avatars
    from players.models import Avatar

    load_shipped_avatars(Avatar)
    return list(Avatar.objects.active())


def make_user(name: str, *, guest: bool = False, staff: bool = False, guide: bool = False, **fields: Any) -> Any:
    """A user and its player; `guide`: the first-visit guide still to be shown (test users have
    seen it, so that it covers no map a test clicks on)."""
    from django.utils import timezone

    from accounts.models import User
    from players.models import Avatar, Player

    user = User.objects.create_user(
        username=name,
        email=f"{name}@example.org" if not guest else "",
        password=None if guest else f"{name}-Secret-Passw0rd",
        is_guest=guest,
        is_staff=staff,
        **fields,
    )
    Player.objects.create(
        user=user, display_name=name.capitalize(), avatar=Avatar.objects.active().first(),
        guide_seen_at=None if guide else timezone.now(),
    )  # fmt: skip
    return user


@pytest.fixture
def alice(avatars: list[Any]) -> Any:
    return make_user("alice")


@pytest.fixture
def bob(avatars: list[Any]) -> Any:
    return make_user("bob")


@pytest.fixture
def carol(avatars: list[Any]) -> Any:
    return make_user("carol")


def session_cookie(user: Any) -> str:
    """A logged-in session for `user`, as the browser's `sessionid` cookie would carry it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    assert session.session_key is not None
    return session.session_key


# The in-process application is reached as a browser on http://localhost would: its pages' origin
# and the Host it asks for (metaverse/origins.py).
HOST = b"localhost"
ORIGIN = b"http://localhost"


async def open_socket(path: str, *, cookie: str | None = None, address: str | None = None, inline: Any = None) -> Any:
    """A connected WebsocketCommunicator on the real ASGI application (session auth + Origin),
    as a client at `address` if given (daphne puts it in scope["client"]), offering messages to
    the socket as they are read through `inline` if given (an InlineSlot, as `manage.py serve`
    does). Create the user and `cookie` beforehand in a sync fixture (`session_cookie`)."""
    from channels.testing import WebsocketCommunicator

    from metaverse.asgi import application

    headers = [(b"host", HOST), (b"origin", ORIGIN)]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    if address is not None:
        communicator.scope["client"] = [address, 50123]
    if inline is not None:
        communicator.scope[inbound.SCOPE_KEY] = inline
    connected, _ = await communicator.connect(timeout=5)
    assert connected, f"could not connect to {path}"
    return communicator


class Sockets:
    """Opens sockets on the real ASGI application and disconnects every one at the end. Its
    shortcuts open sockets on the world `slug` and wait for their first message."""

    def __init__(self, slug: str = "demo") -> None:
        self.slug = slug
        self.opened: list[Any] = []

    async def open(self, path: str, cookie: str | None, *, address: str | None = None, first: str = "") -> Any:
        socket = await open_socket(path, cookie=cookie, address=address)
        self.opened.append(socket)
        if first:
            await receive_until(socket, first)
        return socket

    async def world(self, cookie: str, slug: str = "") -> tuple[Any, dict[str, Any]]:
        socket = await self.open(f"/ws/world/{slug or self.slug}/", cookie)
        return socket, await receive_until(socket, "welcome")

    async def chat(self, cookie: str, slug: str = "") -> tuple[Any, list[dict[str, Any]]]:
        socket = await self.open(f"/ws/chat/{slug or self.slug}/", cookie)
        return socket, (await receive_until(socket, "history"))["messages"]

    async def signal(self, cookie: str, slug: str = "") -> Any:
        return await self.open(f"/ws/signal/{slug or self.slug}/", cookie, first="ready")

    async def all_three(self, cookie: str, slug: str = "") -> list[Any]:
        """World, chat and signal, as the world page opens them."""
        world, _ = await self.world(cookie, slug)
        chat, _ = await self.chat(cookie, slug)
        return [world, chat, await self.signal(cookie, slug)]

    async def close_all(self) -> None:
        for socket in self.opened:
            # A test may have disconnected it already (a second disconnect is a CancelledError).
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await socket.disconnect()


@pytest.fixture
async def sockets() -> AsyncIterator[Sockets]:
    opened = Sockets()
    yield opened
    await opened.close_all()


async def receive_until(socket: Any, kind: str, timeout: float = 3.0, where=lambda message: True) -> dict[str, Any]:  # noqa: ASYNC109
    """The next message of a type (skipping others), e.g. the next tick that mentions someone."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            raise AssertionError(f"no {kind!r} message within {timeout}s")
        message = await socket.receive_json_from(timeout=remaining)
        if message["type"] == kind and where(message):
            return message


async def expect_close(socket: Any, code: int) -> dict[str, Any]:
    closing = await socket.receive_json_from(timeout=3)
    assert closing["type"] == "closing"
    assert closing["code"] == code
    output = await socket.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": code, "reason": closing["reason"][:120]}
    return closing


@pytest.fixture
def demo_worlds(transactional_db: None, avatars: list[Any]) -> dict[str, Any]:
    """The shipped demo worlds, imported for real ('demo' and 'annex')."""
    from django.core.management import call_command

    from world.models import World

    call_command("load_demo", stdout=io.StringIO())
    return {world.slug: world for world in World.objects.all()}


@pytest.fixture
def cookies(transactional_db: None, avatars: list[Any]) -> Callable[[str], str]:
    """cookies("alice") makes the user (if needed) and returns a session cookie for them."""

    def make(name: str, **fields: Any) -> str:
        from accounts.models import User

        user = User.objects.filter(username=name).first() or make_user(name, **fields)
        return session_cookie(user)

    return make


@pytest.fixture
async def opened() -> AsyncIterator[list[Any]]:
    """Real WebSocket connections a test opens (append them), closed at its end."""
    connections: list[Any] = []
    yield connections
    for connection in connections:
        await connection.close()


@pytest.fixture
def server_factory(transactional_db: None) -> Iterator[Callable[..., ServerProcess]]:
    """Start real daphne processes on the test database; all are stopped at the end."""
    started: list[ServerProcess] = []

    def start(env: dict[str, str] | None = None, *, name: str = "server", wait_healthy: bool = True) -> ServerProcess:
        server = ServerProcess(env, name=name)
        started.append(server)
        return server.start(wait_healthy=wait_healthy)

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def janus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real Janus from docker/janus/ (signaling/tests/janus_helpers.py), for a module's tests."""
    from signaling.tests.janus_helpers import running_janus

    with running_janus(tmp_path_factory.mktemp("janus")) as running:
        yield running
