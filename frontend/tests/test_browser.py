"""The world page in a real Chromium (Playwright, Debian's /usr/bin/chromium) against a real
server process: joining, walking, seeing each other, chat, calls, reconnecting, a phone.

Screenshots and the measured frame rate land in test-artifacts/. With
METAVERSE_README_SCREENSHOT=1 the call test also writes docs/screenshot.png.
"""

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import session_cookie
from metaverse.testing import ServerProcess, need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

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

    def enter(self, user: Any, world: str = "demo", **options: Any) -> Any:
        page = self.new(user, **options)
        page.goto(f"{self.server.http_url}/w/{world}/")
        wait_for(page, "s.mapReady && s.connection.world === 'open'")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Any, server: ServerProcess) -> Iterator[Pages]:
    opened = Pages(browser, server)
    yield opened
    opened.close()
    assert not opened.errors, f"uncaught errors in the page: {opened.errors}"


def wait_for(page: Any, condition: str, arg: Any = None, timeout: float = WAIT_MS) -> Any:
    """Wait until `condition` (JavaScript, with `s` = the page's state snapshot and `arg`) holds."""
    script = f"(arg) => {{ const s = window.metaverse && window.metaverse.snapshot(); return s && ({condition}); }}"
    return page.wait_for_function(script, arg=arg, timeout=timeout)


def state(page: Any) -> dict[str, Any]:
    return page.evaluate("window.metaverse.snapshot()")


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
    """Hold a key down until a condition on the page's state holds."""
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


# --- joining -----------------------------------------------------------------------------------


def test_a_guest_walks_in_from_the_landing_page_and_sees_the_map(pages):
    page = pages.new()
    page.goto(pages.server.http_url + "/")
    card = page.locator(".world-card", has_text="Demo Campus")
    assert card.locator("[data-online]").inner_text() == "0"
    card.get_by_role("link", name="Enter Demo Campus").click()
    page.wait_for_url("**/accounts/login/?next=/w/demo/")
    page.locator(".guest-hint").get_by_role("link", name="Join as guest").click()
    page.get_by_label("Display name").fill("Gus")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/w/demo/")
    wait_for(page, "s.mapReady && s.me && s.me.name === 'Gus'")
    page.wait_for_timeout(100)  # one more frame with the avatar's sprite loaded
    assert distinct_colours(page) > 30, "the canvas shows no map"
    assert page.locator("#zone-label").inner_text() == "Lobby"
    screenshot(page, "guest-sees-the-map.png")


# --- walking together --------------------------------------------------------------------------


def test_two_browsers_see_each_other_move_and_change_status(pages, demo_worlds, alice, bob):
    place(alice, demo_worlds["demo"], 32.5, 31.5)  # in the lobby, above the door to the garden
    place(bob, demo_worlds["demo"], 28.5, 31.5)
    alice_page = pages.enter(alice)
    bob_page = pages.enter(bob)
    wait_for(alice_page, "s.players.some((p) => p.id === arg)", bob.pk)
    wait_for(bob_page, "s.players.some((p) => p.id === arg)", alice.pk)
    assert alice_page.locator("#zone-label").inner_text() == "Lobby"

    alice_page.locator("#world-canvas").focus()
    hold(alice_page, "ArrowDown", "s.me.y > 35")
    banner = alice_page.locator("#zone-banner.shown")
    banner.wait_for(timeout=WAIT_MS)
    assert banner.inner_text().startswith("Garden")
    assert alice_page.locator("#zone-label").inner_text() == "Garden"
    seen = wait_for(
        bob_page,
        "s.players.find((p) => p.id === arg.id && Math.abs(p.y - arg.y) < 2e-3)",
        {"id": alice.pk, "y": state(alice_page)["me"]["y"]},
    ).json_value()
    # Drawn where she is once the glide between updates is over.
    wait_for(bob_page, "s.players.some((p) => p.id === arg.id && Math.abs(p.ry - arg.y) < 1e-6)", seen)
    assert state(alice_page)["stats"]["corrections"] == 0

    # Bob goes busy and changes his name in his menu; Alice's page shows it.
    bob_page.locator("#menu-button").focus()
    bob_page.keyboard.press("Enter")
    bob_page.locator("#menu-status").select_option("busy")
    bob_page.get_by_label("Display name").fill("Bobby")
    bob_page.get_by_role("button", name="Save").click()
    wait_for(alice_page, "s.players.some((p) => p.id === arg && p.status === 'busy' && p.name === 'Bobby')", bob.pk)
    screenshot(alice_page, "two-players.png")


def test_walking_through_an_exit_takes_you_to_the_next_world(pages, demo_worlds, alice):
    place(alice, demo_worlds["demo"], 68.5, 31.5, "down")  # just above the exit to the annex
    page = pages.enter(alice)
    page.locator("#world-canvas").focus()
    page.keyboard.down("ArrowDown")
    try:
        page.wait_for_url("**/w/annex/**", timeout=WAIT_MS)
    finally:
        page.keyboard.up("ArrowDown")
    wait_for(page, "s.mapReady && s.world.slug === 'annex' && s.connection.world === 'open'")
    assert "entry=" not in page.url  # a reload brings her back where she stands, not to the entry


# --- chat --------------------------------------------------------------------------------------


def test_two_browsers_chat_with_links_as_links_and_html_as_text(pages, demo_worlds, alice, bob, carol):
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    place(bob, demo_worlds["demo"], 28.5, 27.5)
    alice_page = pages.enter(alice)
    bob_page = pages.enter(bob)
    wait_for(alice_page, "s.connection.chat === 'open' && s.players.some((p) => p.id === arg)", bob.pk)
    wait_for(bob_page, "s.connection.chat === 'open'")

    # Keyboard only: Enter goes from the world to the chat, Enter sends, Escape goes back.
    alice_page.locator("#world-canvas").focus()
    alice_page.keyboard.press("Enter")
    assert alice_page.evaluate("document.activeElement.id") == "chat-input"
    alice_page.keyboard.type("lunch? https://example.org/menu. <b>not bold</b>")
    alice_page.keyboard.press("Enter")
    alice_page.keyboard.press("Escape")
    assert alice_page.evaluate("document.activeElement.id") == "world-canvas"

    message = bob_page.locator(".chat-log .msg", has_text="lunch?")
    message.wait_for(timeout=WAIT_MS)
    link = message.locator("a")
    assert link.get_attribute("href") == "https://example.org/menu"
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
    assert "<b>not bold</b>" in message.locator(".msg-text").inner_text()
    assert message.locator("b").count() == 0
    assert message.locator(".msg-sender").inner_text() == "Alice"
    alice_page.locator(".chat-log .msg:not(.pending)", has_text="lunch?").wait_for(timeout=WAIT_MS)

    # A direct message while Bob looks at the world tab: an unread badge on "Direct".
    alice_page.locator("#chat-tab-direct").click()
    alice_page.locator("#chat-to").select_option(str(bob.pk))
    alice_page.locator("#chat-input").fill("just for you")
    alice_page.locator("#chat-input").press("Enter")
    wait_for(bob_page, "s.chat.unread.direct === 1")
    badge = bob_page.locator("#chat-tab-direct .badge")
    assert badge.inner_text() == "1"
    bob_page.locator("#chat-tab-direct").click()
    bob_page.locator(".chat-log .msg", has_text="just for you").wait_for(timeout=WAIT_MS)
    assert badge.is_hidden()

    # Carol comes in later and finds the world message in the history.
    carol_page = pages.enter(carol)
    carol_page.locator(".chat-log .msg", has_text="lunch?").wait_for(timeout=WAIT_MS)
    assert carol_page.locator(".chat-log .msg", has_text="just for you").count() == 0
    screenshot(bob_page, "chat.png")


# --- calls -------------------------------------------------------------------------------------

REMOTE_VIDEO_PLAYS = """(id) => {
  const video = document.querySelector(`.video-tile.remote[data-peer="${id}"] video`);
  return Boolean(video && video.videoWidth > 0 && !video.paused && video.readyState >= 2);
}"""


def test_walking_up_to_someone_starts_a_call_and_walking_apart_ends_it(pages, demo_worlds, alice, bob):
    from players.models import Avatar, Player

    Player.objects.filter(user=bob).update(avatar=Avatar.objects.get(slug="ben"))
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 30.5, 27.5, "left")
    alice_page = pages.enter(alice)
    bob_page = pages.enter(bob)
    wait_for(alice_page, "s.media.status === 'granted' && s.connection.signal === 'open'")
    wait_for(bob_page, "s.media.status === 'granted' && s.connection.signal === 'open'")
    assert alice_page.locator(".video-tile").count() == 0

    # Alice clicks the tile next to Bob and walks there.
    point = alice_page.evaluate("window.metaverse.view.pointOfTile(29, 27)")
    alice_page.mouse.click(point["x"], point["y"])
    wait_for(alice_page, "s.contacts.some((c) => c.id === arg)", bob.pk)
    alice_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=bob.pk, timeout=WAIT_MS)
    bob_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=alice.pk, timeout=WAIT_MS)
    wait_for(alice_page, "s.peers.some((p) => p.id === arg && p.state === 'connected')", bob.pk)
    assert alice_page.locator(f'.video-tile.remote[data-peer="{bob.pk}"] .tile-name').inner_text() == "Bob"
    assert bob_page.locator(".video-tile.mine").count() == 1

    # Alice mutes: Bob's tile of her says so.
    alice_page.locator("#mute-button").click()
    bob_page.locator(f'.video-tile.remote[data-peer="{alice.pk}"] .tile-muted').wait_for(timeout=WAIT_MS)
    alice_page.locator("#mute-button").click()
    bob_page.locator(f'.video-tile.remote[data-peer="{alice.pk}"] .tile-muted').wait_for(
        state="hidden", timeout=WAIT_MS
    )

    # Nearby chat reaches the person next to you.
    bob_page.locator("#chat-tab-nearby").click()
    bob_page.locator("#chat-input").fill("Hi Alice! Coffee later?")
    bob_page.locator("#chat-input").press("Enter")
    wait_for(alice_page, "s.chat.unread.nearby === 1")
    alice_page.locator("#chat-tab-nearby").click()
    alice_page.locator(".chat-log .msg", has_text="Coffee later?").wait_for(timeout=WAIT_MS)
    path = screenshot(alice_page, "call.png")
    if os.environ.get("METAVERSE_README_SCREENSHOT"):
        README_SCREENSHOT.write_bytes(path.read_bytes())
        print(f"screenshot: {README_SCREENSHOT}")

    # Walking apart hangs up on both sides.
    alice_page.locator("#world-canvas").focus()
    hold(alice_page, "ArrowLeft", "s.me.x < 25")
    alice_page.locator(".video-tile").first.wait_for(state="detached", timeout=WAIT_MS)
    bob_page.locator(".video-tile").first.wait_for(state="detached", timeout=WAIT_MS)
    assert state(alice_page)["peers"] == []
    assert state(bob_page)["peers"] == []


def test_arriving_next_to_someone_calls_them(pages, demo_worlds, alice, bob):
    """Alice makes the offer (lower id) the moment Bob appears, before his signal socket is open,
    so the first one is lost; she sends it again until answered."""
    assert alice.pk < bob.pk
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 25.5, 27.5, "left")
    alice_page = pages.enter(alice)
    wait_for(alice_page, "s.connection.signal === 'open'")
    bob_page = pages.enter(bob)
    alice_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=bob.pk, timeout=WAIT_MS)
    bob_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=alice.pk, timeout=WAIT_MS)


def test_the_page_gets_turn_credentials_once_it_is_in_the_world(browser, demo_worlds, server_factory, alice):
    """TURN credentials are only for players in a world (docs/protocol.md, "ICE servers"): the
    page asks after the world's welcome, again a moment later if its presence was not stored yet."""
    turn = {"TURN_URLS": "turn:127.0.0.1:9?transport=udp", "TURN_SECRET": "north", "TURN_TTL": "120"}
    pages = Pages(browser, server_factory({ASYNC_UNSAFE: "", **turn}, name="browser-turn"))
    try:
        page = pages.enter(alice)
        page.wait_for_function("() => window.metaverse.rtc.iceTurn === 'issued'", timeout=WAIT_MS)
        [relay] = page.evaluate("window.metaverse.rtc.iceServers")
        assert relay["urls"] == [turn["TURN_URLS"]]
        expiry, user_id = relay["username"].split(":")
        assert int(user_id) == alice.pk
        assert 0 < int(expiry) - time.time() <= 120
    finally:
        pages.close()
    assert not pages.errors, f"uncaught errors in the page: {pages.errors}"


# --- reconnecting ------------------------------------------------------------------------------


def test_a_dropped_connection_reconnects_and_resyncs(pages, demo_worlds, alice, bob):
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    page = pages.enter(alice)
    assert state(page)["stats"]["welcomes"] == 1

    pages.server.stop()  # every socket drops
    wait_for(page, "s.connection.world === 'reconnecting'")
    assert page.locator("#connection").inner_text() == "Reconnecting…"
    pages.server.start()
    wait_for(page, "s.stats.welcomes === 2 && s.connection.world === 'open'", timeout=30000)
    wait_for(page, "s.connection.chat === 'open' && s.connection.signal === 'open'", timeout=30000)
    assert page.locator("#connection").inner_text() == ""

    # The world goes on: Bob comes in and sees her walk.
    place(bob, demo_worlds["demo"], 28.5, 27.5)
    bob_page = pages.enter(bob)
    page.locator("#world-canvas").focus()
    hold(page, "ArrowUp", "s.me.y < 25.8")
    wait_for(bob_page, "s.players.some((p) => p.id === arg && p.y < 25.9)", alice.pk)


# --- a phone -----------------------------------------------------------------------------------

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def test_on_a_phone_the_map_fills_the_screen_and_a_tap_walks_around_walls(pages, demo_worlds, alice):
    # Below a block of furniture; the tapped tile is right above it.
    place(alice, demo_worlds["demo"], 21.5, 25.5)
    page = pages.enter(alice, **PHONE)
    canvas = page.locator("#world-canvas")
    size = canvas.evaluate("(canvas) => [canvas.width, canvas.clientWidth]")
    assert size == [390 * 3, 390]  # one canvas pixel per device pixel
    assert page.locator("#chat").is_hidden()

    point = page.evaluate("window.metaverse.view.pointOfTile(21, 20)")
    canvas.tap(position={"x": point["x"], "y": point["y"] - canvas.bounding_box()["y"]})
    wait_for(page, "Math.floor(s.me.x) === 21 && Math.floor(s.me.y) === 20 && !s.me.moving")
    assert state(page)["stats"]["corrections"] == 0  # the server agreed with every step
    screenshot(page, "phone.png")

    page.locator("#chat-toggle").tap()
    assert page.locator("#chat").is_visible()
    screenshot(page, "phone-chat.png")


# --- rendering ---------------------------------------------------------------------------------

CROWD = """({ me, count }) => {
  const world = window.metaverse.world;
  const players = [];
  for (let index = 0; index < count; index += 1) {
    const x = me.x - 6 + (index % 10) * 1.2;
    const y = me.y - 4.5 + Math.floor(index / 10) * 0.9;
    players.push({ id: 900000 + index, name: `Walker ${index}`, avatar: 'ada', avatar_url: me.avatar_url,
                   status: ['available', 'busy', 'dnd', 'away'][index % 4], x, y, dir: 'down', moving: true, seq: 1 });
  }
  world.handle({ type: 'tick', t: Date.now(), entered: players });
  let step = 0;
  window.crowd = setInterval(() => {
    step += 1;
    const moved = players.map((p) => [p.id, p.x + Math.sin(step / 5 + p.id) * 0.5, p.y, 'right', true, step + 1]);
    world.handle({ type: 'tick', t: Date.now(), moved });
  }, 100);
}"""


def test_frame_rate_with_a_hundred_players_in_view(pages, demo_worlds, alice):
    place(alice, demo_worlds["demo"], 33.5, 26.5)
    page = pages.enter(alice)
    me = page.evaluate("window.metaverse.store.state.me")
    page.evaluate(CROWD, {"me": me, "count": 100})
    page.evaluate("window.metaverse.view.resetStats()")
    page.wait_for_timeout(3000)  # measuring: the only fixed wait in this module
    stats = state(page)["stats"]
    page.evaluate("clearInterval(window.crowd)")
    assert stats["inView"] >= 100
    report = {
        "players_in_view": stats["inView"],
        "fps": stats["fps"],
        "frame_ms": stats["frameMs"],
        "draw_ms": stats["drawMs"],
        "scale": stats["scale"],
        "viewport": DESKTOP,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "frame-rate.json").write_text(json.dumps(report, indent=2))
    print(f"frame rate with {stats['inView']} players in view: {json.dumps(report)}")
    screenshot(page, "hundred-players.png")


def test_reporting_a_message_and_a_player_reaches_the_moderators_queue(pages, demo_worlds, alice, bob):
    from moderation.models import Report

    place(alice, demo_worlds["demo"], 24.5, 27.5)
    place(bob, demo_worlds["demo"], 25.5, 27.5)  # next to each other: a call, so a video tile
    alice_page = pages.enter(alice)
    bob_page = pages.enter(bob)
    wait_for(bob_page, "s.connection.chat === 'open'")
    bob_page.locator("#chat-input").fill("buy cheap pills")
    bob_page.locator("#chat-input").press("Enter")

    message = alice_page.locator(".chat-log .msg", has_text="buy cheap pills")
    message.wait_for(timeout=WAIT_MS)
    assert bob_page.locator(".chat-log .msg .msg-report").count() == 0  # nobody reports themselves
    message.locator(".msg-report").click()
    dialog = alice_page.locator("#report-dialog")
    assert "Report a message from Bob" in dialog.locator("h2").inner_text()
    dialog.locator("button[type=submit]").click()
    assert dialog.locator(".report-status").inner_text() == "Say what happened first."
    dialog.locator("#report-reason").fill("spam in the world chat")
    dialog.locator("button[type=submit]").click()
    dialog.locator(".report-status", has_text="Thank you").wait_for(timeout=WAIT_MS)

    tile = alice_page.locator(f'.video-tile.remote[data-peer="{bob.pk}"]')
    tile.wait_for(timeout=WAIT_MS)
    dialog.wait_for(state="hidden", timeout=WAIT_MS)
    tile.locator(".tile-report").click()
    assert dialog.locator("h2").inner_text() == "Report Bob"
    dialog.locator("#report-reason").fill("shouting at everyone")
    dialog.locator("button[type=submit]").click()
    dialog.locator(".report-status", has_text="Thank you").wait_for(timeout=WAIT_MS)

    reports = list(Report.objects.order_by("pk").values_list("reporter_id", "reported_id", "reason", "message__text"))
    assert reports == [
        (alice.pk, bob.pk, "spam in the world chat", "buy cheap pills"),
        (alice.pk, bob.pk, "shouting at everyone", None),
    ]
