"""WebSocket frames built once and written to many connections.

A server's frames are never masked (RFC 6455, section 5.1), so the bytes of one text frame are
the same whichever client they go to. The world tick sends the same `moved` list to everyone
standing in the same area: it encodes that frame once and writes the same bytes to each of
their connections, instead of handing each connection its own copy of the text to encode and
frame (channels, daphne and autobahn, per player per tick; docs/performance.md).

The writing itself is the server's: `manage.py serve` puts a writer for each WebSocket in its
scope (metaverse/serving.py). Under another server, or in tests through channels' communicator,
there is none and the socket base sends the text the usual way (metaverse/sockets.py).
"""

from collections.abc import Callable

FrameWriter = Callable[[bytes], None]

# Where a WebSocket's scope carries its frame writer, when the server offers one.
SCOPE_KEY = "metaverse.write_frame"

_TEXT_FINAL = 0x81  # FIN bit and opcode 1 (text)


def text_frame(text: str) -> bytes:
    """One unmasked, unfragmented text frame carrying `text`."""
    payload = text.encode()
    length = len(payload)
    if length < 126:
        header = bytes((_TEXT_FINAL, length))
    elif length < 1 << 16:
        header = bytes((_TEXT_FINAL, 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((_TEXT_FINAL, 127)) + length.to_bytes(8, "big")
    return header + payload
