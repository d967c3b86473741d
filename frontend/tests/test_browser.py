"""The world page in a real Chromium (Playwright, Debian's /usr/bin/chromium) against a real
server process: joining, walking, seeing each other, chat, calls, reconnecting, a phone.

The tests look at the page as a person does: text, roles, labels, what is shown or hidden.
Only what nobody can read off the page (positions while walking, how often the page was welcomed
or corrected, the frame rate, the ICE servers it holds) comes from its read-only test hook,
`window.metaverse.inspect()` (main.js).

Screenshots and the measured frame rate land in test-artifacts/. With
METAVERSE_README_SCREENSHOT=1 the call test also writes docs/screenshot.png.
"""

import json
import math
import os
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from frontend.tests.browser import (
    ARTIFACTS,
    ASYNC_UNSAFE,
    DESKTOP,
    PHONE,
    README_SCREENSHOT,
    REMOTE_VIDEO_PLAYS,
    WAIT_MS,
    Pages,
    click_tile,
    connected,
    distinct_colours,
    entered,
    hold,
    inspect,
    notices,
    person,
    place,
    screenshot,
    tile,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


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
    entered(page)
    expect(page.locator("#people li").first).to_have_text("Gus (you), guest", timeout=WAIT_MS)
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
    expect(person(alice_page, bob)).to_have_text("Bob", timeout=WAIT_MS)
    expect(person(bob_page, alice)).to_have_text("Alice", timeout=WAIT_MS)
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
        {"id": alice.pk, "y": inspect(alice_page)["me"]["y"]},
    ).json_value()
    # Drawn where she is once the glide between updates is over.
    wait_for(bob_page, "s.players.some((p) => p.id === arg.id && Math.abs(p.ry - arg.y) < 1e-6)", seen)
    assert inspect(alice_page)["stats"]["corrections"] == 0

    # Bob goes busy and changes his name in his menu; Alice's page shows it.
    bob_page.locator("#menu-button").focus()
    bob_page.keyboard.press("Enter")
    bob_page.locator("#menu-status").select_option("busy")
    bob_page.get_by_label("Display name").fill("Bobby")
    bob_page.get_by_role("button", name="Save").click()
    expect(person(alice_page, bob)).to_have_text("Bobby, busy", timeout=WAIT_MS)
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
    entered(page)
    assert page.locator(".world-title").inner_text() == demo_worlds["annex"].name
    assert "entry=" not in page.url  # a reload brings her back where she stands, not to the entry


# --- chat --------------------------------------------------------------------------------------


def test_two_browsers_chat_with_links_as_links_and_html_as_text(pages, demo_worlds, alice, bob, carol):
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    place(bob, demo_worlds["demo"], 28.5, 27.5)
    alice_page = pages.enter(alice)
    bob_page = pages.enter(bob)
    connected(alice_page, "chat")
    person(alice_page, bob).wait_for(state="attached", timeout=WAIT_MS)
    connected(bob_page, "chat")

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
    bob_page.get_by_role("tab", name="Direct, 1 unread").wait_for(timeout=WAIT_MS)
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


def test_walking_up_to_someone_starts_a_call_and_walking_apart_ends_it(pages, demo_worlds, alice, bob):
    from players.models import Avatar, Player

    Player.objects.filter(user=bob).update(avatar=Avatar.objects.get(slug="ben"))
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 30.5, 27.5, "left")
    alice_page = pages.enter(alice)
    bob_page = pages.enter(bob)
    for page in (alice_page, bob_page):
        expect(page.locator("#mute-button")).to_have_text("Mic on", timeout=WAIT_MS)  # camera and mic allowed
        connected(page, "signal")
    assert alice_page.locator(".video-tile").count() == 0

    # Alice clicks the tile next to Bob and walks there.
    click_tile(alice_page, 29, 27)
    tile(alice_page, bob).wait_for(timeout=WAIT_MS)
    alice_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=bob.pk, timeout=WAIT_MS)
    bob_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=alice.pk, timeout=WAIT_MS)
    expect(tile(alice_page, bob)).not_to_have_class(re.compile(r"\bconnecting\b"), timeout=WAIT_MS)
    assert tile(alice_page, bob).locator(".tile-name").inner_text() == "Bob"
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
    alice_page.get_by_role("tab", name="Nearby, 1 unread").wait_for(timeout=WAIT_MS)
    alice_page.locator("#chat-tab-nearby").click()
    alice_page.locator(".chat-log .msg", has_text="Coffee later?").wait_for(timeout=WAIT_MS)
    alice_page.get_by_role("button", name="People", exact=True).click()  # the README's picture shows it too
    alice_page.locator(f'#people-panel li.person[data-player="{bob.pk}"]').wait_for(timeout=WAIT_MS)
    path = screenshot(alice_page, "call.png")
    alice_page.get_by_role("button", name="People", exact=True).click()
    if os.environ.get("METAVERSE_README_SCREENSHOT"):
        README_SCREENSHOT.write_bytes(path.read_bytes())
        print(f"screenshot: {README_SCREENSHOT}")

    # Walking apart hangs up on both sides.
    alice_page.locator("#world-canvas").focus()
    hold(alice_page, "ArrowLeft", "s.me.x < 25")
    alice_page.locator(".video-tile").first.wait_for(state="detached", timeout=WAIT_MS)
    bob_page.locator(".video-tile").first.wait_for(state="detached", timeout=WAIT_MS)
    assert alice_page.locator(".video-tile").count() == 0
    assert bob_page.locator(".video-tile").count() == 0


def test_arriving_next_to_someone_calls_them(pages, demo_worlds, alice, bob):
    """Alice makes the offer (lower id) the moment Bob appears, before his signal socket is open,
    so the first one is lost; she sends it again until answered."""
    assert alice.pk < bob.pk
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 25.5, 27.5, "left")
    alice_page = pages.enter(alice)
    connected(alice_page, "signal")
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
        wait_for(page, "s.ice.turn === 'issued'")
        [relay] = inspect(page)["ice"]["servers"]
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
    assert inspect(page)["stats"]["welcomes"] == 1

    pages.server.stop()  # every socket drops
    page.locator('#connection[data-world="reconnecting"]').wait_for(timeout=WAIT_MS)
    assert page.locator("#connection").inner_text() == "Reconnecting…"
    pages.server.start()
    wait_for(page, "s.stats.welcomes === 2", timeout=30000)
    page.locator('#connection[data-world="open"][data-chat="open"][data-signal="open"]').wait_for(
        state="attached", timeout=30000
    )
    assert page.locator("#connection").inner_text() == ""

    # The world goes on: Bob comes in and sees her walk.
    place(bob, demo_worlds["demo"], 28.5, 27.5)
    bob_page = pages.enter(bob)
    page.locator("#world-canvas").focus()
    hold(page, "ArrowUp", "s.me.y < 25.8")
    wait_for(bob_page, "s.players.some((p) => p.id === arg && p.y < 25.9)", alice.pk)


# --- a phone -----------------------------------------------------------------------------------


def test_on_a_phone_the_map_fills_the_screen_and_a_tap_walks_around_walls(pages, demo_worlds, alice):
    # Below a block of furniture; the tapped tile is right above it.
    place(alice, demo_worlds["demo"], 21.5, 25.5)
    page = pages.enter(alice, **PHONE)
    canvas = page.locator("#world-canvas")
    size = canvas.evaluate("(canvas) => [canvas.width, canvas.clientWidth]")
    assert size == [390 * 3, 390]  # one canvas pixel per device pixel
    assert page.locator("#chat").is_hidden()

    click_tile(page, 21, 20, tap=True)
    wait_for(page, "Math.floor(s.me.x) === 21 && Math.floor(s.me.y) === 20 && !s.me.moving")
    assert inspect(page)["stats"]["corrections"] == 0  # the server agreed with every step
    screenshot(page, "phone.png")

    page.locator("#chat-toggle").tap()
    assert page.locator("#chat").is_visible()
    screenshot(page, "phone-chat.png")


# --- rendering ---------------------------------------------------------------------------------

CROWD = 100
STATUSES = ["available", "busy", "dnd", "away"]
TICK_MS = 100  # how often the crowd moves (players send about ten moves a second)
# WorldView measures over its last 240 frames (STATS_FRAMES) and publishes every 30: wait for a
# published window that holds only frames drawn with the crowd in view.
MEASURED_FRAMES = 240 + 30


def world_socket_route(page: Any) -> list[Any]:
    """Route the page's world socket through the test (Playwright's WebSocketRoute), still connected
    to the server: the test can add messages as if the server sent them."""
    routes: list[Any] = []

    def route(socket: Any) -> None:
        socket.connect_to_server()
        routes.append(socket)

    page.route_web_socket(re.compile(r"/ws/world/"), route)
    return routes


def test_a_hundred_walkers_in_view_are_each_drawn_where_their_last_tick_put_them(pages, demo_worlds, alice):
    """A hundred walkers come and move in the server's own `tick` messages, added to the page's
    real world socket: the renderer follows each of them without a hundred real connections. The
    frame rate it kept is written to test-artifacts/frame-rate.json (a measurement, not a bar)."""
    place(alice, demo_worlds["demo"], 33.5, 26.5)
    page = pages.new(alice)
    routes = world_socket_route(page)
    pages.open(page)
    me = inspect(page)["me"]
    walkers = [
        {
            "id": 900000 + index,
            "name": f"Walker {index}",
            "avatar": "ada",
            "avatar_url": me["avatar_url"],
            "status": STATUSES[index % 4],
            "x": me["x"] - 6 + (index % 10) * 1.2,
            "y": me["y"] - 4.5 + (index // 10) * 0.9,
            "dir": "down",
            "moving": True,
            "seq": 1,
        }
        for index in range(CROWD)
    ]
    world = routes[-1]
    world.send(json.dumps({"type": "tick", "t": int(time.time() * 1000), "entered": walkers}))
    wait_for(page, "s.players.length >= arg", CROWD)
    until = inspect(page)["frames"]["frames"] + MEASURED_FRAMES
    deadline = time.monotonic() + 90
    step = 0
    while True:
        step += 1
        moved = [
            [walker["id"], walker["x"] + math.sin(step / 5 + walker["id"]) * 0.5, walker["y"], "right", True, step + 1]
            for walker in walkers
        ]
        last = {walker_id: (x, y) for walker_id, x, y, *_ in moved}
        world.send(json.dumps({"type": "tick", "t": int(time.time() * 1000), "moved": moved}))
        page.wait_for_timeout(TICK_MS)  # the crowd's pace, while the page draws it
        if step % 10 == 0:  # looking costs the page a little: not on every tick
            stats = inspect(page)["frames"]
            if stats["frames"] >= until:
                break
            assert time.monotonic() < deadline, f"only {stats['frames']} of {until} frames drawn"
    # They stop: each is drawn where its last tick put it, standing, facing the way it went.
    world.send(json.dumps({"type": "tick", "t": int(time.time() * 1000), "moved": [
        [walker_id, x, y, "right", False, step + 2] for walker_id, (x, y) in last.items()
    ]}))  # fmt: skip
    wait_for(page, "s.players.filter((p) => p.id >= 900000 && !p.moving).length >= arg", CROWD)
    wait_for(page, "s.players.every((p) => p.id < 900000 || Math.hypot(p.rx - p.x, p.ry - p.y) < 1e-6)")
    drawn = {player["id"]: player for player in inspect(page)["players"] if player["id"] >= 900000}
    assert sorted(drawn) == sorted(last)
    for walker_id, (x, y) in last.items():
        assert (drawn[walker_id]["rx"], drawn[walker_id]["ry"]) == pytest.approx((x, y), abs=1e-6)
        assert drawn[walker_id]["dir"] == "right"
    stats = inspect(page)["frames"]
    assert stats["inView"] >= CROWD
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
    connected(bob_page, "chat")
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

    tile(alice_page, bob).wait_for(timeout=WAIT_MS)
    dialog.wait_for(state="hidden", timeout=WAIT_MS)
    tile(alice_page, bob).get_by_role("button", name="More: report or block").click()  # the tile's menu
    tile(alice_page, bob).get_by_role("menuitem", name="Report").click()
    assert dialog.locator("h2").inner_text() == "Report Bob"
    dialog.locator("#report-reason").fill("shouting at everyone")
    dialog.locator("button[type=submit]").click()
    dialog.locator(".report-status", has_text="Thank you").wait_for(timeout=WAIT_MS)

    reports = list(Report.objects.order_by("pk").values_list("reporter_id", "reported_id", "reason", "message__text"))
    assert reports == [
        (alice.pk, bob.pk, "spam in the world chat", "buy cheap pills"),
        (alice.pk, bob.pk, "shouting at everyone", None),
    ]


# --- failures are said in the page --------------------------------------------------------------

REFUSE_CAMERA_AND_MICROPHONE = """
navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
"""


def test_a_refused_camera_and_microphone_is_said_and_the_world_still_works(pages, demo_worlds, alice):
    page = pages.new(alice)
    page.add_init_script(REFUSE_CAMERA_AND_MICROPHONE)  # as if the person said no to the prompt
    pages.open(page)
    # Asked when a call first needs them, or from Me at once: here, from Me.
    page.locator("#menu-button").click()
    page.get_by_role("tab", name="Camera and microphone").click()
    page.get_by_role("button", name="Set them up now").click()
    page.get_by_role("button", name="Close", exact=True).click()
    expect(notices(page)).to_contain_text("Camera and microphone are blocked for this site", timeout=WAIT_MS)
    expect(page.locator("#mute-button")).to_have_text("No mic")
    expect(page.locator("#mute-button")).to_be_disabled()
    expect(page.locator("#camera-button")).to_have_text("No camera")
    connected(page, "chat", "signal")


def signal_socket_route(page: Any, rewrite: Callable[[str], str] | None = None) -> list[Any]:
    """Route the page's signal socket through the test, still connected to the server; `rewrite`
    changes every message either way."""
    routes: list[Any] = []

    def route(socket: Any) -> None:
        server = socket.connect_to_server()
        if rewrite is not None:
            socket.on_message(lambda message: server.send(rewrite(message)))
            server.on_message(lambda message: socket.send(rewrite(message)))
        routes.append(socket)

    page.route_web_socket(re.compile(r"/ws/signal/"), route)
    return routes


def test_trouble_on_the_signal_socket_is_said_in_the_page(pages, demo_worlds, alice):
    page = pages.new(alice)
    routes = signal_socket_route(page)
    pages.open(page)
    connected(page, "signal")
    error = {"type": "error", "code": "unavailable", "message": "The server is busy; try again.", "to": 9}
    routes[-1].send(json.dumps({**error, "code": "not_in_contact"}))  # routine: someone walked away
    routes[-1].send(json.dumps(error))
    expect(notices(page)).to_contain_text("a call may not connect", timeout=WAIT_MS)
    assert "contact" not in notices(page).inner_text()


UNREACHABLE = "192.0.2.1"  # TEST-NET-1: never routed


def unreachable(message: str) -> str:
    """The signal message with every ICE candidate's address replaced by one nobody can reach."""
    data = json.loads(message)

    def rewrite(candidate: str) -> str:
        fields = candidate.split(" ")
        if len(fields) > 4:
            fields[4] = UNREACHABLE
        return " ".join(fields)

    if isinstance(data.get("candidate"), dict) and data["candidate"].get("candidate"):
        data["candidate"]["candidate"] = rewrite(data["candidate"]["candidate"])
    if isinstance(data.get("sdp"), str):
        data["sdp"] = re.sub(r"(?m)^a=(candidate:.*?)(\r?)$", lambda m: f"a={rewrite(m[1])}{m[2]}", data["sdp"])
    return json.dumps(data)


def test_a_call_that_cannot_connect_is_said_in_the_page(pages, demo_worlds, alice, bob):
    """Every ICE candidate Bob's page sends or gets names an address nobody can reach: the call
    fails (in about 15 s), and both pages say so."""
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 25.5, 27.5, "left")
    alice_page = pages.enter(alice)
    bob_page = pages.new(bob)
    signal_socket_route(bob_page, unreachable)
    pages.open(bob_page)
    tile(alice_page, bob).wait_for(timeout=WAIT_MS)
    for page, other in ((alice_page, "Bob"), (bob_page, "Alice")):
        expect(notices(page)).to_contain_text(f"The call with {other} could not connect.", timeout=60_000)
