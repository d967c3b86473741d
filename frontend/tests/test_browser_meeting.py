"""A meeting over CALL_P2P_LIMIT in real Chromium pages: the pages join the meeting's Janus room
(docs/janus.md) and see and hear each other through it; when the meeting shrinks back to the
limit they are back to peer-to-peer. A real Janus, a real server process."""

from typing import Any

import pytest

from frontend.tests.test_browser import (  # noqa: F401 - fixtures
    ASYNC_UNSAFE,
    REMOTE_VIDEO_PLAYS,
    WAIT_MS,
    Pages,
    browser,
    connected,
    hold,
    inspect,
    orm_beside_playwright,
    place,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

BLUE_ROOM = [(56.5, 2.5), (57.5, 2.5), (58.5, 8.5)]  # the demo's Blue Room; the third by its door


@pytest.fixture
def meeting_pages(browser: Any, janus: Any, demo_worlds: dict[str, Any], server_factory: Any):  # noqa: F811
    server = server_factory({ASYNC_UNSAFE: "", **janus.settings(), "CALL_P2P_LIMIT": "2"}, name="meeting")
    opened = Pages(browser, server)
    yield opened
    opened.close()
    assert not opened.errors, f"uncaught errors in the page: {opened.errors}"


def test_three_pages_meet_through_janus_and_go_back_to_peer_to_peer(meeting_pages, demo_worlds, alice, bob, carol):
    people = (alice, bob, carol)
    for user, (x, y) in zip(people, BLUE_ROOM, strict=True):
        place(user, demo_worlds["demo"], x, y)
    pages = {user.pk: meeting_pages.enter(user) for user in people}
    for page in pages.values():
        connected(page, "signal")
    for user in people:
        others = [other.pk for other in people if other is not user]
        page = pages[user.pk]
        wait_for(page, "s.calls.call === 'zone-5' && arg.every((id) => s.calls.carried.includes(id))", others)
        for other in others:
            page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=other, timeout=WAIT_MS)
        assert inspect(page)["calls"]["p2p"] == []  # nobody peer-to-peer inside the call

    # Carol walks out of the room: two are left, at the limit, so the call ends for everyone and
    # alice and bob talk peer-to-peer again.
    carol_page = pages[carol.pk]
    carol_page.locator("#world-canvas").focus()
    hold(carol_page, "ArrowDown", "s.me.y > 9.6")
    for user in (alice, bob):
        other = bob if user is alice else alice
        page = pages[user.pk]
        wait_for(page, "s.calls.call === null && s.calls.p2p.includes(arg)", other.pk)
        page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=other.pk, timeout=WAIT_MS)
    assert inspect(carol_page)["calls"] == {"call": None, "carried": [], "p2p": []}
