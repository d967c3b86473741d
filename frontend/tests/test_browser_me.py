"""Me, in real Chromium pages against a real server process: its two tabs fit a laptop's window
and a phone; the camera and microphone tab asks for nothing by itself, and once they are set up
shows yourself, how loud you are and where the sound goes; hiding where you are makes the other
pages' Locate say so."""

from typing import Any

import pytest
from playwright.sync_api import expect

from frontend.tests.browser import (
    COUNT_CAPTURES,
    DESKTOP,
    PHONE,
    WAIT_MS,
    place,
    screenshot,
    wait_for,
)
from frontend.tests.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SELF_VIEW_PLAYS = """() => {
  const video = document.querySelector("#player-menu .menu-self-view");
  return video && !video.hidden && video.readyState >= 2 && video.videoWidth > 0;
}"""
# The level meter's values over a while: the fake microphone beeps, so they change.
LEVELS_MOVE = """() => {
  const meter = document.querySelector("#menu-mic-level[role=meter]");
  window.levels = window.levels || new Set();
  window.levels.add(meter.getAttribute("aria-valuenow"));
  return window.levels.size >= 3 && [...window.levels].some((value) => Number(value) > 20);
}"""


def within(page: Any, selector: str, size: dict[str, int]) -> None:
    """The element is shown whole in the window (the dialog does not cut it off)."""
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert min(box["x"], box["y"]) >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"], (selector, box)
    assert box["y"] + box["height"] <= size["height"], (selector, box)


def open_me(page: Any) -> Any:
    page.locator("#menu-button").click()
    dialog = page.locator("#player-menu")
    expect(dialog).to_be_visible()
    return dialog


def test_me_fits_the_window_and_its_devices_tab_shows_yourself_your_level_and_your_speaker(pages, demo_worlds, alice):
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    page = pages.new(alice)
    page.add_init_script(COUNT_CAPTURES)
    pages.open(page)
    dialog = open_me(page)
    profile_tab = dialog.get_by_role("tab", name="Profile")
    expect(profile_tab).to_have_attribute("aria-selected", "true")
    for control in ("#menu-name", "#menu-status", "#menu-hide-location", "#player-menu .menu-save button"):
        within(page, control, DESKTOP)
    screenshot(page, "me-profile.png")

    # The arrow keys go from tab to tab; the one reached is shown.
    profile_tab.focus()
    page.keyboard.press("ArrowRight")
    devices_tab = dialog.get_by_role("tab", name="Camera and microphone")
    expect(devices_tab).to_be_focused()
    expect(devices_tab).to_have_attribute("aria-selected", "true")
    expect(dialog.get_by_role("tabpanel", name="Camera and microphone")).to_be_visible()
    expect(dialog.get_by_role("tabpanel", name="Profile")).to_be_hidden()
    page.keyboard.press("ArrowLeft")
    expect(profile_tab).to_have_attribute("aria-selected", "true")
    page.keyboard.press("End")
    expect(devices_tab).to_be_focused()

    # Shown, the tab asks for nothing: the first call does, or this button.
    page.wait_for_timeout(300)
    assert page.evaluate("window.captures") == 0
    expect(dialog.locator(".menu-self-off")).to_be_visible()
    dialog.get_by_role("button", name="Set them up now").click()
    page.wait_for_function(SELF_VIEW_PLAYS, timeout=WAIT_MS)
    page.wait_for_function(LEVELS_MOVE, polling=50, timeout=5000)
    assert page.evaluate("window.captures") == 1  # the preview and the meter use that one stream
    expect(dialog.get_by_label("Speaker")).to_be_visible()  # Chromium can choose an output
    expect(dialog.get_by_label("Speaker").locator("option").first).to_have_text("System default")
    echo = dialog.get_by_role("button", name="Test with the echo bot")
    for control in ("#menu-camera", "#menu-microphone", "#menu-mic-level", "#menu-speaker", "#menu-muted"):
        within(page, control, DESKTOP)
    within(page, "#player-menu .menu-echo button", DESKTOP)
    screenshot(page, "me-devices.png")
    assert serious_violations(page) == []  # the tabs, the meter, the preview

    # No echo bot stands in this world: the page says how one is started.
    echo.click()
    expect(dialog.locator(".menu-echo-status")).to_contain_text("There is no echo bot in this world now")
    expect(dialog.locator(".menu-echo-status")).to_contain_text("manage.py echo_bot --world demo")

    # Closed: no preview, no meter.
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(dialog).to_be_hidden()
    # The dialog's `close` event comes a task after it hides: the preview is let go then.
    page.wait_for_function("() => document.querySelector('#player-menu .menu-self-view').srcObject === null")
    page.wait_for_timeout(300)
    assert page.locator("#menu-mic-level").get_attribute("aria-valuenow") == "0"

    # Opened again on the same tab, it shows them at once (they were allowed), asking nothing more.
    open_me(page)
    page.wait_for_function(SELF_VIEW_PLAYS, timeout=WAIT_MS)
    assert page.evaluate("window.captures") == 1


def test_me_fits_a_phone_and_scrolls_inside_itself(pages, demo_worlds, alice):
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    page = pages.enter(alice, **PHONE)
    size = PHONE["viewport"]
    dialog = open_me(page)
    within(page, "#player-menu", size)
    for control in ("#menu-name", "#player-menu .menu-save button"):
        page.locator(control).scroll_into_view_if_needed()
        within(page, control, size)
    screenshot(page, "me-profile-phone.png")
    dialog.get_by_role("tab", name="Camera and microphone").click()
    dialog.get_by_role("button", name="Set them up now").click()
    page.wait_for_function(SELF_VIEW_PLAYS, timeout=WAIT_MS)
    for control in ("#menu-camera", "#menu-mic-level", "#menu-speaker", "#player-menu .menu-echo button"):
        page.locator(control).scroll_into_view_if_needed()
        within(page, control, size)
    within(page, "#player-menu", size)
    assert page.evaluate("[window.scrollX, window.scrollY]") == [0, 0]  # the dialog scrolled, not the page
    screenshot(page, "me-devices-phone.png")


def test_hiding_where_you_are_makes_the_others_locate_say_so(pages, demo_worlds, alice, bob):
    from players.models import Player

    place(alice, demo_worlds["demo"], 24.5, 27.5)
    place(bob, demo_worlds["demo"], 60.5, 5.5)
    alice_page, bob_page = pages.enter(alice), pages.enter(bob)
    dialog = open_me(bob_page)
    dialog.get_by_label("Hide where I am from the People panel").check()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    assert Player.objects.get(user=bob).hide_location is True

    alice_page.locator("#people-button").click()
    heading = alice_page.get_by_role("heading", name="Location hidden (1)")
    hidden = alice_page.locator(".people-zone").filter(has=heading)
    expect(hidden.locator(f'li.person[data-player="{bob.pk}"]')).to_have_count(1, timeout=WAIT_MS)
    hidden.get_by_role("button", name="Locate Bob").click()
    expect(alice_page.locator(".notice", has_text="Bob does not share where they are.")).to_be_visible()

    dialog = open_me(bob_page)  # the box shows what was saved
    expect(dialog.get_by_label("Hide where I am from the People panel")).to_be_checked()


def test_testing_with_the_echo_bot_walks_you_to_it(pages, demo_worlds, alice):
    from signaling.services import echo_bot_user

    bot = echo_bot_user(display_name="Echo bot")  # as `manage.py echo_bot` makes it; here a page stands in for it
    place(bot, demo_worlds["demo"], 30.5, 27.5)
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    pages.enter(bot)
    page = pages.enter(alice)
    dialog = open_me(page)
    dialog.get_by_role("tab", name="Camera and microphone").click()
    dialog.get_by_role("button", name="Test with the echo bot").click()
    expect(dialog).to_be_hidden()
    wait_for(page, "Math.hypot(s.me.x - 30.5, s.me.y - 27.5) < 2", timeout=WAIT_MS)
