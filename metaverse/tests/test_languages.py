"""The visitor's language, everywhere the server speaks: pages by the `django_language` cookie
(the picker sets it) or Accept-Language, the REST API's errors, and every socket's `message`s,
chosen once when it connects; the `code`s are the same in every language. French and German ship
complete: every msgid of the django domain translated, none fuzzy, and the committed .mo files
say the same as the .po files."""

import ast
import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from conftest import HOST, ORIGIN, expect_close, receive_until
from metaverse.i18n import render, scope_language, text
from metaverse.sockets import event_message
from moderation.services import player_kick

LOCALE = Path(settings.BASE_DIR) / "locale"
SHIPPED = ("fr", "de")


# --- pages ------------------------------------------------------------------------------------


def test_the_home_page_follows_the_language_cookie(client, avatars):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get("/").content.decode()
    assert '<html lang="fr">' in page
    for words in ("Se connecter", "S'inscrire", "Entrer en invité", "Mondes", "Langue"):
        assert words in page
    assert "Log in" not in page


def test_the_home_page_follows_accept_language(client, avatars):
    page = client.get("/", headers={"accept-language": "de-AT,de;q=0.9,en;q=0.5"}).content.decode()
    assert '<html lang="de">' in page
    for words in ("Anmelden", "Registrieren", "Als Gast beitreten", "Welten", "Geh auf jemanden zu und rede."):
        assert words in page


def test_english_stays_the_default(client, avatars):
    page = client.get("/", headers={"accept-language": "ja,pt;q=0.8"}).content.decode()
    assert '<html lang="en">' in page
    assert "Walk up to someone and talk." in page


def test_the_guest_page_and_its_form_in_french(client, avatars, settings):
    settings.GUEST_RATE_PER_HOUR = 100
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get("/accounts/guest/").content.decode()
    assert '<html lang="fr">' in page
    assert "<h1>Entrer en invité</h1>" in page
    assert "Nom affiché" in page
    assert "Le nom sous lequel les autres vous verront." in page
    assert ">Entrer</button>" in page
    refused = client.post("/accounts/guest/", {"display_name": "System"}).content.decode()
    assert "Ce nom est réservé à l&#x27;équipe et au système ; choisissez-en un autre." in refused


def test_sign_up_in_german(client, avatars):
    page = client.get("/accounts/signup/", headers={"accept-language": "de"}).content.decode()
    assert '<html lang="de">' in page
    assert "Anzeigename" in page  # our field, beside allauth's own (translated by allauth)
    assert "So sehen dich die anderen. Du kannst ihn später ändern." in page


def test_the_picker_lists_each_language_in_its_own_words_and_sets_it(client, avatars):
    page = client.get("/").content.decode()
    picker = re.search(r'<form method="post" action="/i18n/setlang/" class="language-picker">.*?</form>', page, re.S)
    assert picker is not None
    assert 'name="next" value="/"' in picker.group()
    assert re.findall(r'<option value="(\w+)" lang="\w+"( selected)?>([^<]+)</option>', picker.group()) == [
        ("en", " selected", "English"),
        ("fr", "", "Français"),
        ("de", "", "Deutsch"),
    ]
    assert '<button type="submit"' in picker.group()  # works without JavaScript

    chosen = client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert (chosen.status_code, chosen["Location"]) == (302, "/")
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = client.get("/").content.decode()
    assert '<html lang="de">' in page
    assert '<option value="de" lang="de" selected>Deutsch</option>' in page


# --- the REST API -----------------------------------------------------------------------------


def test_rest_errors_in_german(avatars):
    alice = User.objects.create_user("alice", password="x")
    api = APIClient(headers={"accept-language": "de"})
    api.force_authenticate(alice)
    refused = api.patch("/api/players/me/", {"display_name": "System"}, format="json")
    assert (refused.status_code, refused.json()) == (
        400,
        {"display_name": ["Dieser Name ist dem Team und dem System vorbehalten; wähle einen anderen."]},
    )
    missing = api.get("/api/worlds/atlantis/")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Es gibt keine Welt „atlantis“."})
    english = APIClient()
    english.force_authenticate(alice)
    assert english.get("/api/worlds/atlantis/").json() == {"detail": "There is no world 'atlantis'."}


# --- sockets ----------------------------------------------------------------------------------


async def open_socket_in(path: str, *, session: str | None = None, language: str = "", accept: str = "") -> Any:
    """conftest's open_socket, with a language cookie and an Accept-Language header."""
    from metaverse.asgi import application

    cookies = "; ".join(
        part
        for part in (f"sessionid={session}" if session else "", f"django_language={language}" if language else "")
        if part
    )
    headers = [(b"host", HOST), (b"origin", ORIGIN)]
    if cookies:
        headers.append((b"cookie", cookies.encode()))
    if accept:
        headers.append((b"accept-language", accept.encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect(timeout=5)
    assert connected
    return socket


async def refusal(socket: Any, message: dict[str, Any]) -> dict[str, Any]:
    await socket.send_json_to(message)
    return await receive_until(socket, "error")


@pytest.mark.django_db(transaction=True)
async def test_a_world_socket_refuses_in_its_language_with_the_same_code(demo_worlds, cookies):
    bad = {"type": "move", "x": "1", "y": 2}
    french = await open_socket_in(
        "/ws/world/demo/", session=await database_sync_to_async(cookies)("alice"), language="fr"
    )
    await receive_until(french, "welcome")
    english = await open_socket_in("/ws/world/demo/", session=await database_sync_to_async(cookies)("bob"))
    await receive_until(english, "welcome")
    try:
        said_fr, said_en = await refusal(french, bad), await refusal(english, bad)
        assert said_fr == {
            "type": "error",
            "code": "invalid",
            "message": "'x' doit être un nombre entre -1e+09 et 1e+09",
        }
        assert said_en == {
            "type": "error",
            "code": "invalid",
            "message": "'x' must be a number between -1e+09 and 1e+09",
        }
        unknown = await refusal(french, {"type": "fly"})
        assert (unknown["code"], unknown["message"]) == ("unknown_type", "type de message inconnu 'fly'")
        alone = await refusal(french, {"type": "knock_answer", "id": 424242})
        assert (alone["code"], alone["message"]) == (
            "no_knock",
            "Le joueur 424242 n'a pas frappé à votre porte récemment.",
        )
    finally:
        await french.disconnect()
        await english.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_chat_socket_follows_accept_language(demo_worlds, cookies):
    session = await database_sync_to_async(cookies)("alice")
    chat = await open_socket_in("/ws/chat/demo/", session=session, accept="de-CH, fr;q=0.8")
    await receive_until(chat, "history")
    try:
        empty = await refusal(chat, {"type": "send", "scope": "world", "text": "   ", "client_id": "c1"})
        assert empty == {
            "type": "error",
            "code": "empty",
            "message": "Eine Nachricht braucht etwas Text.",
            "client_id": "c1",
        }
    finally:
        await chat.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_refused_connection_says_why_in_its_language(demo_worlds):
    socket = await open_socket_in("/ws/world/demo/", language="de")
    closing = await expect_close(socket, 4001)
    assert (closing["reason"], closing["message"]) == (
        "not_authenticated",
        "Melde dich zuerst an oder tritt als Gast bei.",
    )


@pytest.mark.django_db(transaction=True)
async def test_a_kick_is_told_in_each_socket_s_language_whoever_kicks(demo_worlds, cookies):
    """The moderator's own language does not matter: the event carries the sentences untranslated."""
    session = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    world = await open_socket_in("/ws/world/demo/", session=session, language="fr")
    await receive_until(world, "welcome")
    chat = await open_socket_in("/ws/chat/demo/", session=session, language="de")
    await receive_until(chat, "history")

    def kick_in_english() -> None:
        with translation.override("en"):
            player_kick(user=alice, by=None, reason="spam")

    await database_sync_to_async(kick_in_english)()
    french, german = await receive_until(world, "closing"), await receive_until(chat, "closing")
    assert (french["code"], french["reason"]) == (german["code"], german["reason"]) == (4010, "kicked")
    assert french["message"] == "Un modérateur vous a retiré du monde. Vous pouvez revenir. Motif : spam"
    assert german["message"] == "Ein Moderator hat dich aus der Welt entfernt. Du darfst zurückkommen. Grund: spam"


def test_a_socket_s_language_is_the_cookie_s_then_accept_language_then_english():
    def scope(cookie: str = "", accept: str = "") -> dict[str, Any]:
        headers = [(b"cookie", cookie.encode())] if cookie else []
        return {"headers": headers + ([(b"accept-language", accept.encode())] if accept else [])}

    assert scope_language(scope("django_language=fr", "de")) == "fr"
    assert scope_language(scope("django_language=xx", "de-DE,fr;q=0.5")) == "de"
    assert scope_language(scope("sessionid=abc", "it, fr-CA;q=0.7")) == "fr"
    assert scope_language(scope(accept="*")) == "en"
    assert scope_language(scope()) == "en"
    assert scope_language({"headers": [], "cookies": {"django_language": "de"}}) == "de"  # after CookieMiddleware


def test_events_from_other_processes_are_translated_where_they_are_shown():
    event = {"message": "You logged out.", "text": text("You logged out.")}
    with translation.override("de"):
        assert event_message(event) == "Du hast dich abgemeldet."
    assert event_message({"message": "as it came"}) == "as it came"  # an older process's event
    with translation.override("fr"):
        assert render(text("Reason: %(reason)s", reason="spam") + text("not in the catalog")) == (
            "Motif : spam not in the catalog"
        )


# --- the catalogs -----------------------------------------------------------------------------


def read_po(path: Path) -> list[dict[str, Any]]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (by form) and flags."""
    entries: list[dict[str, Any]] = []
    entry: dict[str, Any] = {}
    field: tuple[str, int] = ("", 0)
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry = {}
            continue
        entry.setdefault("flags", set())
        entry.setdefault("msgstr", {})
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif match := re.match(r'(msgid|msgid_plural|msgstr)(?:\[(\d+)\])? (".*")$', line):
            field = (match.group(1), int(match.group(2) or 0))
            value = ast.literal_eval(match.group(3))
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] = value
            else:
                entry[field[0]] = value
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
    return entries


def placeholders(message: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]", message))


@pytest.mark.parametrize("language", SHIPPED)
def test_every_msgid_is_translated_none_fuzzy_and_the_mo_says_the_same(language):
    folder = LOCALE / language / "LC_MESSAGES"
    entries = read_po(folder / "django.po")
    header, entries = entries[0], [entry for entry in entries[1:] if not entry.get("obsolete")]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert f"Language: {language}\n" in header["msgstr"][0]
    assert len(entries) > 150
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for entry in entries:
        msgid = entry["msgid"]
        assert "fuzzy" not in entry["flags"], msgid
        forms = entry["msgstr"]
        assert forms, msgid
        assert all(forms.values()), f"untranslated: {msgid!r}"
        if "msgid_plural" in entry:
            assert sorted(forms) == [0, 1], msgid
            for form, translated in forms.items():
                assert placeholders(translated) == placeholders(entry["msgid_plural"]), (msgid, form)
            assert catalog.ngettext(msgid, entry["msgid_plural"], 1) == forms[0]
            assert catalog.ngettext(msgid, entry["msgid_plural"], 5) == forms[1]
        else:
            assert placeholders(forms[0]) == placeholders(msgid), msgid
            assert catalog.gettext(msgid) == forms[0], f"the .mo is behind the .po for {msgid!r}"
    # Nothing in the .mo that the .po no longer has.
    keys = {(entry["msgid"], 0) if "msgid_plural" in entry else entry["msgid"] for entry in entries}
    assert {key for key in catalog._catalog if key != "" and not (isinstance(key, tuple) and key[1])} == keys
