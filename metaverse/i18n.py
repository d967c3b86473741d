"""Languages: which one a socket speaks, and texts translated where they are shown.

A page speaks the visitor's language by Django's LocaleMiddleware: the `django_language` cookie
(the language picker sets it), then Accept-Language, then LANGUAGE_CODE. A socket chooses once,
when it connects, by the same rules (`scope_language`), and every `message` the server sends it
is in that language; the `code`s never change (docs/protocol.md, "Language").

A text that crosses processes (a kick, a ban, a log-out closing sockets elsewhere) travels
untranslated, as a `Text`: its sentences as msgids with their values, each translated by the
socket that shows it, into that socket's language (`render`).
"""

from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http.cookie import parse_cookie
from django.utils import translation

# Sentences, each [msgid, {name: value}], shown joined with spaces. Lists and dicts of strings:
# the channel layer carries them as they are.
Text = list[list[Any]]


def text(msgid: str, **values: Any) -> Text:
    """One sentence, translated when shown. Mark `msgid` with gettext_noop for makemessages."""
    return [[msgid, values]]


def render(parts: Text) -> str:
    """A Text in the active language (a msgid with no translation reads as written: English)."""
    return " ".join(
        translation.gettext(msgid) % values if values else translation.gettext(msgid) for msgid, values in parts
    )


def scope_language(scope: dict[str, Any]) -> str:
    """The language for a socket: Django's choice for a request with this scope's cookies and
    Accept-Language header (the cookie when it names a language of LANGUAGES, then the header's
    first supported one, then LANGUAGE_CODE)."""
    cookies = scope.get("cookies")
    accept = ""
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            accept = value.decode("latin1")
        elif name == b"cookie" and cookies is None:
            cookies = parse_cookie(value.decode("latin1"))
    request = SimpleNamespace(COOKIES=cookies or {}, META={"HTTP_ACCEPT_LANGUAGE": accept})
    language: str = translation.get_language_from_request(request)  # type: ignore[arg-type]
    return language or settings.LANGUAGE_CODE
