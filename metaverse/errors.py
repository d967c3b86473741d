"""The one error services raise for a request they refuse: what the client is told, in one shape.

`code` is what clients see (docs/protocol.md lists them), `message` is for people, `field` names
the input at fault (forms and the REST API show it there), `status` is the HTTP status it maps to,
and `extra` goes along to the client (`retry_after`, `until`, a message's `id`). It is translated
once for the sockets (metaverse/sockets.py: `{"type": "error", "code", "message", **extra}`) and
once for the REST API (metaverse/rest.py's exception handler)."""

from typing import Any


class AppError(Exception):
    def __init__(
        self, code: str, message: str, *, field: str | None = None, status: int = 400, **extra: Any
    ) -> None:  # fmt: skip
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.extra = extra
