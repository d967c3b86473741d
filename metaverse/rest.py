"""Request bodies of the REST API: read with the sockets' strict parser (metaverse/wire.py), so a
body no view can use is a 400 {"detail": ...}, never a 500."""

import codecs
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from metaverse import wire

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
            raise ParseError(f"the body is not valid {encoding} text") from None
        try:
            return wire.loads(text, max_bytes=MAX_BODY_BYTES)
        except wire.WireError as error:
            raise ParseError(error.message) from None
