"""Signaling across two real server processes on Redis, with the `websockets` client library:
the contact check on each process's replica, relaying between processes, hang-ups from both."""

import asyncio
from typing import Any

import pytest

from metaverse.testing import need_redis
from signaling.bot import ClientSocket, expect
from signaling.tests.helpers import BOB_FAR_X, BOB_NEAR_X, ROW, walk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.multiprocess, pytest.mark.slow]

SDP = "v=0\r\no=- 7745 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


@pytest.fixture
def servers(lobby, server_factory):
    need_redis()
    return server_factory(name="signal-one"), server_factory(name="signal-two")


async def until(socket: ClientSocket, kind: str, where=lambda message: True, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            message = await expect(socket, kind)
            if where(message):
                return message


class Remote:
    """A player whose world and signal sockets may be on different server processes."""

    def __init__(self, cookie, world_server, signal_server):
        self.cookie, self.world_server, self.signal_server = cookie, world_server, signal_server

    async def enter(self):
        self.world = await ClientSocket.open(
            f"{self.world_server.ws_url}/ws/world/demo/", cookie=self.cookie, origin=self.world_server.http_url
        )
        self.welcome = await expect(self.world, "welcome")
        self.id = self.welcome["you"]["id"]
        self.at = (self.welcome["you"]["x"], self.welcome["you"]["y"])
        self.seq = 1
        url = f"{self.signal_server.ws_url}/ws/signal/demo/"
        self.signal = await ClientSocket.open(url, cookie=self.cookie, origin=self.signal_server.http_url)
        self.ready = await expect(self.signal, "ready")
        return self

    async def walk_to(self, x):
        self.seq = await walk(self.world, start=self.at, goal=(x, ROW), seq=self.seq)
        self.at = (x, ROW)

    async def leave(self):
        await self.signal.close()
        await self.world.close()


async def call_and_hang_up(alice: Remote, bob: Remote) -> None:
    await alice.signal.send_json({"type": "offer", "to": bob.id, "sdp": SDP})
    refused = await until(alice.signal, "error")
    assert (refused["code"], refused["to"]) == ("not_in_contact", bob.id)

    await bob.walk_to(BOB_NEAR_X)
    await until(alice.world, "contacts", lambda m: bob.id in m["added"])
    await alice.signal.send_json({"type": "offer", "to": bob.id, "sdp": SDP})
    assert await until(bob.signal, "offer") == {"type": "offer", "from": alice.id, "polite": True, "sdp": SDP}
    await bob.signal.send_json({"type": "answer", "to": alice.id, "sdp": SDP})
    assert await until(alice.signal, "answer") == {"type": "answer", "from": bob.id, "polite": False, "sdp": SDP}
    candidate = {"candidate": "candidate:1 1 udp 2122260223 192.0.2.2 5000 typ host", "sdpMid": "0"}
    await bob.signal.send_json({"type": "candidate", "to": alice.id, "candidate": candidate})
    relayed = await until(alice.signal, "candidate")
    assert relayed["from"] == bob.id
    assert relayed["candidate"]["candidate"] == candidate["candidate"]

    await bob.walk_to(BOB_FAR_X)
    assert await until(alice.signal, "hangup") == {"type": "hangup", "from": bob.id, "reason": "contact_ended"}
    assert await until(bob.signal, "hangup") == {"type": "hangup", "from": alice.id, "reason": "contact_ended"}


async def test_players_on_two_processes_signal_to_each_other_only_while_in_contact(lobby, servers):
    one, two = servers
    alice = await Remote(lobby["alice"][1], one, one).enter()
    bob = await Remote(lobby["bob"][1], two, two).enter()
    try:
        await call_and_hang_up(alice, bob)
    finally:
        await alice.leave()
        await bob.leave()


async def test_signal_sockets_on_another_process_than_their_world_sockets(lobby, servers):
    one, two = servers
    alice = await Remote(lobby["alice"][1], one, two).enter()
    bob = await Remote(lobby["bob"][1], two, one).enter()
    try:
        await call_and_hang_up(alice, bob)
    finally:
        await alice.leave()
        await bob.leave()
