"""The one error services raise for a request they refuse: what the client is told, in one shape.

`code` is what clients see (docs/protocol.md lists them), `message` is for people, `field` names
the input at fault (forms and the REST API show it there), `status` is the HTTP status it maps to,
and `extra` goes along to the client (`retry_after`, `until`, a message's `id`). It is translated
once for the sockets (metaverse/sockets.py: `{"type": "error", "code", "message", **extra}`) and
once for the REST API (metaverse/rest.py's exception handler).

`message` is in the active language: raise it with gettext (or a gettext_lazy text, read here),
so a socket's refusals come out in the socket's language (metaverse/i18n.py) and the API's in the
request's; `code` stays the same in every language."""

from typing import Any

from django.utils.functional import Promise


class AppError(Exception):
    def __init__(
        self, code: str, message: str | Promise, *, field: str | None = None, status: int = 400, **extra: Any
    ) -> None:  # fmt: skip
        message = str(message)
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.extra = extra
