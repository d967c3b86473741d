"""Frames leave for the client as they are written, not on the event loop's next turn.

Twisted's TCP transport never sends from `write`: it queues the bytes, registers the socket with
epoll, sends on the next loop iteration and unregisters. For a world tick that is three system
calls and two selector updates per frame, and no client gets its frame until every frame of the
tick has been queued. With hundreds of players that write path was a quarter of the server's time
(docs/performance.md). asyncio's own transports send at once when nothing is queued; this gives
daphne's plain-TCP connections the same behaviour. Anything that cannot be sent at once (a full
socket buffer, an error) takes Twisted's usual path, which also reports a lost connection the
usual way. TLS connections are left alone (a proxy terminates TLS in our deployments).

`manage.py serve` installs it when FAST_SOCKET_WRITES is on (metaverse/serving.py). It reads
Twisted's private state, so `install` first checks that state is still there and refuses to
start otherwise: an upgrade that renamed it must not silently send bytes out of order.
"""

from typing import Any

import twisted
from twisted.internet import tcp

_queued_write = tcp.Connection.write
# What write_now reads of a connection, Twisted's private attributes among them.
RELIED_ON = (
    "TLS",
    "connected",
    "disconnecting",
    "_writeDisconnected",
    "_tempDataBuffer",
    "offset",
    "dataBuffer",
    "socket",
)


class TwistedChanged(RuntimeError):
    pass


def write_now(transport: Any, data: bytes) -> None:
    """`tcp.Connection.write`, sending at once when nothing is queued before `data`."""
    if (
        data
        and not transport.TLS
        and transport.connected
        and not transport.disconnecting
        and not transport._writeDisconnected
        and not transport._tempDataBuffer
        and transport.offset == len(transport.dataBuffer)
        and isinstance(data, bytes)
    ):
        try:
            sent = transport.socket.send(data)
        except OSError:  # would block, interrupted or broken: Twisted's path retries or reports it
            sent = 0
        if sent == len(data):
            return
        data = data[sent:]
    _queued_write(transport, data)


def missing_attributes() -> list[str]:
    """The attributes in RELIED_ON that Twisted's TCP connection no longer has: on the class, or
    set by one of its classes' __init__."""
    known = set(dir(tcp.Connection))
    for cls in tcp.Connection.__mro__:
        init = cls.__dict__.get("__init__")
        known.update(getattr(getattr(init, "__code__", None), "co_names", ()))
    return [name for name in RELIED_ON if name not in known]


def install() -> None:
    """Make every plain-TCP connection of this process (daphne's included) write at once."""
    missing = missing_attributes()
    if missing:
        raise TwistedChanged(
            f"metaverse/transport.py relies on twisted.internet.tcp.Connection attributes that Twisted "
            f"{twisted.__version__} no longer has: {', '.join(missing)}. Set FAST_SOCKET_WRITES=0 to serve "
            f"without the fast write path, and adapt write_now to this Twisted."
        )
    tcp.Connection.write = write_now  # type: ignore[method-assign]


def uninstall() -> None:
    tcp.Connection.write = _queued_write  # type: ignore[method-assign]
