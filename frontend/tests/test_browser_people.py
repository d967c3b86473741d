"""Reaching people and keeping them away, in real Chromium pages against a real server process:
blocking someone in a call ends it on both pages at once and takes their messages out of the
chat."""

from typing import Any

import pytest

from chat.models import Block
from frontend.tests.test_browser import (  # noqa: F401 - fixtures
    REMOTE_VIDEO_PLAYS,
    WAIT_MS,
    browser,
    connected,
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
    tile(bob_page, alice).locator(".tile-block").click()
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
