"""Accessibility: axe-core (npm's, injected by Playwright) finds no serious or critical WCAG 2.2
A/AA violation on the site's pages: the home page, signing in and up, joining as a guest, and
the world page with its panels open."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from frontend.tests.browser import (  # noqa: F401 - fixtures
    WAIT_MS,
    browser,
    connected,
    orm_beside_playwright,
    pages,
    place,
    server,
)
from metaverse.testing import need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def serious_violations(page: Any) -> list[str]:
    need(AXE.exists(), "needs axe-core (npm ci, which `make test` runs)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in violation["nodes"][:5])
        for violation in found
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/guest/"])
def test_the_pages_before_the_world_have_no_serious_violations(pages, demo_worlds, path):  # noqa: F811
    page = pages.new()
    page.goto(pages.server.http_url + path)
    assert serious_violations(page) == []


def test_the_world_page_with_its_panels_open_has_no_serious_violations(pages, demo_worlds, alice, bob):  # noqa: F811
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    place(bob, demo_worlds["demo"], 30.5, 27.5)
    page = pages.enter(alice)
    bob_page = pages.enter(bob)
    connected(page, "world", "chat")
    connected(bob_page, "chat")
    for sender, text in ((page, "hello there"), (bob_page, "hi Alice")):  # hers, and his with its Report
        sender.locator("#chat-input").fill(text)
        sender.locator("#chat-input").press("Enter")
        page.locator(".chat-log .msg", has_text=text).wait_for(timeout=WAIT_MS)
    # Tabbing on from the chat's tabs reaches the input before any message's Report button.
    page.locator("#chat-tab-world").focus()
    reached = []
    for _ in range(8):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
        if reached[-1] in ("chat-input", "msg-report link"):
            break
    assert reached[-1] == "chat-input", reached
    page.get_by_role("button", name="People").click()
    page.locator("#people-panel li.person").nth(1).wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="React").click()
    assert serious_violations(page) == []
