"""The browser tests' fixtures (frontend/tests/browser.py), found by every test module here."""

from frontend.tests.browser import browser, orm_beside_playwright, pages, server  # noqa: F401
