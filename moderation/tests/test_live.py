"""Moderation on open connections, through the real ASGI application: kicks and bans close every
socket a player has (world, chat, signal) at once, bans refuse new ones, mutes and hides show
on the next message."""

import asyncio
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async

from accounts.models import User
from conftest import expect_close, receive_until
from moderation.models import Action, AuditEntry, Ban
from moderation.services import (
    ban_create,
    ban_lift,
    chat_mute,
    chat_unmute,
    message_hide_by_moderator,
    player_kick,
)
from moderation.tests.conftest import presence_of, world_message

pytestmark = pytest.mark.django_db(transaction=True)

LIVE_SECONDS = 1.0


async def closed_with(socket, code: int) -> dict:
    """The closing message (skipping the ticks sent before it), then the close frame."""
    closing = await receive_until(socket, "closing")
    assert closing["code"] == code
    assert await socket.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": code,
        "reason": closing["reason"],
    }
    return closing


async def closes_within(sockets: list, code: int, started: float) -> list[dict]:
    closings = [await closed_with(socket, code) for socket in sockets]
    elapsed = time.monotonic() - started
    assert elapsed < LIVE_SECONDS, f"closed after {elapsed:.3f}s"
    return closings


async def test_kick_closes_world_chat_and_signal_sockets_at_once(demo_worlds, cookies, mona, sockets):
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    world, _ = await sockets.world(cookie)
    chat, _ = await sockets.chat(cookie)
    signal = await sockets.signal(cookie)

    started = time.monotonic()
    await database_sync_to_async(player_kick)(user=alice, by=mona, reason="shouting in the lobby")
    closings = await closes_within([world, chat, signal], 4010, started)
    assert {closing["reason"] for closing in closings} == {"kicked"}
    assert closings[0]["message"] == (
        "A moderator removed you from the world. You may come back. Reason: shouting in the lobby"
    )
    entry = await database_sync_to_async(AuditEntry.objects.get)()
    assert (entry.action, entry.actor_id, entry.target_id, entry.reason) == (
        Action.KICK, mona.pk, alice.pk, "shouting in the lobby"
    )  # fmt: skip

    # They may come back.
    _again, welcome = await sockets.world(cookie)
    assert welcome["you"]["id"] == alice.pk


async def test_kick_leaves_other_players_connected(demo_worlds, cookies, mona, sockets):
    alice = await database_sync_to_async(cookies)("alice")
    bob = await database_sync_to_async(cookies)("bob")
    alice_world, _ = await sockets.world(alice)
    bob_world, bob_welcome = await sockets.world(bob)
    bob_id = bob_welcome["you"]["id"]
    await receive_until(alice_world, "tick", where=lambda m: bob_id in [p["id"] for p in m.get("entered", [])])
    bob_user = await database_sync_to_async(User.objects.get)(username="bob")
    await database_sync_to_async(player_kick)(user=bob_user, by=mona, reason="")
    closing = await closed_with(bob_world, 4010)
    assert closing["message"] == "A moderator removed you from the world. You may come back."
    await bob_world.disconnect()  # as the browser answers the close frame
    left = await receive_until(alice_world, "tick", where=lambda m: bob_id in m.get("left", []))
    assert left["left"] == [bob_id]
    await alice_world.send_json_to({"type": "ping", "t": 1})
    assert (await receive_until(alice_world, "pong"))["t"] == 1


async def test_ban_closes_open_sockets_and_refuses_new_ones_with_its_term_and_reason(
    demo_worlds, cookies, mona, sockets
):
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    world, _ = await sockets.world(cookie)
    chat, _ = await sockets.chat(cookie)

    started = time.monotonic()
    ban = await database_sync_to_async(ban_create)(user=alice, by=mona, reason="spam", duration=timedelta(hours=2))
    closings = await closes_within([world, chat], 4003, started)
    expected = f"You are banned until {ban.until.strftime('%Y-%m-%d %H:%M')} UTC. Reason: spam"
    assert [(c["reason"], c["message"]) for c in closings] == [("banned", expected)] * 2

    for path in ("/ws/world/demo/", "/ws/chat/demo/", "/ws/signal/demo/"):
        refused = await sockets.open(path, cookie)
        closing = await expect_close(refused, 4003)
        assert closing["message"] == expected, path

    await database_sync_to_async(ban_lift)(ban=ban, by=mona, reason="appealed")
    _, welcome = await sockets.world(cookie)
    assert welcome["you"]["id"] == alice.pk


async def test_a_ban_for_good_says_so(demo_worlds, cookies, mona, sockets):
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    await database_sync_to_async(ban_create)(user=alice, by=mona, reason="")
    closing = await expect_close(await sockets.open("/ws/world/demo/", cookie), 4003)
    assert closing["message"] == "You are banned for good."


async def test_an_expired_ban_lets_the_player_back_in(demo_worlds, cookies, mona, sockets):
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    ban = await database_sync_to_async(ban_create)(user=alice, by=mona, reason="x", duration=timedelta(minutes=5))
    await database_sync_to_async(Ban.objects.filter(pk=ban.pk).update)(until=ban.created_at)
    _, welcome = await sockets.world(cookie)
    assert welcome["you"]["id"] == alice.pk


async def test_a_guest_banned_with_their_address_cannot_come_back_as_a_new_guest(demo_worlds, cookies, mona, sockets):
    gus_cookie = await database_sync_to_async(cookies)("gus", guest=True)
    gus = await database_sync_to_async(User.objects.get)(username="gus")
    world = await sockets.open("/ws/world/demo/", gus_cookie, address="203.0.113.7")
    await receive_until(world, "welcome")
    presence = await presence_of(gus)
    assert presence.address == "203.0.113.7"  # what the ban command's --ip and the admin show

    await database_sync_to_async(ban_create)(user=gus, by=mona, reason="trolling", ip=presence.address)
    await closed_with(world, 4003)

    again_cookie = await database_sync_to_async(cookies)("gus2", guest=True)
    for path in ("/ws/world/demo/", "/ws/chat/demo/", "/ws/signal/demo/"):
        refused = await sockets.open(path, again_cookie, address="203.0.113.7")
        closing = await expect_close(refused, 4003)
        assert closing["message"].startswith("Connections from your address are banned for good."), path
    elsewhere = await sockets.open("/ws/world/demo/", again_cookie, address="198.51.100.4")
    assert (await receive_until(elsewhere, "welcome"))["you"]["name"] == "Gus2"


async def test_an_address_ban_closes_other_accounts_connected_from_that_address(demo_worlds, cookies, mona, sockets):
    gus_cookie = await database_sync_to_async(cookies)("gus", guest=True)
    twin_cookie = await database_sync_to_async(cookies)("twin", guest=True)
    gus = await database_sync_to_async(User.objects.get)(username="gus")
    gus_world = await sockets.open("/ws/world/demo/", gus_cookie, address="203.0.113.7")
    await receive_until(gus_world, "welcome")
    twin_world = await sockets.open("/ws/world/demo/", twin_cookie, address="203.0.113.7")
    await receive_until(twin_world, "welcome")
    await database_sync_to_async(ban_create)(user=gus, by=mona, reason="", ip="203.0.113.7")
    assert (await closed_with(gus_world, 4003))["message"] == "You are banned for good."
    assert (await closed_with(twin_world, 4003))["message"] == "Connections from your address are banned for good."


async def test_mute_refuses_the_next_message_and_unmute_allows_it_again(demo_worlds, cookies, mona, sockets):
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    await sockets.world(cookie)
    chat, _ = await sockets.chat(cookie)
    mute = await database_sync_to_async(chat_mute)(user=alice, by=mona, reason="flood", duration=timedelta(hours=1))
    await chat.send_json_to({"type": "send", "scope": "world", "text": "can I talk?"})
    error = await receive_until(chat, "error")
    assert (error["code"], error["until"]) == ("muted", mute.until.isoformat())
    await database_sync_to_async(chat_unmute)(mute=mute, by=mona)
    await chat.send_json_to({"type": "send", "scope": "world", "text": "thanks"})
    assert (await receive_until(chat, "message"))["message"]["text"] == "thanks"


async def test_hiding_a_message_takes_it_off_open_chats_and_history(demo_worlds, cookies, mona, sockets):
    alice_cookie = await database_sync_to_async(cookies)("alice")
    bob_cookie = await database_sync_to_async(cookies)("bob")
    bob = await database_sync_to_async(User.objects.get)(username="bob")
    alice_chat, _ = await sockets.chat(alice_cookie)
    message = await database_sync_to_async(world_message)(demo_worlds["demo"], bob, "rude words")
    assert (await receive_until(alice_chat, "message"))["message"]["id"] == message.pk

    assert await database_sync_to_async(message_hide_by_moderator)(message=message, by=mona, reason="rude")
    assert (await receive_until(alice_chat, "message_hidden"))["id"] == message.pk
    fresh = await sockets.open("/ws/chat/demo/", bob_cookie)
    assert (await receive_until(fresh, "history"))["messages"] == []


async def test_the_socket_that_closes_takes_no_more_messages(demo_worlds, cookies, mona, sockets):
    """After the closing frame nothing more is sent, whatever arrives (a second kick, say)."""
    cookie = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    world, _ = await sockets.world(cookie)
    await database_sync_to_async(player_kick)(user=alice, by=mona)
    await database_sync_to_async(player_kick)(user=alice, by=mona)
    await closed_with(world, 4010)
    await asyncio.sleep(0.2)
    assert await world.receive_nothing(timeout=0.2)


async def test_kicking_from_the_who_is_online_page_closes_the_players_sockets(demo_worlds, cookies, mona, sockets):
    from django.test import Client

    cookie = await database_sync_to_async(cookies)("alice")
    alice = await database_sync_to_async(User.objects.get)(username="alice")
    world, _ = await sockets.world(cookie)
    chat, _ = await sockets.chat(cookie)
    presence = await presence_of(alice)
    admin = Client()
    await database_sync_to_async(admin.force_login)(mona)
    form = {"action": "kick_players", "_selected_action": [presence.pk], "apply": "1", "reason": "spam"}

    started = time.monotonic()
    response = await database_sync_to_async(admin.post)("/admin/world/presence/", form)
    assert response.status_code == 302
    closings = await closes_within([world, chat], 4010, started)
    assert closings[0]["message"].endswith("Reason: spam")
