"""A small asynchronous client for the Janus WebRTC server's WebSocket API: one session, plugin
handles, requests matched to their answers by transaction, and the keep-alive Janus needs to keep
the session. The web server uses it to run rooms (signaling/sfu.py); browsers speak the same API
from the page.

Every request carries a token signed with JANUS_TOKEN_SECRET (docker/janus/janus.jcfg has
`token_auth` on), made by `core_token`.
"""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import logging
import time
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

log = logging.getLogger(__name__)

SUBPROTOCOL = "janus-protocol"
REQUEST_SECONDS = 10.0  # an answer Janus has not given by then will not come
KEEPALIVE_SECONDS = 25.0  # Janus drops a session it has not heard from for 60 s
VIDEOROOM = "janus.plugin.videoroom"
AUDIOBRIDGE = "janus.plugin.audiobridge"


class JanusError(Exception):
    """Janus refused a request, or could not be reached. `code` is Janus's own (403: bad token,
    433: not allowed in this room, 426: no such room, 427: room exists), or 0 when the server could
    not be reached or answered nothing in time."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"Janus {code}: {reason}")
        self.code = code
        self.reason = reason


def core_token(
    *, secret: str, plugins: tuple[str, ...] = (VIDEOROOM, AUDIOBRIDGE), ttl: int, now: float | None = None
) -> str:
    """A token Janus's core accepts until `now + ttl` for the listed plugins:
    `<expiry>,janus,<plugins>:<base64 HMAC-SHA1 of what precedes the colon>`."""
    expires = int(time.time() if now is None else now) + ttl
    signed = f"{expires},janus,{','.join(plugins)}"
    signature = base64.b64encode(hmac.new(secret.encode(), signed.encode(), hashlib.sha1).digest()).decode()
    return f"{signed}:{signature}"


class JanusSession:
    """One Janus session over one WebSocket. Use `open`, then `attach` and `request`; `close` ends
    it. Events Janus sends on its own (a participant joining, a kick) go to `events`."""

    def __init__(self, socket: ClientConnection, token: str) -> None:
        self._socket = socket
        self._token = token
        self._transactions = (f"t{number}" for number in itertools.count(1))
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._answered_by_ack: set[str] = set()  # keep-alives: Janus's `ack` is the whole answer
        self.session_id = 0
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        self._reader = asyncio.create_task(self._read(), name="janus-reader")
        self._keepalive: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, url: str, *, token: str) -> "JanusSession":
        try:
            async with asyncio.timeout(REQUEST_SECONDS):
                socket = await connect(url, subprotocols=[SUBPROTOCOL], open_timeout=REQUEST_SECONDS, max_size=2**20)  # type: ignore[list-item]
        except (OSError, TimeoutError, WebSocketException) as error:
            raise JanusError(0, f"cannot reach Janus at {url}: {error}") from error
        session = cls(socket, token)
        try:
            answer = await session._call({"janus": "create"})
        except BaseException:
            await session.close()
            raise
        session.session_id = int(answer["data"]["id"])
        session._keepalive = asyncio.create_task(session._keep_alive(), name="janus-keepalive")
        return session

    async def attach(self, plugin: str) -> int:
        answer = await self._call({"janus": "attach", "plugin": plugin, "session_id": self.session_id})
        return int(answer["data"]["id"])

    async def request(self, handle: int, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous plugin request (create, allowed, kick, listparticipants, destroy…): the
        plugin's answer, or JanusError with the plugin's error code."""
        answer = await self._call(
            {"janus": "message", "session_id": self.session_id, "handle_id": handle, "body": body}
        )
        data: dict[str, Any] = answer.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return data

    async def message(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """An asynchronous plugin request (join, publish, configure, start…): the plugin's event
        and the session description it carries, if any."""
        message: dict[str, Any] = {"janus": "message", "session_id": self.session_id, "handle_id": handle, "body": body}
        if jsep is not None:
            message["jsep"] = jsep
        answer = await self._call(message)
        data: dict[str, Any] = answer.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return data, answer.get("jsep")

    async def close(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
        if self.session_id and self._socket.state.name == "OPEN":
            with contextlib.suppress(JanusError):
                await self._call({"janus": "destroy", "session_id": self.session_id}, seconds=2.0)
        await self._socket.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader

    @property
    def closed(self) -> bool:
        return self._reader.done()

    async def _call(self, message: dict[str, Any], *, seconds: float = REQUEST_SECONDS) -> dict[str, Any]:
        transaction = next(self._transactions)
        waiting: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[transaction] = waiting
        if message["janus"] == "keepalive":
            self._answered_by_ack.add(transaction)
        try:
            await self._socket.send(
                orjson.dumps({**message, "transaction": transaction, "token": self._token}).decode()
            )
            async with asyncio.timeout(seconds):
                answer = await waiting
        except TimeoutError:
            raise JanusError(0, f"no answer to {message['janus']} within {seconds:g} s") from None
        except (OSError, WebSocketException) as error:
            raise JanusError(0, f"the connection to Janus failed: {error}") from error
        finally:
            self._waiting.pop(transaction, None)
            self._answered_by_ack.discard(transaction)
        if answer.get("janus") == "error":
            refusal = answer.get("error", {})
            raise JanusError(int(refusal.get("code", 0)), str(refusal.get("reason", "")))
        return answer

    async def _read(self) -> None:
        try:
            async for text in self._socket:
                message = orjson.loads(text)
                kind = message.get("janus")
                transaction = message.get("transaction", "")
                waiting = self._waiting.get(transaction)
                if kind == "ack" and transaction not in self._answered_by_ack:
                    continue  # an asynchronous request's receipt; its event follows
                if waiting is not None and not waiting.done():
                    waiting.set_result(message)
                elif kind not in ("ack", "keepalive"):
                    with contextlib.suppress(asyncio.QueueFull):
                        self.events.put_nowait(message)
        except (OSError, WebSocketException, orjson.JSONDecodeError) as error:
            log.warning("janus: the session's connection ended: %s", error)
        finally:
            for waiting in self._waiting.values():
                if not waiting.done():
                    waiting.set_exception(JanusError(0, "the connection to Janus closed"))

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_SECONDS)
            try:
                await self._call({"janus": "keepalive", "session_id": self.session_id})
            except JanusError as error:
                log.warning("janus: keep-alive failed: %s", error)
                return
