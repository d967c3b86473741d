"""How the world page is laid out and drawn, in real Chromium pages against a real server process:
on a phone the open chat leaves our avatar in view and the bar keeps the world's and the zone's
names; video tiles show whole names; the guest form's help text stays clear of the focused input;
nothing of the map is drawn over someone arriving by the portal; a call's bubble is drawn around
the people in it."""

from typing import Any

import pytest
from playwright.sync_api import expect

from frontend.tests.browser import (  # noqa: F401 - fixtures
    DESKTOP,
    PHONE,
    WAIT_MS,
    browser,
    connected,
    entered,
    hold,
    inspect,
    orm_beside_playwright,
    pages,
    place,
    server,
    tile,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOBBY = (32.5, 27.5)  # the middle of the demo campus's lobby, a named zone


def box(page: Any, selector: str) -> dict[str, float]:
    """Where an element is on the page (CSS pixels), and whether its text is cut."""
    return page.evaluate(
        """(selector) => {
          const element = document.querySelector(selector);
          const r = element.getBoundingClientRect();
          return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
                  cut: element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight,
                  shown: getComputedStyle(element).display !== 'none' && r.width > 0 && r.height > 0};
        }""",
        selector,
    )


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


# --- a phone ------------------------------------------------------------------------------------


def test_on_a_phone_the_open_chat_leaves_your_avatar_in_view(pages, demo_worlds, alice):  # noqa: F811
    place(alice, demo_worlds["demo"], *LOBBY)
    page = pages.enter(alice, **PHONE)
    wait_for(page, "s.drawn")
    stage = box(page, "#stage")
    centred = inspect(page)["drawn"]["me"]

    page.locator("#chat-toggle").tap()
    expect(page.locator("#chat")).to_be_visible()
    sheet = box(page, "#chat")
    assert sheet["top"] > stage["top"]  # a sheet over the map's bottom
    assert sheet["bottom"] >= stage["bottom"]
    assert centred["bottom"] > sheet["top"], "the test needs an avatar the sheet would otherwise hide"
    wait_for(page, "s.drawn.me.bottom <= arg", sheet["top"], timeout=2000)
    avatar = inspect(page)["drawn"]["me"]
    assert avatar["top"] >= stage["top"] + 20  # with room for the name tag
    assert avatar["bottom"] <= sheet["top"]
    assert stage["left"] <= avatar["left"] < avatar["right"] <= stage["right"]

    page.locator("#chat-toggle").tap()  # closed again: back in the middle of the map
    expect(page.locator("#chat")).to_be_hidden()
    wait_for(page, "Math.abs(s.drawn.me.top - arg) < 2", centred["top"], timeout=2000)


def test_on_a_phone_the_bar_keeps_the_world_and_zone_names_in_view(pages, demo_worlds, alice):  # noqa: F811
    place(alice, demo_worlds["demo"], *LOBBY)
    page = pages.enter(alice, **PHONE)
    expect(page.locator("#zone-label")).to_have_text("Lobby", timeout=WAIT_MS)
    expect(page.locator(".world-title")).to_have_text(demo_worlds["demo"].name)
    width = page.evaluate("innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out sideways
    names = [box(page, ".world-title"), box(page, "#zone-label")]
    buttons = page.evaluate(
        """() => [...document.querySelectorAll('.world-bar button')].filter((b) => b.offsetParent).map((b) => {
          const r = b.getBoundingClientRect();
          return {id: b.id, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
        })"""
    )
    assert len(buttons) >= 6
    for name in names:
        assert name["shown"], name
        assert not name["cut"], name
        assert 0 <= name["left"] < name["right"] <= width, name
        assert not [button["id"] for button in buttons if overlap(name, button)]
    for button in buttons:
        assert 0 <= button["left"] < button["right"] <= width, button


def test_a_long_name_in_a_video_tile_is_shown_whole_on_a_phone(pages, demo_worlds, alice, bob):  # noqa: F811
    from players.models import Player

    long_name = "Maximiliana Featherstonehaugh-Worthington"
    Player.objects.filter(user=alice).update(display_name=long_name)
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 26.5, 27.5, "left")  # within the talk radius: a call at once
    alice_page = pages.enter(alice)
    bob_page = pages.enter(bob, **PHONE)
    expect(alice_page.locator("#mute-button")).to_have_text("Mic on", timeout=WAIT_MS)
    expect(tile(bob_page, alice).locator(".tile-name")).to_have_text(long_name, timeout=WAIT_MS)
    alice_page.locator("#mute-button").click()  # "mic off" beside the name too
    expect(tile(bob_page, alice).locator(".tile-muted")).to_be_visible(timeout=WAIT_MS)

    selector = f'.video-tile.remote[data-peer="{alice.pk}"]'
    figure, name, muted = (box(bob_page, f"{selector} {part}") for part in ("", ".tile-name", ".tile-muted"))
    assert not name["cut"], name  # no ellipsis, nothing hidden: the whole name shows
    assert figure["left"] <= name["left"] < name["right"] <= figure["right"]
    assert figure["top"] <= name["top"] < name["bottom"] <= figure["bottom"]
    assert not overlap(name, muted)
    expect(tile(bob_page, alice)).to_have_attribute("aria-label", long_name)


# --- the guest form ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE["viewport"]], ids=["desktop", "phone"])
def test_the_guest_form_s_help_text_stays_clear_of_the_focused_name_input(pages, viewport):  # noqa: F811
    page = pages.new(viewport=viewport)
    page.goto(f"{pages.server.http_url}/accounts/guest/")
    field = page.get_by_label("Display name")
    field.focus()
    found = field.evaluate(
        """(input) => {
          const style = getComputedStyle(input);
          const outline = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
          let reach = style.outlineStyle === 'none' ? 0 : outline;
          for (const shadow of style.boxShadow.matchAll(/(-?[\\d.]+)px (-?[\\d.]+)px (-?[\\d.]+)px (-?[\\d.]+)px/g)) {
            const [x, y, blur, spread] = shadow.slice(1).map(Number);
            reach = Math.max(reach, Math.abs(x) + blur + spread, Math.abs(y) + blur + spread);
          }
          const r = input.getBoundingClientRect();
          const help = document.getElementById(input.getAttribute('aria-describedby').split(' ')[0]);
          const h = help.getBoundingClientRect();
          const middle = document.elementFromPoint(h.left + h.width / 2, h.top + h.height / 2);
          return {
            focusVisible: input.matches(':focus-visible'), reach, text: help.textContent,
            ring: {left: r.left - reach, right: r.right + reach, top: r.top - reach, bottom: r.bottom + reach},
            help: {left: h.left, right: h.right, top: h.top, bottom: h.bottom},
            cut: help.scrollHeight > help.clientHeight || help.scrollWidth > help.clientWidth,
            onTop: help.contains(middle), width: innerWidth,
          };
        }"""
    )
    assert found["focusVisible"]  # the focus ring is drawn
    assert found["reach"] > 0
    assert found["text"] == "How others will see you. You can change it later."
    assert not overlap(found["help"], found["ring"]), found
    assert not found["cut"], found
    assert found["onTop"], found
    assert 0 <= found["help"]["left"] < found["help"]["right"] <= found["width"]


# --- what the map draws --------------------------------------------------------------------------


def test_arriving_by_the_portal_nothing_of_the_map_is_drawn_over_you(pages, demo_worlds, alice):  # noqa: F811
    page = pages.new(alice)
    page.goto(f"{pages.server.http_url}/w/annex/?entry=from-demo")  # where the campus's portal leads
    entered(page)
    drawn = wait_for(page, "s.drawn && s.drawn.me && s.drawn").json_value()
    me = inspect(page)["me"]
    assert (int(me["x"]), int(me["y"])) in {(1, 2), (2, 2), (3, 2)}  # on the entry, below the portal
    assert "exit-demo" in drawn["layers"]["below"]  # the portal's stairs are floor: under the avatars
    assert "exit-demo" not in drawn["layers"]["above"]
    assert drawn["over"] == [], f"drawn over her: {drawn['over']}"


def test_a_call_s_bubble_is_drawn_around_the_people_in_it(pages, demo_worlds, alice, bob):  # noqa: F811
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 26.5, 27.5, "left")  # within the talk radius: in contact
    alice_page, bob_page = pages.enter(alice), pages.enter(bob)
    both = ",".join(map(str, sorted([alice.pk, bob.pk])))
    for page in (alice_page, bob_page):
        wait_for(page, "s.drawn && [...s.drawn.callArea].sort((a, b) => a - b).join() === arg", both)
    assert inspect(alice_page)["drawn"]["callArea"][0] == alice.pk  # drawn from our own avatar

    alice_page.locator("#world-canvas").focus()
    hold(alice_page, "ArrowLeft", "s.me.x < 23.4")  # out of the talk radius: the call and its bubble end
    for page in (alice_page, bob_page):
        wait_for(page, "s.drawn && s.drawn.callArea.length === 0", timeout=5000)
    connected(alice_page, "world")
