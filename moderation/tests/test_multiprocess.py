"""Moderation across real server processes sharing the database and Redis: an action taken in
a third process (this one, as the admin would, or `manage.py` in a subprocess) reaches the
sockets on both servers within a second."""

import asyncio
import json
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from websockets.exceptions import ConnectionClosed

from accounts.models import User
from metaverse.testing import need_redis, server_environment, ws_connect, ws_receive_until
from moderation.models import Action, AuditEntry
from moderation.services import ban_create, ban_lift, chat_mute, message_hide_by_moderator, player_kick
from moderation.tests.conftest import presence_of

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LIVE_SECONDS = 1.0
MEASURED = Path(settings.BASE_DIR) / "test-artifacts" / "moderation-live.json"


@pytest.fixture
def servers(server_factory, demo_worlds):
    need_redis()
    return server_factory(name="moderation-a"), server_factory(name="moderation-b")


async def connect(opened: list, server, path: str, cookie: str) -> Any:
    connection = await ws_connect(server, path, cookie)
    opened.append(connection)
    return connection


async def closed_with(connection, code: int, within: float = 5.0) -> tuple[dict, float]:
    """The `closing` message (skipping what comes before), the close frame's code, and when
    (time.monotonic()) the close frame arrived."""
    closing = await ws_receive_until(connection, "closing", within=within)
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(connection.recv(), within)
    arrived = time.monotonic()
    assert (closing["code"], connection.close_code) == (code, code)
    return closing, arrived


def record(name: str, seconds: float) -> None:
    MEASURED.parent.mkdir(exist_ok=True)
    measured = json.loads(MEASURED.read_text()) if MEASURED.exists() else {}
    measured[name] = round(seconds, 4)
    MEASURED.write_text(json.dumps(measured, indent=2, sort_keys=True))
    print(f"{name}: {seconds * 1000:.1f} ms")


async def test_a_kick_closes_the_players_sockets_on_both_processes_within_a_second(servers, cookies, opened):
    a, b = servers
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    world = await connect(opened, a, "/ws/world/demo/", cookie)
    await ws_receive_until(world, "welcome")
    chat = await connect(opened, b, "/ws/chat/demo/", cookie)
    await ws_receive_until(chat, "history")
    signal = await connect(opened, b, "/ws/signal/demo/", cookie)
    await ws_receive_until(signal, "ready")  # B's replica has alice, whose world socket is on A

    started = time.monotonic()
    await database_sync_to_async(player_kick)(user=alice, by=None, reason="test kick")
    arrivals = []
    for connection in (world, chat, signal):
        closing, arrived = await closed_with(connection, 4010)
        assert closing["message"] == "A moderator removed you from the world. You may come back. Reason: test kick"
        arrivals.append(arrived - started)
    record("kick_across_processes_seconds", max(arrivals))
    assert max(arrivals) < LIVE_SECONDS, arrivals

    again = await connect(opened, b, "/ws/world/demo/", cookie)  # they may come back
    assert (await ws_receive_until(again, "welcome"))["you"]["id"] == alice.pk


async def test_a_ban_from_the_command_line_closes_a_socket_on_another_process_and_refuses_it_everywhere(
    servers, cookies, opened
):
    a, b = servers
    cookie = await database_sync_to_async(cookies)("alice")
    world = await connect(opened, b, "/ws/world/demo/", cookie)
    await ws_receive_until(world, "welcome")

    async def banned_by_command() -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "manage.py", "ban", "alice", "--for", "1h", "--reason", "spam"],
            cwd=settings.BASE_DIR, env=server_environment(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    command = asyncio.ensure_future(banned_by_command())
    closing, _ = await closed_with(world, 4003, within=30)
    closed_at = time.time()
    done = await command
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    entry = await database_sync_to_async(AuditEntry.objects.get)(action=Action.BAN)
    # From the moment the command stored the ban to the close frame on the other process.
    delay = closed_at - entry.created_at.timestamp()
    record("ban_by_command_across_processes_seconds", delay)
    assert 0 < delay < LIVE_SECONDS
    assert closing["message"].startswith("You are banned until ")
    assert closing["message"].endswith(" UTC. Reason: spam")

    for server, path in ((a, "/ws/world/demo/"), (b, "/ws/chat/demo/"), (a, "/ws/signal/demo/")):
        refused = await connect(opened, server, path, cookie)
        again, _ = await closed_with(refused, 4003)
        assert again["message"] == closing["message"], path


async def test_an_address_ban_keeps_new_guests_from_that_address_out_until_lifted(servers, cookies, opened):
    a, b = servers
    gus_cookie = await database_sync_to_async(cookies)("gus", guest=True)
    gus = await database_sync_to_async(User.objects.get)(username="gus")
    world = await connect(opened, a, "/ws/world/demo/", gus_cookie)
    await ws_receive_until(world, "welcome")
    presence = await presence_of(gus)
    assert presence.address == "127.0.0.1"  # what daphne reported for this client

    ban = await database_sync_to_async(ban_create)(user=gus, by=None, reason="raid", ip=presence.address)
    await closed_with(world, 4003)
    newcomer = await database_sync_to_async(cookies)("gus2", guest=True)
    refused = await connect(opened, b, "/ws/world/demo/", newcomer)
    closing, _ = await closed_with(refused, 4003)
    assert closing["message"] == "Connections from your address are banned for good. Reason: raid"

    await database_sync_to_async(ban_lift)(ban=ban, by=None)
    back = await connect(opened, b, "/ws/world/demo/", newcomer)
    assert (await ws_receive_until(back, "welcome"))["you"]["name"] == "Gus2"


async def test_mute_and_hide_reach_chats_on_another_process(servers, cookies, opened):
    a, b = servers
    alice_cookie = await database_sync_to_async(cookies)("alice")
    bob_cookie = await database_sync_to_async(cookies)("bob")
    bob = await database_sync_to_async(User.objects.get)(username="bob")
    alice_chat = await connect(opened, a, "/ws/chat/demo/", alice_cookie)
    await ws_receive_until(alice_chat, "history")
    bob_chat = await connect(opened, b, "/ws/chat/demo/", bob_cookie)
    await ws_receive_until(bob_chat, "history")

    await bob_chat.send(json.dumps({"type": "send", "scope": "world", "text": "you are all idiots"}))
    said = (await ws_receive_until(alice_chat, "message"))["message"]
    from chat.models import Message

    message = await database_sync_to_async(Message.objects.get)(pk=said["id"])
    started = time.monotonic()
    await database_sync_to_async(message_hide_by_moderator)(message=message, by=None, reason="insult")
    assert (await ws_receive_until(alice_chat, "message_hidden", within=LIVE_SECONDS))["id"] == said["id"]
    record("hide_across_processes_seconds", time.monotonic() - started)

    mute = await database_sync_to_async(chat_mute)(user=bob, by=None, reason="flood", duration=timedelta(hours=1))
    await bob_chat.send(json.dumps({"type": "send", "scope": "world", "text": "still here"}))
    error = await ws_receive_until(bob_chat, "error", within=LIVE_SECONDS)
    assert (error["code"], error["until"]) == ("muted", mute.until.isoformat())
