"""What the browser tests share: Debian's Chromium driven by Playwright against a real server
process, the pages of logged-in people, and the helpers that read the page as a person does (or,
for what nobody can read off it, through its read-only hook `window.metaverse.inspect()`)."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import session_cookie
from metaverse.testing import ServerProcess, need

CHROMIUM = "/usr/bin/chromium"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
README_SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshot.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]
DESKTOP = {"width": 1280, "height": 720}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
WAIT_MS = 15000


@pytest.fixture(scope="module", autouse=True)
def orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
    browser steps are ordinary blocking calls (STYLE: allowed in browser tests only, and only while
    they run: the servers they start and the other tests never see it)."""
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    yield
    if previous is None:
        del os.environ[ASYNC_UNSAFE]
    else:
        os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need(os.access(CHROMIUM, os.X_OK), f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def server(demo_worlds: dict[str, Any], server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    return server_factory({ASYNC_UNSAFE: ""}, name="browser")


class Pages:
    """Browser contexts opened by a test; page errors (uncaught exceptions) fail the test."""

    def __init__(self, browser: Any, server: ServerProcess) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def new(self, user: Any | None = None, **options: Any) -> Any:
        context = self.browser.new_context(**{"viewport": DESKTOP, **options})
        self.contexts.append(context)
        if user is not None:
            context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": self.server.http_url}])
        page = context.new_page()
        label = user.username if user is not None else "guest"
        page.on("pageerror", lambda error: self.errors.append(f"{label}: {error}"))
        page.on("console", lambda message: print(f"[{label}] {message.type}: {message.text}"))
        return page

    def open(self, page: Any, world: str = "demo") -> Any:
        page.goto(f"{self.server.http_url}/w/{world}/")
        entered(page)
        return page

    def enter(self, user: Any, world: str = "demo", **options: Any) -> Any:
        return self.open(self.new(user, **options), world)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Any, server: ServerProcess) -> Iterator[Pages]:
    opened = Pages(browser, server)
    yield opened
    opened.close()
    assert not opened.errors, f"uncaught errors in the page: {opened.errors}"


# --- what a person sees ------------------------------------------------------------------------


def entered(page: Any) -> None:
    """The map is shown (the loading overlay is gone) and the world socket is open."""
    page.locator("#overlay").wait_for(state="hidden", timeout=WAIT_MS)
    connected(page, "world")


def connected(page: Any, *sockets: str) -> None:
    """Wait until the connection status (in the bar) says these sockets (world, chat, signal) are open."""
    opened = "".join(f'[data-{name}="open"]' for name in sockets)
    page.locator(f"#connection{opened}").wait_for(state="attached", timeout=WAIT_MS)


def person(page: Any, user: Any) -> Any:
    """The user in the page's list of people in view (for screen readers: the canvas is a picture)."""
    return page.locator(f'#people li[data-player="{user.pk}"]')


def tile(page: Any, user: Any) -> Any:
    """The user's video tile: shown while we are in a call with them."""
    return page.locator(f'.video-tile.remote[data-peer="{user.pk}"]')


def notices(page: Any) -> Any:
    return page.locator("#notices")


# --- what only the test hook tells -------------------------------------------------------------


def inspect(page: Any) -> dict[str, Any]:
    """The page's read-only test hook: positions, counters and the frame rate, as plain copies."""
    return page.evaluate("window.metaverse.inspect()")


def wait_for(page: Any, condition: str, arg: Any = None, timeout: float = WAIT_MS) -> Any:
    """Wait until `condition` (JavaScript, with `s` = window.metaverse.inspect() and `arg`) holds."""
    script = f"(arg) => {{ const s = window.metaverse && window.metaverse.inspect(); return s && ({condition}); }}"
    return page.wait_for_function(script, arg=arg, timeout=timeout)


def click_tile(page: Any, tx: int, ty: int, *, tap: bool = False) -> None:
    """Click (or tap) the map tile (tx, ty) where the page draws it (the test hook says where)."""
    point = page.evaluate("([tx, ty]) => window.metaverse.pointOfTile(tx, ty)", [tx, ty])
    assert point, f"tile ({tx}, {ty}) is not on the screen"
    if tap:
        canvas = page.locator("#world-canvas")
        canvas.tap(position={"x": point["x"], "y": point["y"] - canvas.bounding_box()["y"]})
    else:
        page.mouse.click(point["x"], point["y"])


def place(user: Any, world: Any, x: float, y: float, direction: str = "down") -> None:
    """Where the user comes back to in that world (their saved position)."""
    from world.models import SavedPosition

    SavedPosition.objects.update_or_create(
        player_id=user.pk, world=world, defaults={"x": x, "y": y, "direction": direction, "updated_at": timezone.now()}
    )


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
    return path


def hold(page: Any, key: str, until: str, arg: Any = None) -> None:
    """Hold a key down until a condition on the page's test hook (`s`) holds."""
    page.keyboard.down(key)
    try:
        wait_for(page, until, arg)
    finally:
        page.keyboard.up(key)


def distinct_colours(page: Any) -> int:
    return page.evaluate(
        """() => {
          const canvas = document.getElementById('world-canvas');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          const seen = new Set();
          for (let i = 0; i < data.length; i += 4 * 97) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
          return seen.size;
        }"""
    )


REMOTE_VIDEO_PLAYS = """(id) => {
  const video = document.querySelector(`.video-tile.remote[data-peer="${id}"] video`);
  return Boolean(video && video.videoWidth > 0 && !video.paused && video.readyState >= 2);
}"""


# Counts the page's requests for the camera and microphone (the fake devices still answer).
COUNT_CAPTURES = """
window.captures = 0;
const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (constraints) => { window.captures += 1; return realGetUserMedia(constraints); };
"""
