"""Reaching people and keeping them away, in real Chromium pages against a real server process:
the people panel lists someone out of view, and Locate, Walk to, Follow and Message reach them;
blocking someone in a call ends it on both pages at once and takes their messages out of the
chat; the chat's Zone tab is the zone you stand in."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from chat.models import Block
from frontend.tests.browser import (  # noqa: F401 - fixtures
    ASYNC_UNSAFE,
    REMOTE_VIDEO_PLAYS,
    WAIT_MS,
    Pages,
    browser,
    click_tile,
    connected,
    hold,
    inspect,
    orm_beside_playwright,
    pages,
    place,
    server,
    tile,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


def test_blocking_someone_in_a_call_ends_it_at_once_and_hides_their_messages(pages: Any, demo_worlds, alice, bob):  # noqa: F811
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 26.5, 27.5, "left")  # within the talk radius: a call at once
    alice_page, bob_page = pages.enter(alice), pages.enter(bob)
    for page, other in ((alice_page, bob), (bob_page, alice)):
        page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=other.pk, timeout=WAIT_MS)
    connected(alice_page, "chat")
    alice_page.locator("#chat-input").fill("you again?")
    alice_page.locator("#chat-input").press("Enter")
    said = bob_page.locator(".chat-log .msg", has_text="you again?")
    said.wait_for(timeout=WAIT_MS)

    bob_page.once("dialog", lambda dialog: dialog.accept())  # "Block Alice? …"
    tile(bob_page, alice).get_by_role("button", name="More: report or block").click()
    tile(bob_page, alice).get_by_role("menuitem", name="Block").click()
    said.wait_for(state="detached", timeout=2000)  # gone from his open chat, no reload
    for page, other in ((bob_page, alice), (alice_page, bob)):  # the call ends on both pages
        tile(page, other).wait_for(state="detached", timeout=3000)
        wait_for(page, "!s.calls.p2p.includes(arg)", other.pk, timeout=3000)
    assert Block.objects.filter(blocker=bob, blocked=alice).exists()

    # Still side by side: no call comes back, and what she says no longer reaches him.
    alice_page.locator("#chat-input").fill("hello?")
    alice_page.locator("#chat-input").press("Enter")
    alice_page.locator(".chat-log .msg", has_text="hello?").wait_for(timeout=WAIT_MS)
    bob_page.wait_for_timeout(1500)
    assert bob_page.locator(".chat-log .msg", has_text="hello?").count() == 0
    assert tile(bob_page, alice).count() == 0
    assert inspect(bob_page)["calls"]["p2p"] == []


def test_a_display_name_is_shown_as_text_in_chat_tiles_and_the_people_list(pages: Any, demo_worlds, alice, bob):  # noqa: F811
    from players.models import Player

    hostile = '<img src=x onerror="window.pwned=1">'
    Player.objects.filter(user=bob).update(display_name=hostile)  # as if a check had let it through
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 26.5, 27.5, "left")
    alice_page, bob_page = pages.enter(alice), pages.enter(bob)
    connected(bob_page, "chat")
    bob_page.locator("#chat-input").fill("hello")
    bob_page.locator("#chat-input").press("Enter")
    message = alice_page.locator(".chat-log .msg", has_text="hello")
    message.wait_for(timeout=WAIT_MS)
    assert hostile in message.inner_text()
    tile(alice_page, bob).locator(".tile-name", has_text=hostile).wait_for(timeout=WAIT_MS)
    alice_page.locator("#people li", has_text=hostile).wait_for(state="attached", timeout=WAIT_MS)
    assert alice_page.locator("#app img[src=x], .chat-log img, #videos img").count() == 0
    assert alice_page.evaluate("window.pwned") is None


@pytest.fixture
def small_view_pages(browser: Any, demo_worlds: dict[str, Any], server_factory: Any):  # noqa: F811
    """Pages on a server whose interest window is one cell of 10×10 tiles: across the demo
    campus, people are out of each other's view."""
    served = server_factory({ASYNC_UNSAFE: "", "WORLD_AOI_RADIUS": "0"}, name="small-view")
    opened = Pages(browser, served)
    yield opened
    opened.close()
    assert not opened.errors, f"uncaught errors in the page: {opened.errors}"


def person_row(page: Any, user: Any) -> Any:
    return page.locator(f'#people-panel li.person[data-player="{user.pk}"]')


def test_the_people_panel_finds_someone_out_of_view_and_reaches_them(small_view_pages, demo_worlds, alice, bob, carol):
    from players.models import Player

    Player.objects.filter(user=carol).update(status="dnd")
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    place(bob, demo_worlds["demo"], 60.5, 5.5)  # in the Blue Room, far off
    place(carol, demo_worlds["demo"], 40.5, 27.5)
    alice_page, bob_page = small_view_pages.enter(alice), small_view_pages.enter(bob)
    small_view_pages.enter(carol)
    connected(alice_page, "world", "chat")
    assert bob.pk not in [player["id"] for player in inspect(alice_page)["players"]]  # out of view

    alice_page.locator("#people-button").click()
    expect(alice_page.locator("#people-button")).to_have_attribute("aria-expanded", "true")
    expect(person_row(alice_page, bob)).to_contain_text("Bob")
    expect(person_row(alice_page, bob)).to_contain_text("available")
    blue_room = alice_page.locator(".people-zone").filter(has=alice_page.get_by_role("heading", name="Blue Room (1)"))
    expect(blue_room.locator(f'li.person[data-player="{bob.pk}"]')).to_have_count(1)
    expect(person_row(alice_page, carol)).to_contain_text("do not disturb")  # in words, not colour only
    alice_page.locator("#people-search").fill("car")
    expect(alice_page.locator("#people-panel li.person")).to_have_count(1)
    alice_page.locator("#people-search").fill("")

    # Locate: where she is told, and carol refuses.
    person_row(alice_page, bob).get_by_role("button", name="Locate Bob").click()
    alice_page.locator(".notice", has_text="Bob is in Blue Room.").wait_for(timeout=WAIT_MS)
    person_row(alice_page, carol).get_by_role("button", name="Locate Carol").click()
    alice_page.locator(".notice", has_text="Carol is on do not disturb").wait_for(timeout=WAIT_MS)

    # Walk to: alice walks across the campus to a free tile beside bob.
    person_row(alice_page, bob).get_by_role("button", name="Walk to Bob").click()
    wait_for(alice_page, "Math.hypot(s.me.x - 60.5, s.me.y - 5.5) < 2", timeout=30000)

    # Follow: bob walks off, alice comes along; her own step stops it.
    person_row(alice_page, bob).get_by_role("button", name="Follow Bob").click()
    bob_page.bring_to_front()  # the page in front has the keyboard
    bob_page.locator("#world-canvas").focus()
    hold(bob_page, "ArrowDown", "s.me.y > 7.6")  # below the table, then along it to the west wall
    hold(bob_page, "ArrowLeft", "s.me.x < 56.6")
    wait_for(alice_page, "Math.hypot(s.me.x - arg.x, s.me.y - arg.y) < 2.2", inspect(bob_page)["me"], timeout=WAIT_MS)
    expect(person_row(alice_page, bob).get_by_role("button", name="Stop following Bob")).to_be_visible()
    alice_page.bring_to_front()
    alice_page.locator("#world-canvas").focus()
    hold(alice_page, "ArrowDown", "s.me.y > arg", inspect(alice_page)["me"]["y"] + 0.3)
    expect(person_row(alice_page, bob).get_by_role("button", name="Follow Bob")).to_be_visible()

    # Message: a direct message to someone picked in the panel.
    person_row(alice_page, bob).get_by_role("button", name="Write to Bob").click()
    expect(alice_page.locator("#chat-to")).to_have_value(str(bob.pk))
    alice_page.locator("#chat-input").fill("found you")
    alice_page.locator("#chat-input").press("Enter")
    bob_page.locator("#chat-tab-direct").click()
    bob_page.locator(".chat-log .msg", has_text="found you").wait_for(timeout=WAIT_MS)


def test_the_zone_tab_follows_the_zone_you_are_in(pages: Any, demo_worlds, alice):  # noqa: F811
    place(alice, demo_worlds["demo"], 31.5, 31.5)  # in the Lobby, by the door to the Garden
    page = pages.enter(alice)
    connected(page, "chat")
    page.locator("#chat-tab-zone").click()
    page.locator("#chat-input").fill("lobby folks")
    page.locator("#chat-input").press("Enter")
    page.locator(".chat-log .msg", has_text="lobby folks").wait_for(timeout=WAIT_MS)
    click_tile(page, 32, 35)  # through the door, into the Garden
    expect(page.locator("#zone-label")).to_contain_text("Garden", timeout=WAIT_MS)
    expect(page.locator(".chat-log .msg", has_text="lobby folks")).to_have_count(0)
    expect(page.locator("#chat-input")).to_have_attribute("placeholder", re.compile("Garden"))
    page.locator("#chat-input").fill("garden folks")
    page.locator("#chat-input").press("Enter")
    page.locator(".chat-log .msg", has_text="garden folks").wait_for(timeout=WAIT_MS)
    click_tile(page, 32, 31)  # back in the Lobby: its messages again
    page.locator(".chat-log .msg", has_text="lobby folks").wait_for(timeout=WAIT_MS)
    expect(page.locator(".chat-log .msg", has_text="garden folks")).to_have_count(0)


def test_a_knock_asks_someone_far_away_to_come_over_and_they_walk_to_you(small_view_pages, demo_worlds, alice, bob):
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    place(bob, demo_worlds["demo"], 40.5, 27.5)  # across the Lobby: out of view
    alice_page, bob_page = small_view_pages.enter(alice), small_view_pages.enter(bob)
    connected(alice_page, "world")
    connected(bob_page, "world")
    alice_page.locator("#people-button").click()
    person_row(alice_page, bob).get_by_role("button", name="Knock for Bob").click()
    alice_page.locator(".notice", has_text="You knocked. Bob will be asked to come over.").wait_for(timeout=WAIT_MS)
    knock = bob_page.get_by_role("alertdialog", name="Alice is knocking")
    expect(knock).to_contain_text("Alice asks you to come over.")
    knock.get_by_role("button", name="Go to Alice").click()
    alice_page.locator(".notice", has_text="Bob is on their way.").wait_for(timeout=WAIT_MS)
    wait_for(bob_page, "Math.hypot(s.me.x - 24.5, s.me.y - 27.5) < 2", timeout=20000)


def test_a_nearby_message_shows_over_its_sender_for_a_few_seconds(pages: Any, demo_worlds, alice, bob):  # noqa: F811
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    place(bob, demo_worlds["demo"], 27.5, 27.5)
    alice_page, bob_page = pages.enter(alice), pages.enter(bob)
    connected(alice_page, "chat")
    connected(bob_page, "world")
    alice_page.locator("#chat-tab-nearby").click()
    alice_page.locator("#chat-input").fill("coffee, anyone?")
    alice_page.locator("#chat-input").press("Enter")
    said = [{"id": alice.pk, "text": "coffee, anyone?"}]
    wait_for(bob_page, "JSON.stringify(s.bubbles) === JSON.stringify(arg)", said)
    wait_for(alice_page, "JSON.stringify(s.bubbles) === JSON.stringify(arg)", said)  # over our own head too
    wait_for(bob_page, "s.bubbles.length === 0", timeout=10000)  # gone after a few seconds


def test_a_reaction_shows_over_the_avatar_to_everyone_in_view(pages: Any, demo_worlds, alice, bob):  # noqa: F811
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    place(bob, demo_worlds["demo"], 30.5, 27.5)  # in view, not in a call
    alice_page, bob_page = pages.enter(alice), pages.enter(bob)
    connected(alice_page, "world")
    wait_for(bob_page, "s.players.some((p) => p.id === arg)", alice.pk)
    alice_page.get_by_role("button", name="React").click()
    alice_page.get_by_role("group", name="Reactions").get_by_role("button", name="Wave").click()
    waved = [{"id": alice.pk, "emote": "wave"}]
    wait_for(bob_page, "JSON.stringify(s.emotes) === JSON.stringify(arg)", waved)
    wait_for(alice_page, "JSON.stringify(s.emotes) === JSON.stringify(arg)", waved)
    expect(alice_page.get_by_role("group", name="Reactions")).to_be_hidden()
    wait_for(bob_page, "s.emotes.length === 0", timeout=9000)  # for a few seconds


def test_zoom_buttons_the_wheel_and_the_minimap(pages: Any, demo_worlds, alice):  # noqa: F811
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    page = pages.enter(alice)
    connected(page, "world")
    wait_for(page, "s.frames.frames > 0")
    scale = inspect(page)["frames"]["scale"]
    page.get_by_role("button", name="Zoom in").click()
    wait_for(page, "s.frames.zoom === 1 && s.frames.scale === arg", scale + 1)
    page.locator("#world-canvas").hover()
    page.mouse.wheel(0, 120)  # down: out
    wait_for(page, "s.frames.zoom === 0 && s.frames.scale === arg", scale)
    page.get_by_role("button", name="Zoom out").click()
    wait_for(page, "s.frames.zoom === -1")

    minimap = page.get_by_role("img", name="Map of the whole world; click a place to look at it")
    expect(minimap).to_be_visible()
    box = minimap.bounding_box()
    minimap.click(position={"x": box["width"] * 0.85, "y": box["height"] * 0.15})  # the north-east: the meeting rooms
    looked = wait_for(page, "s.frames.spot").json_value()
    assert looked["x"] > 55, looked
    assert looked["y"] < 10, looked
    page.get_by_role("button", name="Map").click()
    expect(minimap).to_be_hidden()


def test_the_first_visit_guide_shows_once_per_account(pages: Any, demo_worlds):  # noqa: F811
    from conftest import make_user

    newcomer = make_user("nina", guide=True)
    page = pages.enter(newcomer)
    guide = page.get_by_role("dialog", name="Welcome! Here is how it works")
    expect(guide).to_contain_text("Walk with the arrow keys")
    expect(guide).to_contain_text("Walk up to someone to talk")
    expect(page.get_by_role("button", name="Got it")).to_be_focused()
    page.get_by_role("button", name="Got it").click()
    expect(guide).to_be_hidden()
    wait_for(page, "true")
    page.wait_for_function(
        "async () => (await (await fetch('/api/players/me/')).json()).guide_seen === true", timeout=WAIT_MS
    )
    again = pages.enter(newcomer)  # another visit, another browser: not again
    again.wait_for_timeout(500)
    expect(again.get_by_role("dialog", name="Welcome! Here is how it works")).to_have_count(0)


def test_the_call_dock_says_who_is_in_the_call_folds_away_and_keeps_your_avatar_in_view(
    pages: Any,  # noqa: F811
    demo_worlds,
    alice,
    bob,
):
    place(alice, demo_worlds["demo"], 56.5, 2.5)  # the top row of the Blue Room, under where the dock is
    place(bob, demo_worlds["demo"], 57.5, 2.5)
    alice_page, bob_page = pages.enter(alice), pages.enter(bob)
    alice_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=bob.pk, timeout=WAIT_MS)
    bar = alice_page.locator("#call-bar")
    expect(bar).to_contain_text("In a call with Bob")
    dock_bottom = alice_page.locator("#videos").bounding_box()
    avatar = alice_page.evaluate("window.metaverse.pointOfTile(56, 2)")
    assert avatar["y"] > dock_bottom["y"] + dock_bottom["height"], (avatar, dock_bottom)  # not under the tiles
    bar.get_by_role("button", name="Hide video").click()
    expect(alice_page.locator("#videos")).to_be_hidden()
    expect(bar.get_by_role("button", name="Show video")).to_have_attribute("aria-expanded", "false")
    bob_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=alice.pk, timeout=WAIT_MS)  # the call goes on
    bar.get_by_role("button", name="Show video").click()
    expect(tile(alice_page, bob)).to_be_visible()


def test_leaving_a_call_ends_it_until_you_walk_away_or_rejoin(pages: Any, demo_worlds, alice, bob):  # noqa: F811
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 26.5, 27.5, "left")
    alice_page, bob_page = pages.enter(alice), pages.enter(bob)
    alice_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=bob.pk, timeout=WAIT_MS)
    bar = alice_page.locator("#call-bar")
    bar.get_by_role("button", name="Leave call").click()
    for page, other in ((alice_page, bob), (bob_page, alice)):
        tile(page, other).wait_for(state="detached", timeout=3000)
    expect(bar).to_contain_text("You stepped out of calls")
    wait_for(bob_page, "s.players.some((p) => p.id === arg && p.status === 'busy')", alice.pk)  # shown busy
    bar.get_by_role("button", name="Rejoin calls").click()
    alice_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=bob.pk, timeout=WAIT_MS)
    wait_for(bob_page, "s.players.some((p) => p.id === arg && p.status === 'available')", alice.pk)

    bar.get_by_role("button", name="Leave call").click()  # again, and this time walk off and back
    tile(alice_page, bob).wait_for(state="detached", timeout=3000)
    alice_page.bring_to_front()
    alice_page.locator("#world-canvas").focus()
    hold(alice_page, "ArrowLeft", "s.me.x < 21")
    expect(bar).to_be_hidden()  # more than 3 tiles away: back in calls (nobody near)
    hold(alice_page, "ArrowRight", "s.me.x > 24.3")
    alice_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=bob.pk, timeout=WAIT_MS)


def test_direct_messages_are_one_thread_per_person(pages: Any, demo_worlds, alice, bob, carol):  # noqa: F811
    for user, x in ((alice, 24.5), (bob, 26.5), (carol, 28.5)):
        place(user, demo_worlds["demo"], x, 27.5)
    alice_page = pages.enter(alice)
    senders = {user.pk: pages.enter(user) for user in (bob, carol)}
    connected(alice_page, "chat")
    for user, text in ((bob, "from bob"), (carol, "from carol")):
        page = senders[user.pk]
        connected(page, "chat")
        page.locator("#chat-tab-direct").click()
        page.locator("#chat-to").select_option(str(alice.pk))
        page.locator("#chat-input").fill(text)
        page.locator("#chat-input").press("Enter")
        page.locator(".chat-log .msg", has_text=text).wait_for(timeout=WAIT_MS)
    alice_page.locator("#chat-tab-direct").click()
    alice_page.locator("#chat-to").select_option(str(bob.pk))
    alice_page.locator(".chat-log .msg", has_text="from bob").wait_for(timeout=WAIT_MS)
    expect(alice_page.locator(".chat-log .msg", has_text="from carol")).to_have_count(0)
    alice_page.locator("#chat-input").fill("hi bob")
    alice_page.locator("#chat-input").press("Enter")
    alice_page.locator(".chat-log .msg", has_text="hi bob").wait_for(timeout=WAIT_MS)
    alice_page.locator("#chat-to").select_option(str(carol.pk))
    alice_page.locator(".chat-log .msg", has_text="from carol").wait_for(timeout=WAIT_MS)
    expect(alice_page.locator(".chat-log .msg")).to_have_count(1)  # neither bob's nor hers to bob


COUNT_MEDIA_REQUESTS = """
window.mediaRequests = 0;
const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (constraints) => { window.mediaRequests += 1; return ask(constraints); };
"""


def test_the_camera_and_microphone_are_asked_for_when_the_first_call_needs_them(pages: Any, demo_worlds, alice, bob):  # noqa: F811
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 30.5, 27.5, "left")  # in view, not in reach
    page = pages.new(alice)
    page.add_init_script(COUNT_MEDIA_REQUESTS)
    pages.open(page)
    connected(page, "world", "signal")
    page.wait_for_timeout(1000)
    assert page.evaluate("window.mediaRequests") == 0  # arriving asks nothing
    expect(page.locator("#mute-button")).to_have_text("Mic on")  # what calls will start with
    page.locator("#mute-button").click()
    expect(page.locator("#mute-button")).to_have_text("Mic off")
    page.locator("#mute-button").click()
    bob_page = pages.enter(bob)
    bob_page.bring_to_front()
    bob_page.locator("#world-canvas").focus()
    hold(bob_page, "ArrowLeft", "s.me.x < 27")  # within reach: the first call
    page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=bob.pk, timeout=WAIT_MS)
    assert page.evaluate("window.mediaRequests") >= 1
    bob_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=alice.pk, timeout=WAIT_MS)  # her camera, asked for then
