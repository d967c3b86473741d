"""The REST API's edges: request bodies read with the sockets' strict parser (metaverse/wire.py),
so a body no view can use is a 400 {"detail": ...}, never a 500; and the one translation of the
services' AppError into a response."""

import codecs
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from metaverse import wire
from metaverse.errors import AppError

# The largest honest body is a report: a 1000-character reason, at most 12 bytes a character when
# sent as \u escapes (a surrogate pair for two), so 12 KB. Five times that leaves room for fields
# we add, while nobody can make a server read megabytes only to refuse them.
MAX_BODY_BYTES = 64 * 1024


class StrictJSONParser(parsers.JSONParser):
    """The API's one parser: JSON as RFC 8259 defines it, at most MAX_BODY_BYTES, nested at most
    wire.MAX_DEPTH deep, whole numbers within ±2^53. No view takes a form: those get 415."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        # One byte past the limit is enough to refuse a body without reading the rest of it.
        data: bytes = stream.read(MAX_BODY_BYTES + 1)
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            text: str | bytes = data if codecs.lookup(encoding).name == "utf-8" else data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            raise ParseError(gettext("the body is not valid %(encoding)s text") % {"encoding": encoding}) from None
        try:
            return wire.loads(text, max_bytes=MAX_BODY_BYTES)
        except wire.WireError as error:
            raise ParseError(error.message) from None


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """An AppError answers with its status: the message under its field (400 `{"user": [...]}`,
    as DRF's own validation errors do), or `{"detail", ...extra}` when it names no field (429s
    also say when to try again, in `Retry-After`)."""
    if not isinstance(error, AppError):
        # Imported here: rest_framework.views reads the parser classes (ours, above) as it loads.
        from rest_framework.views import exception_handler as drf_exception_handler

        return drf_exception_handler(error, context)
    if error.field is not None and error.status == 400:
        return Response({error.field: [error.message]}, status=400)
    headers = {"Retry-After": str(int(error.extra["retry_after"]))} if "retry_after" in error.extra else None
    return Response({"detail": error.message, **error.extra}, status=error.status, headers=headers)
