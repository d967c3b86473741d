"""Frames leave for the client as they are written, not on the event loop's next turn.

Twisted's TCP transport never sends from `write`: it queues the bytes, registers the socket with
epoll, sends on the next loop iteration and unregisters. For a world tick that is three system
calls and two selector updates per frame, and no client gets its frame until every frame of the
tick has been queued. With hundreds of players that write path was a quarter of the server's time
(docs/performance.md). asyncio's own transports send at once when nothing is queued; this gives
daphne's plain-TCP connections the same behaviour. Anything that cannot be sent at once (a full
socket buffer, an error) takes Twisted's usual path, which also reports a lost connection the
usual way. TLS connections are left alone (a proxy terminates TLS in our deployments).
"""

from typing import Any

from twisted.internet import tcp

_queued_write = tcp.Connection.write


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


def install() -> None:
    """Make every plain-TCP connection of this process (daphne's included) write at once."""
    tcp.Connection.write = write_now  # type: ignore[method-assign]
