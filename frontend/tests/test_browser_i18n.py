"""The world page in French and German, in a real Chromium page against a real server process:
with the `django_language` cookie the page's own words (the bar's buttons it sets, the chat, the
people panel, Me) are French, a chat message's time is written the French way, and Me's language
picker reloads the page in German."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from frontend.tests.browser import (  # noqa: F401 - fixtures
    WAIT_MS,
    browser,
    connected,
    entered,
    orm_beside_playwright,
    pages,
    place,
    server,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(90)]

SHORT_MS = 5000
# A message's time as French has it: hours and minutes, from the <time>'s own datetime.
TIME_IN_FRENCH = "(time) => new Date(time.dateTime).toLocaleTimeString('fr', {hour: '2-digit', minute: '2-digit'})"


def test_the_world_page_speaks_french_and_its_picker_switches_to_german(pages: Any, demo_worlds, alice):  # noqa: F811
    place(alice, demo_worlds["demo"], 24.5, 27.5)
    page = pages.new(alice)
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": pages.server.http_url}])
    pages.open(page)
    connected(page, "chat")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#mute-button")).to_have_text("Micro activé", timeout=SHORT_MS)
    expect(page.locator("#camera-button")).to_have_text("Caméra activée", timeout=SHORT_MS)
    expect(page.locator("#chat-tab-world")).to_have_text("Monde")
    expect(page.locator("#chat-tab-nearby")).to_have_text("À proximité")
    expect(page.locator("#chat-input")).to_have_attribute("placeholder", "Écrire à tout le monde dans ce monde")
    expect(page.get_by_role("tablist", name="Canaux de discussion")).to_be_visible()
    expect(page.locator("#chat form").get_by_role("button", name="Envoyer")).to_be_visible()
    expect(page.locator("#minimap canvas")).to_have_attribute("title", "Cliquez sur un endroit pour le voir")

    # A message's time, the French way: 24 hours, no AM or PM.
    page.locator("#chat-input").fill("bonjour")
    page.locator("#chat-input").press("Enter")
    said = page.locator(".chat-log .msg:not(.pending)", has_text="bonjour")
    said.wait_for(timeout=WAIT_MS)
    time = said.locator("time.msg-time")
    written = time.inner_text()
    assert re.fullmatch(r"\d{2}:\d{2}", written), written
    assert written == time.evaluate(TIME_IN_FRENCH)

    # The people panel: its heading, search box and count (singular: only Alice is here).
    page.locator("#people-button").click()
    panel = page.locator("#people-panel")
    expect(panel.get_by_role("heading", name="Personnes présentes")).to_be_visible()
    expect(page.locator("#people-search")).to_have_attribute("placeholder", "Chercher par nom")
    expect(panel.locator(".people-count")).to_have_text("1 personne dans ce monde", timeout=SHORT_MS)
    expect(panel.locator(f'li.person[data-player="{alice.pk}"]')).to_contain_text("Alice (vous)")
    panel.get_by_role("button", name="Fermer le panneau des personnes").click()

    # Me: its title, its fields, and the language picker, each language named in its own.
    page.locator("#menu-button").click()
    dialog = page.locator("#player-menu")
    expect(dialog.get_by_role("heading", name="Votre profil")).to_be_visible()
    expect(dialog.get_by_label("Nom affiché")).to_have_value("Alice")
    picker = dialog.get_by_label("Langue")
    expect(picker).to_have_value("fr")
    expect(picker.locator("option")).to_have_text(["English", "Français", "Deutsch"])
    picker.select_option("de")
    with page.expect_navigation(timeout=WAIT_MS):
        dialog.get_by_role("button", name="Changer de langue").click()

    entered(page)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}["django_language"] == "de"
    expect(page.locator("#mute-button")).to_have_text("Mikro an", timeout=SHORT_MS)
    expect(page.locator("#chat-tab-world")).to_have_text("Welt")
    expect(page.locator("#chat-input")).to_have_attribute("placeholder", "Nachricht an alle in dieser Welt")
    page.locator("#menu-button").click()
    expect(page.locator("#player-menu").get_by_label("Sprache")).to_have_value("de")
