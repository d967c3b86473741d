"""Small client messages read and handed over where the server reads them.

A walking player sends ~5 moves a second, each a WebSocket frame of ~60 bytes. Through the
usual path each one costs autobahn's frame machinery (a dozen Python calls per frame: frame
header object, masker, UTF-8 validator, message and frame callbacks), then daphne's queue and
a wake-up of the socket's task: at 600 players that was a fifth of the server's event loop
(docs/performance.md). Two shortcuts, both taken only when nothing is left over from before,
so messages keep their order:

- `small_text_frames` reads the complete, unfragmented, masked text frames of up to 125 bytes at
  the start of what the connection received, unmasks them and checks their UTF-8 in one go.
  Anything else (control frames, fragments, bigger or invalid frames, a frame cut off at the
  end of the read) is left, with everything after it, to autobahn, which handles it as before
  (and fails the connection for what RFC 6455 forbids).
- An `InlineSlot` in each WebSocket's scope lets the socket take a message as it is read
  (`JsonSocketConsumer.receive_inline`): the world socket applies a move at once, and leaves
  everything else to its queue.

`manage.py serve` uses both when FAST_SOCKET_READS is on (metaverse/serving.py); tests through
channels' communicator and other ASGI servers have neither, and every message takes the queue.
The reader looks at autobahn's and daphne's private state to know that nothing is pending, so
`check` first makes sure that state is still there, and start-up stops otherwise.
"""

from collections.abc import Callable

import autobahn
from daphne.ws_protocol import WebSocketProtocol

# Where a WebSocket's scope carries its InlineSlot, when the server offers one.
SCOPE_KEY = "metaverse.inline_receive"

_TEXT_FINAL = 0x81  # FIN bit, no extension bits, opcode 1 (text)
_HEADER = 6  # two bytes, then the four of the mask: payloads under 126 bytes need no more


# What ReasonedWebSocketProtocol._dataReceived reads or calls of autobahn's and daphne's protocol.
RELIED_ON = (
    "_dataReceived",
    "state",
    "STATE_OPEN",
    "data",
    "current_frame",
    "inside_message",
    "_perMessageCompress",
    "logOctets",
    "logFrames",
    "trackedTimings",
    "autoPingTimeoutCall",
    "autoPingRestartOnAnyTraffic",
    "_cancelAutoPingTimeoutCall",
    "muted",
    "last_ping",
    "application_queue",
)


class AutobahnChanged(RuntimeError):
    pass


def missing_attributes() -> list[str]:
    """The attributes in RELIED_ON that daphne's WebSocket protocol no longer has: on a class of
    its hierarchy, or set by one of their methods."""
    known = set(dir(WebSocketProtocol))
    for cls in WebSocketProtocol.__mro__:
        for member in vars(cls).values():
            known.update(getattr(getattr(member, "__code__", None), "co_names", ()))
    return [name for name in RELIED_ON if name not in known]


def check() -> None:
    missing = missing_attributes()
    if missing:
        raise AutobahnChanged(
            f"metaverse/inbound.py relies on WebSocket protocol attributes that autobahn {autobahn.__version__} "
            f"and this daphne no longer have: {', '.join(missing)}. Set FAST_SOCKET_READS=0 to serve without "
            f"the fast read path, and adapt ReasonedWebSocketProtocol._dataReceived to them."
        )


class InlineSlot:
    """Holds the socket's handler for messages as they are read: it returns True for a message it
    handled, False for one the server should queue as usual."""

    __slots__ = ("handler",)

    def __init__(self) -> None:
        self.handler: Callable[[str], bool] | None = None


def small_text_frames(data: bytes) -> tuple[list[str], int]:
    """The text of each complete small text frame at the start of `data` (client frames: final,
    masked, 1-125 bytes of valid UTF-8), and how many bytes of `data` they took."""
    texts: list[str] = []
    at, end = 0, len(data)
    while end - at >= _HEADER and data[at] == _TEXT_FINAL:
        second = data[at + 1]
        if not 0x80 < second < 0x80 + 126:  # unmasked, empty, or a longer length follows
            break
        length = second - 0x80
        stop = at + _HEADER + length
        if stop > end:
            break
        mask = data[at + 2 : at + _HEADER] * (length // 4 + 1)
        payload = int.from_bytes(data[at + _HEADER : stop], "little") ^ int.from_bytes(mask[:length], "little")
        try:
            texts.append(payload.to_bytes(length, "little").decode("utf-8"))
        except UnicodeDecodeError:
            break
        at = stop
    return texts, at
