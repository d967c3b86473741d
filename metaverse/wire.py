"""JSON as it arrives from clients, on every socket and every REST endpoint: parsed strictly and
within limits before any of our code looks at it.

- Size counts UTF-8 bytes, whatever the characters.
- Nesting deeper than MAX_DEPTH is refused before parsing: Python's own parser recurses and a
  few thousand brackets raise RecursionError deep inside it.
- orjson is strict where the standard library is lenient: NaN and Infinity literals, numbers too
  big for a double and unpaired surrogates are not JSON, and are refused.
- Numbers beyond ±MAX_INTEGER are refused anywhere in a message: no field ever needs one.
"""

import re
from collections.abc import Callable
from typing import Any

import orjson
from django.utils.translation import gettext

from metaverse.errors import AppError

MAX_DEPTH = 32  # our deepest message (a signal candidate) is 3 levels deep
MAX_INTEGER = 2**53  # the largest whole number the protocol uses (a move's `seq`)
_BRACKETS = re.compile(r"[\[\]{}]")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# 2^53 has 16 digits: a number written shorter and without an exponent is always within it.
_BIG_NUMBER = re.compile(r"\d{16}|\d[eE]\+?\d")


class WireError(AppError):
    """Input refused before it reached a handler (`too_large`, `invalid_json`, `invalid`)."""


def utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def nesting_depth(text: str) -> int:
    """How deep brackets nest outside strings. Only called when there are many brackets."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _check_numbers(value: Any) -> None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not -MAX_INTEGER <= value <= MAX_INTEGER:
            raise WireError("invalid", gettext("numbers must be between -2^53 and 2^53"))
    elif isinstance(value, dict):
        for item in value.values():
            _check_numbers(item)
    elif isinstance(value, list):
        for item in value:
            _check_numbers(item)


def loads(data: str | bytes, *, max_bytes: int) -> Any:
    """Parse one JSON document from a client, or raise WireError (`too_large`, `invalid_json`,
    `invalid`)."""
    size = len(data) if isinstance(data, bytes) else utf8_size(data)
    if size > max_bytes:
        raise WireError(
            "too_large", gettext("messages here are at most %(limit)d bytes (UTF-8)") % {"limit": max_bytes}
        )
    opened = data.count(b"[") + data.count(b"{") if isinstance(data, bytes) else data.count("[") + data.count("{")
    if opened > MAX_DEPTH:
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        if nesting_depth(text) > MAX_DEPTH:
            raise WireError(
                "invalid_json", gettext("JSON nested deeper than %(depth)d levels is refused") % {"depth": MAX_DEPTH}
            )
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise WireError("invalid_json", gettext("not valid JSON: %(error)s") % {"error": str(error)[:80]}) from None
    if _BIG_NUMBER.search(data if isinstance(data, str) else data.decode("utf-8", "replace")):
        _check_numbers(value)
    return value


def dumps(value: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """JSON text; `default` turns what JSON has no type for into what it has (a lazy translation
    into its text: metaverse/sockets.py)."""
    return orjson.dumps(value, default=default).decode()
