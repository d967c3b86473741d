"""A small WebSocket client (RFC 6455) for the load generator: text messages, pings, closing.

The load generator plays hundreds of clients from one or two processes and measures latency at
the socket. A general-purpose client library spends tens of microseconds of Python per frame
(a parser generator, a message assembler, a task woken per frame), which at 6,000 frames a
second made the generator, not the server, the slowest part of the measurement. This one parses
the frames of each read in one loop and hands each text message to a callback with the time
the bytes were read.
"""

import asyncio
import base64
import hashlib
import os
import ssl
import struct
import time
from collections.abc import Callable
from urllib.parse import urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_HANDSHAKE_BYTES = 64 * 1024

# Called with the message and the monotonic time (µs) its last bytes were read from the socket.
TextHandler = Callable[[str, int], None]


class WebSocketError(Exception):
    pass


def now_us() -> int:
    """CLOCK_MONOTONIC in microseconds: the same clock in every process on this host."""
    return time.monotonic_ns() // 1000


def mask_frame(opcode: int, payload: bytes) -> bytes:
    """A complete client frame (clients must mask what they send)."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    mask = os.urandom(4)
    if not length:
        return header + mask
    repeated = (mask * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(length, "big")
    return header + mask + masked


class WebSocketClient(asyncio.Protocol):
    def __init__(self, on_text: TextHandler | None = None) -> None:
        self.on_text = on_text
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()  # the close code, when it closes
        self._handshake: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._upgraded = False
        self._buffer = bytearray()
        self._fragments: list[bytes] = []
        self._queue: asyncio.Queue[str] = asyncio.Queue()

    @classmethod
    async def connect(
        cls, url: str, *, headers: dict[str, str], open_timeout: float = 60.0, on_text: TextHandler | None = None
    ) -> "WebSocketClient":
        parts = urlsplit(url)
        secure = parts.scheme == "wss"
        host = parts.hostname or ""
        port = parts.port or (443 if secure else 80)
        loop = asyncio.get_running_loop()
        context = ssl.create_default_context() if secure else None
        async with asyncio.timeout(open_timeout):
            _, client = await loop.create_connection(lambda: cls(on_text), host, port, ssl=context)
            await client._upgrade(parts.netloc, parts.path + (f"?{parts.query}" if parts.query else ""), headers)
        return client

    async def _upgrade(self, netloc: str, path: str, headers: dict[str, str]) -> None:
        assert self.transport is not None
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path or '/'} HTTP/1.1", f"Host: {netloc}", "Upgrade: websocket", "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]  # fmt: skip
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = (await self._handshake).decode("latin-1")
        status, *fields = head.split("\r\n")
        if not status.startswith("HTTP/1.1 101"):
            raise WebSocketError(f"the server refused the WebSocket: {status}")
        accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        received = {name.strip().lower(): value.strip() for name, _, value in (f.partition(":") for f in fields)}
        if received.get("sec-websocket-accept") != accept:
            raise WebSocketError("the server's Sec-WebSocket-Accept does not match the key")

    # --- asyncio.Protocol -----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        read_at = now_us()
        self._buffer += data
        if not self._upgraded:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HANDSHAKE_BYTES:
                    self._fail(WebSocketError("the handshake response is too large"))
                return
            head = bytes(self._buffer[:end])
            del self._buffer[: end + 4]
            self._upgraded = True
            if not self._handshake.done():
                self._handshake.set_result(head)
        self._parse(read_at)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._handshake.done():
            self._handshake.set_exception(exc or WebSocketError("the server closed the connection"))
        if not self.closed.done():
            self.closed.set_result(1006)

    # --- frames ---------------------------------------------------------------------------------

    def _parse(self, read_at: int) -> None:
        buffer = self._buffer
        offset = 0
        size = len(buffer)
        while size - offset >= 2:
            first, second = buffer[offset], buffer[offset + 1]
            length = second & 0x7F
            start = offset + 2
            if length == 126:
                if size - start < 2:
                    break
                (length,) = struct.unpack_from("!H", buffer, start)
                start += 2
            elif length == 127:
                if size - start < 8:
                    break
                (length,) = struct.unpack_from("!Q", buffer, start)
                start += 8
            if second & 0x80:
                self._fail(WebSocketError("the server sent a masked frame"))
                return
            end = start + length
            if end > size:
                break
            self._frame(first & 0x80, first & 0x0F, bytes(buffer[start:end]), read_at)
            offset = end
        if offset:
            del buffer[:offset]

    def _frame(self, fin: int, opcode: int, payload: bytes, read_at: int) -> None:
        if opcode == OP_PING:
            self._write(OP_PONG, payload)
        elif opcode == OP_CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self._write(OP_CLOSE, payload[:2])
            if not self.closed.done():
                self.closed.set_result(code)
            if self.transport is not None:
                self.transport.close()
        elif opcode in (OP_TEXT, OP_BINARY, OP_CONTINUATION):
            self._fragments.append(payload)
            if fin:
                message = b"".join(self._fragments)
                self._fragments.clear()
                text = message.decode("utf-8", errors="replace")
                if self.on_text is not None:
                    self.on_text(text, read_at)
                else:
                    self._queue.put_nowait(text)

    def _fail(self, error: Exception) -> None:
        if not self._handshake.done():
            self._handshake.set_exception(error)
        if self.transport is not None:
            self.transport.abort()

    def _write(self, opcode: int, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(mask_frame(opcode, payload))

    # --- for the caller -------------------------------------------------------------------------

    @property
    def open(self) -> bool:
        return self.transport is not None and not self.transport.is_closing() and not self.closed.done()

    def send_text(self, text: str) -> bool:
        """Send one text message; False if the connection is closed."""
        if not self.open:
            return False
        self._write(OP_TEXT, text.encode())
        return True

    def listen(self, on_text: TextHandler) -> None:
        """From now on hand every message to `on_text` (first those already waiting)."""
        self.on_text = on_text
        while not self._queue.empty():
            on_text(self._queue.get_nowait(), now_us())

    async def recv(self) -> str:
        """The next text message, for clients without an `on_text` handler."""
        if self._queue.empty() and self.closed.done():
            raise WebSocketError(f"the connection is closed (code {self.closed.result()})")
        getter = asyncio.ensure_future(self._queue.get())
        done, _ = await asyncio.wait({getter, self.closed}, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        raise WebSocketError(f"the connection closed (code {self.closed.result()})")

    async def close(self, code: int = 1000) -> None:
        if self.open:
            self._write(OP_CLOSE, struct.pack("!H", code))
            try:
                async with asyncio.timeout(5):
                    await asyncio.shield(self.closed)
            except TimeoutError:
                pass
        if self.transport is not None:
            self.transport.close()
