"""Interactive areas on the world page (docs/protocol.md "areas"), in real Chromium pages against a
real server process, on world.tests.maps.interactive_map(): a website opens beside the map on
walking in (sandboxed as its origin deserves) and closes on walking out unless it is closable; an
action area offers its website (Space or a tap opens it); a site from an origin the operator did
not allow is a link; a sound plays inside its area and the Sounds button mutes it; a focus area
frames the camera; a stage shows a badge; on a phone the website is a sheet over the map."""

import io
import math
import re
import struct
import wave
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from frontend.tests.browser import (  # noqa: F401 - fixtures
    ASYNC_UNSAFE,
    PHONE,
    WAIT_MS,
    Pages,
    browser,
    click_tile,
    entered,
    inspect,
    orm_beside_playwright,
    place,
    screenshot,
    wait_for,
)
from frontend.tests.test_accessibility import serious_violations
from world.tests.maps import area, interactive_map, write_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALLOWED = "https://example.org"  # EMBED_ALLOWED_ORIGINS of the tests' server
ELSEWHERE = "https://elsewhere.example.net/page"  # an origin it does not allow
BOARD = "/w/room/about/"  # the notice board's page: this site
SHORT_MS = 5000
# Wide enough that the map keeps a few tiles on screen beside a website at half the screen and the chat.
WIDE = {"viewport": {"width": 1600, "height": 900}}
ELSEWHERE_PAGE = "<!doctype html><title>Elsewhere</title><p>A page from elsewhere</p>"
# What a page inside a frame may reach of ours: a frame without allow-same-origin has an opaque
# origin, so reading the cookies throws.
COOKIES = "() => { try { return typeof document.cookie; } catch (error) { return error.name; } }"
SOUND = "document.querySelector('audio.area-sound')"
PLAYING = f"() => {{ const audio = {SOUND}; return audio && !audio.paused && audio.currentTime > 0; }}"
STOPPED = f"() => {{ const audio = {SOUND}; return audio && audio.paused && audio.currentTime === 0; }}"


def ding(path: Path) -> None:
    """Half a second of a 440 Hz tone, as a WAV file (a sound Chromium decodes)."""
    rate = 8000
    frames = b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(rate // 2))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


@pytest.fixture
def room(tmp_path: Path, avatars: list[Any]) -> Any:
    """interactive_map() as the world `room`, its notice board on this site's /w/room/about/, its
    kitchen's sound a WAV file shipped with the map, and two more websites opened on walking in: a
    desk (6–7, 5) from the allowed origin, not closable, and a board from elsewhere (7–8, 9)."""
    from django.core.management import call_command

    from world.models import World

    tiled = interactive_map(openWebsite=BOARD)
    interactions = next(layer for layer in tiled["layers"] if layer["name"] == "interactions")
    kitchen = next(each for each in interactions["objects"] if each["name"] == "Kitchen")
    for prop in kitchen["properties"]:
        if prop["name"] == "playAudio":
            prop["value"] = "ding.wav"
    interactions["objects"] += [
        area("Desk", 6, 5, 2, 1, openWebsite=f"{ALLOWED}/desk", openWebsiteWidth=30,
             openWebsitePolicy="camera; microphone"),
        area("Elsewhere", 7, 9, 2, 1, openWebsite=ELSEWHERE),
    ]  # fmt: skip
    ding(tmp_path / "ding.wav")
    call_command("import_map", str(write_map(tmp_path, tiled)), "--slug", "room", stdout=io.StringIO())
    return World.objects.get(slug="room")


@pytest.fixture
def room_pages(browser: Any, room: Any, server_factory: Any):  # noqa: F811
    served = server_factory({ASYNC_UNSAFE: "", "EMBED_ALLOWED_ORIGINS": ALLOWED}, name="areas")
    opened = Pages(browser, served)
    yield opened
    opened.close()
    assert not opened.errors, f"uncaught errors in the page: {opened.errors}"


def enter_room(pages: Pages, user: Any, **options: Any) -> Any:
    """The user's page in the room. The websites' pages are served by the test (no network), the
    notice board's without the X-Frame-Options of the site's own pages."""
    page = pages.new(user, **{**WIDE, **options})
    page.context.route(re.compile(r"^https://(example\.org|elsewhere\.example\.net)/"), serve_page)
    page.context.route(pages.server.http_url + BOARD, serve_page)
    return pages.open(page, "room")


def serve_page(route: Any) -> None:
    route.fulfill(status=200, content_type="text/html", body=ELSEWHERE_PAGE)


def panel(page: Any) -> Any:
    return page.locator("#cowebsite")


def test_a_website_opens_beside_the_map_on_walking_in_and_closes_on_walking_out(room_pages, room, alice):
    place(alice, room, 6.5, 6.5, "up")  # in the hall, below the desk
    page = enter_room(room_pages, alice)
    expect(panel(page)).to_be_hidden()

    click_tile(page, 6, 5)  # onto the desk: its site opens, in a frame (an allowed origin)
    frame = panel(page).locator("iframe")
    expect(frame).to_have_attribute("src", f"{ALLOWED}/desk")
    expect(frame).to_have_attribute("sandbox", "allow-scripts allow-forms allow-popups allow-same-origin")
    expect(frame).to_have_attribute("allow", "camera; microphone")
    expect(frame).to_have_attribute("referrerpolicy", "no-referrer")
    expect(frame).to_have_attribute("title", "Desk (website)")
    expect(page.frame_locator("#cowebsite iframe").get_by_text("A page from elsewhere")).to_be_visible()
    expect(panel(page).get_by_role("tab", name="Desk")).to_have_attribute("aria-selected", "true")
    box = panel(page).bounding_box()
    assert abs(box["width"] - 0.3 * WIDE["viewport"]["width"]) < 4, box  # openWebsiteWidth: 30 % of the screen
    assert box["x"] < page.locator("#chat").bounding_box()["x"]  # beside the map, before the chat

    click_tile(page, 6, 7)  # out again: not closable, it closes
    expect(panel(page)).to_be_hidden(timeout=SHORT_MS)
    expect(panel(page).locator("iframe")).to_have_count(0)

    click_tile(page, 3, 4)  # the welcome desk: closable
    welcome = panel(page).locator('iframe[title="Welcome (website)"]')
    expect(welcome).to_have_attribute("src", "https://example.org/welcome")
    expect(welcome).to_have_attribute("allow", "fullscreen")
    click_tile(page, 7, 9)  # out of it (it stays) and onto a board from an origin not allowed
    tabs = panel(page).get_by_role("tab")
    expect(tabs).to_have_text(["Welcome", "Elsewhere"], timeout=WAIT_MS)
    expect(panel(page).get_by_role("tab", name="Elsewhere")).to_have_attribute("aria-selected", "true")
    link = panel(page).get_by_role("link", name=f"Open {ELSEWHERE} in a new tab")
    expect(link).to_have_attribute("href", ELSEWHERE)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(panel(page).locator(f'iframe[src="{ELSEWHERE}"]')).to_have_count(0)
    screenshot(page, "areas-websites.png")
    assert serious_violations(page) == []  # the tabs, the frame's title, the link

    click_tile(page, 7, 8)  # off the board: its tab closes, the closable welcome stays until closed
    expect(tabs).to_have_text(["Welcome"], timeout=SHORT_MS)
    expect(panel(page).get_by_role("tab", name="Welcome")).to_have_attribute("aria-selected", "true")
    panel(page).get_by_role("button", name="Close Welcome").click()
    expect(panel(page)).to_be_hidden()


def test_an_action_area_offers_its_website_and_space_or_a_tap_opens_it(room_pages, room, alice):
    place(alice, room, 6.5, 8.5)  # east of the notice board (3–5, 8–9)
    page = enter_room(room_pages, alice)
    click_tile(page, 5, 8)
    offer = page.get_by_role("button", name="Press Space or tap here to open Notice board")
    expect(offer).to_be_visible()
    expect(panel(page)).to_be_hidden()
    assert serious_violations(page) == []

    page.locator("#world-canvas").focus()
    page.keyboard.press("Space")
    frame = panel(page).locator("iframe")
    expect(frame).to_have_attribute("src", room_pages.server.http_url + BOARD)
    expect(frame).to_have_attribute("sandbox", "allow-scripts allow-forms allow-popups")  # this site: no same-origin
    expect(offer).to_have_count(0)
    expect(page.frame_locator("#cowebsite iframe").get_by_text("A page from elsewhere")).to_be_visible()
    board = next(frame for frame in page.frames if frame.url.endswith(BOARD))
    assert board.evaluate(COOKIES) == "SecurityError"  # a page of this site, framed without our session

    click_tile(page, 6, 8)  # out: it closes, and nothing is offered
    expect(panel(page)).to_be_hidden(timeout=SHORT_MS)
    expect(offer).to_have_count(0)
    click_tile(page, 5, 8)  # back in: offered again, and a tap (a click) on the offer opens it
    offer.click()
    expect(frame).to_have_count(1)
    panel(page).get_by_role("button", name="Close Notice board").click()  # closed while inside: offered again
    expect(panel(page)).to_be_hidden()
    expect(offer).to_be_visible()
    expect(page.locator("#world-canvas")).to_be_focused()


def test_a_sound_plays_inside_its_area_stops_outside_and_the_sounds_button_mutes_it(room_pages, room, alice):
    place(alice, room, 8.5, 4.5)  # in the hall, below the kitchen (6–8, 2–3)
    page = enter_room(room_pages, alice)
    sounds = page.locator("#sounds-button")
    expect(sounds).to_have_attribute("aria-pressed", "false")
    click_tile(page, 8, 3)  # a click (what browsers want before sound) into the kitchen
    page.wait_for_function(PLAYING, timeout=WAIT_MS)
    audio = page.evaluate(f"() => {{ const audio = {SOUND}; return [audio.src, audio.loop, audio.volume]; }}")
    shipped = rf"{re.escape(room_pages.server.http_url)}/maps/room/[^/]+/assets/[0-9a-f]+-ding\.wav"
    assert re.fullmatch(shipped, audio[0])  # a file shipped with the map, relative to the map's URL
    assert audio[1:] == [True, pytest.approx(0.4)]  # audioLoop, audioVolume

    click_tile(page, 8, 4)  # out: it stops, from the start next time
    page.wait_for_function(STOPPED, timeout=SHORT_MS)
    click_tile(page, 8, 3)
    page.wait_for_function(PLAYING, timeout=SHORT_MS)

    page.get_by_role("button", name="Sounds on").click()  # mute every area's sound
    expect(sounds).to_have_attribute("aria-pressed", "true")
    expect(sounds).to_have_text("Sounds off")
    page.wait_for_function(f"() => {SOUND}.paused", timeout=SHORT_MS)

    page.reload()  # remembered in this browser
    entered(page)
    expect(page.locator("#sounds-button")).to_have_attribute("aria-pressed", "true")
    click_tile(page, 8, 3)  # in the kitchen (still, or again if the position was saved before)
    page.locator("audio.area-sound").wait_for(state="attached", timeout=WAIT_MS)
    wait_for(page, "Math.floor(s.me.y) === 3 && !s.me.moving")
    page.wait_for_timeout(300)
    assert page.evaluate(f"() => {SOUND}.paused")
    page.get_by_role("button", name="Sounds off").click()
    page.wait_for_function(PLAYING, timeout=SHORT_MS)


def test_a_focus_area_frames_the_camera_and_a_stage_says_who_is_on_it(room_pages, room, alice):
    place(alice, room, 12.5, 8.5)  # on the stage (12–13, 7–8): focusable with a margin of 1
    page = enter_room(room_pages, alice)
    framing = {"left": 11, "top": 6, "right": 15, "bottom": 10}
    wait_for(page, "JSON.stringify(s.focus) === JSON.stringify(arg)", framing)
    framed = inspect(page)["frames"]["scale"]
    for corner in ((11, 6), (14, 9)):  # the whole area and its margin are on the screen
        assert page.evaluate("([x, y]) => window.metaverse.pointOfTile(x, y)", list(corner)), corner
    badge = page.locator("#stage-badge")
    expect(badge).to_have_text("On stage: garden")
    screenshot(page, "areas-stage.png")
    assert serious_violations(page) == []  # the badge, the Sounds button

    click_tile(page, 11, 8)  # off the stage: the camera follows us again, at the usual zoom
    wait_for(page, "s.focus === null")
    usual = inspect(page)["frames"]["scale"]
    assert framed > usual, (framed, usual)
    expect(badge).to_be_hidden()

    click_tile(page, 12, 8)  # back on it
    wait_for(page, "JSON.stringify(s.focus) === JSON.stringify(arg.framing) && s.frames.scale === arg.framed",
             {"framing": framing, "framed": framed})  # fmt: skip
    click_tile(page, 14, 8)  # into the audience, which frames nothing
    expect(badge).to_have_text("In the audience of garden")
    wait_for(page, "s.focus === null && s.frames.scale === arg", usual)


def test_on_a_phone_a_website_is_a_sheet_over_the_bottom_of_the_map(room_pages, room, alice):
    place(alice, room, 6.5, 5.5)  # already on the desk: the welcome says so
    page = enter_room(room_pages, alice, **PHONE)
    expect(panel(page).locator("iframe")).to_have_attribute("src", f"{ALLOWED}/desk")
    box, viewport = panel(page).bounding_box(), PHONE["viewport"]
    assert box["x"] == 0, box
    assert box["width"] == viewport["width"], box
    assert abs(box["y"] + box["height"] - viewport["height"]) < 1, box
    assert box["height"] < viewport["height"] * 0.7  # the map still shows above it
    screenshot(page, "areas-phone.png")


def test_the_demo_s_notice_board_shows_the_world_s_own_about_page(pages, demo_worlds, alice):
    """The real thing, no page stood in for it: the campus lobby's notice board frames
    /w/demo/about/, which this site lets itself (and only itself) frame."""
    place(alice, demo_worlds["demo"], 23.5, 19.5)  # on the notice board (22–25, 18–19)
    page = pages.enter(alice)
    page.get_by_role("button", name="Press Space to read the notice board").click()
    frame = panel(page).locator("iframe")
    expect(frame).to_have_attribute("src", pages.server.http_url + "/w/demo/about/")
    about = page.frame_locator("#cowebsite iframe")
    expect(about.get_by_role("heading", name="About Demo Campus")).to_be_visible()
    expect(about.get_by_text("Garden stage: a stage; whoever stands there is heard in its audience.")).to_be_visible()
