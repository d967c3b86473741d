"""What the signaling tests share: placing and walking players, socket adapters. (Media that
needs no device: signaling/synthetic.py.)"""

import asyncio
import json
import math
from typing import Any

import ifaddr

from conftest import open_socket, receive_until
from signaling.bot import SocketClosed
from world.services import PositionRow, positions_save

# A stretch of the demo Lobby with no wall on row 25 between x=20 and x=47, away from the spawn
# tiles (32–34, 25–27): 5 tiles apart nobody is in contact (talk radius 2.5), 2 apart they are.
ROW = 25.5
ALICE_X, BOB_FAR_X, BOB_NEAR_X = 24.5, 29.5, 26.5
STEP = 0.4  # tiles per move, 10 moves a second: 4 tiles/s, under the walking speed


def place(user: Any, world: Any, x: float, y: float = ROW) -> None:
    """Where the world puts the player on connecting: as if they had left from there."""
    positions_save(world_id=world.pk, rows=[PositionRow(user_id=user.pk, x=x, y=y, direction="down", zone="")])


async def walk(socket: Any, *, start: tuple[float, float], goal: tuple[float, float], seq: int) -> int:
    """Send valid moves from `start` to `goal` in a straight line; returns the next seq."""
    (x, y), (goal_x, goal_y) = start, goal
    distance = math.hypot(goal_x - x, goal_y - y)
    steps = max(1, math.ceil(distance / STEP))
    direction = "right" if goal_x > x else "left" if goal_x < x else "down" if goal_y > y else "up"
    for step in range(1, steps + 1):
        await asyncio.sleep(0.1)
        here_x, here_y = x + (goal_x - x) * step / steps, y + (goal_y - y) * step / steps
        await socket.send_json(
            {"type": "move", "x": here_x, "y": here_y, "dir": direction, "moving": step < steps, "seq": seq}
        )
        seq += 1
    return seq


def host_address() -> str | None:
    """An IPv4 address of this machine other than loopback: aiortc gathers no loopback candidates."""
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str) and not ip.ip.startswith("127."):
                return ip.ip
    return None


RECEIVE_SECONDS = 30  # longer than any quiet spell in these tests; a silent socket fails the test


class CommunicatorSocket:
    """A WebsocketCommunicator on the in-process ASGI app, as the JsonSocket the bot code uses."""

    def __init__(self, communicator: Any) -> None:
        self.communicator = communicator

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.communicator.send_json_to(message)

    async def receive_json(self) -> dict[str, Any]:
        output = await self.communicator.receive_output(timeout=RECEIVE_SECONDS)
        if output["type"] == "websocket.close":
            raise SocketClosed(output.get("code"), output.get("reason", ""))
        message: dict[str, Any] = json.loads(output["text"])
        return message

    async def close(self) -> None:
        await self.communicator.disconnect()


class Player:
    """A test player's two sockets on one world."""

    def __init__(self, world, signal, welcome, ready):
        self.world, self.signal, self.welcome, self.ready = world, signal, welcome, ready
        self.id = welcome["you"]["id"]
        self.seq = 1

    async def walk_to(self, x, y=ROW):
        you = self.welcome["you"]
        start = getattr(self, "at", (you["x"], you["y"]))
        self.seq = await walk(CommunicatorSocket(self.world), start=start, goal=(x, y), seq=self.seq)
        self.at = (x, y)

    async def leave(self):
        for socket in (self.signal, self.world):
            await socket.disconnect()


async def enter(cookie, slug="demo"):
    world = await open_socket(f"/ws/world/{slug}/", cookie=cookie)
    welcome = await receive_until(world, "welcome")
    signal = await open_socket(f"/ws/signal/{slug}/", cookie=cookie)
    ready = await receive_until(signal, "ready")
    return Player(world, signal, welcome, ready)


async def in_contact(alice, bob):
    """Bob walks up to alice; returns when both world sockets have said so."""
    await bob.walk_to(BOB_NEAR_X)
    await receive_until(alice.world, "contacts", where=lambda m: bob.id in m["added"])
    await receive_until(bob.world, "contacts", where=lambda m: alice.id in m["added"])
