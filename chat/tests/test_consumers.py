"""/ws/chat/<slug>/ through the real ASGI application and the real world engine."""

import asyncio
import json
import threading
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from chat.models import Audience, Message, Scope
from chat.selectors import history_recent
from chat.services import (
    block_create,
    block_remove,
    message_hide,
    message_post,
    message_post_system,
    mute_create,
    mute_lift,
)
from chat.tests.conftest import make_room
from conftest import expect_close, receive_until
from world.engine.hub import get_hub

pytestmark = pytest.mark.django_db(transaction=True)


async def send(socket, **fields):
    await socket.send_json_to({"type": "send", **fields})


async def next_message(socket) -> dict:
    return (await receive_until(socket, "message"))["message"]


async def next_error(socket) -> dict:
    return await receive_until(socket, "error")


# --- connecting ---------------------------------------------------------------------------------


async def test_anonymous_is_closed_with_4001(room, sockets):
    socket = await sockets.open("/ws/chat/room/", None)
    await expect_close(socket, 4001)


async def test_unknown_world_is_closed_with_4004(people, sockets):
    socket = await sockets.open("/ws/chat/atlantis/", people.cookie["alice"])
    await expect_close(socket, 4004)


async def test_history_on_connect_holds_only_what_you_may_see_oldest_first(people, room, tmp_path, sockets):
    alice, bob, carol, dave = (people[name] for name in ("alice", "bob", "carol", "dave"))

    def write_history():
        other = make_room(tmp_path, "elsewhere")
        seen = [
            message_post(sender=bob, world=room, scope="world", text="hello world"),
            message_post(sender=bob, world=room, scope="nearby", text="psst alice", audience=[alice.pk]),
            message_post(sender=alice, world=room, scope="zone", text="hall folks", audience=[bob.pk], zone="Hall"),
            message_post(sender=bob, world=room, scope="direct", text="hi alice", to=alice.pk),
            message_post(sender=alice, world=room, scope="direct", text="hi carol", to=carol.pk),
            message_post_system(world=room, text="maintenance at noon"),
        ]
        message_post(sender=bob, world=room, scope="nearby", text="psst carol", audience=[carol.pk])
        message_post(sender=bob, world=room, scope="direct", text="hi carol from bob", to=carol.pk)
        message_post(sender=bob, world=other, scope="world", text="another world")
        hidden = message_post(sender=bob, world=room, scope="world", text="rude")
        message_hide(message=hidden, moderator=None)
        block_create(blocker=alice, blocked=dave)
        message_post(sender=dave, world=room, scope="world", text="from someone alice blocks")
        return [message.pk for message in seen]

    expected = await database_sync_to_async(write_history)()
    _, history = await sockets.chat(people.cookie["alice"])
    assert [message["id"] for message in history] == expected
    assert [message["scope"] for message in history] == ["world", "nearby", "zone", "direct", "direct", "system"]
    zone_message, system_message = history[2], history[5]
    assert zone_message["zone"] == "Hall"
    assert (zone_message["sender"]["id"], zone_message["sender"]["name"]) == (alice.pk, "Alice")
    assert history[3]["to"] == alice.pk
    assert system_message["sender"] is None


async def test_history_on_connect_is_the_last_50_messages(people, room, sockets):
    bob = people["bob"]

    def write_many():
        Message.objects.bulk_create(
            Message(world=room, sender=bob, scope=Scope.WORLD, text=f"message {n}") for n in range(70)
        )

    await database_sync_to_async(write_many)()
    _, history = await sockets.chat(people.cookie["alice"])
    assert [message["text"] for message in history] == [f"message {n}" for n in range(20, 70)]


# --- who hears what ----------------------------------------------------------------------------


async def test_world_message_reaches_every_chat_in_the_world_and_acks_the_sender(people, sockets):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])  # not in the world: world chat needs no world socket
    await send(alice_chat, scope="world", text="  hello everyone  ", client_id="c-1")
    ack = await next_message(alice_chat)
    heard = await next_message(bob_chat)
    assert ack["text"] == heard["text"] == "hello everyone"
    assert ack["client_id"] == "c-1"
    assert heard["client_id"] is None
    assert ack["id"] == heard["id"]
    assert ack["sender"]["id"] == people["alice"].pk
    assert (ack["scope"], ack["to"], ack["zone"]) == ("world", None, None)


async def test_a_system_message_reaches_every_chat_in_the_world_from_nobody(people, room, sockets):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    await database_sync_to_async(message_post_system)(world=room, text="The server restarts at noon.")
    for chat in (alice_chat, bob_chat):
        message = await next_message(chat)
        assert (message["scope"], message["sender"], message["text"]) == (
            "system",
            None,
            "The server restarts at noon.",
        )


async def test_nearby_message_reaches_only_those_the_engine_puts_within_chat_radius(people, room, sockets):
    chats = {}
    for name in ("alice", "bob", "carol", "dave"):
        await sockets.world(people.cookie[name])
        chats[name], _ = await sockets.chat(people.cookie[name])
    engine = get_hub().engine(room.pk)
    assert engine.players_within(people["alice"].pk, 8.0) == [people["carol"].pk]

    await send(chats["alice"], scope="nearby", text="anyone near?", client_id="n-1")
    sent = await next_message(chats["alice"])
    assert (sent["scope"], sent["client_id"]) == ("nearby", "n-1")
    assert (await next_message(chats["carol"]))["id"] == sent["id"]
    assert await chats["bob"].receive_nothing(timeout=0.3)
    assert await chats["dave"].receive_nothing(timeout=0.05)
    audience = await database_sync_to_async(
        lambda: list(Audience.objects.filter(message_id=sent["id"]).values_list("user_id", flat=True))
    )()
    assert audience == [people["carol"].pk]


async def test_nearby_follows_the_sender_as_they_walk(people, sockets):
    """The server decides at send time from where the engine has the sender now."""
    chats = {}
    for name in ("alice", "bob"):
        await sockets.world(people.cookie[name])
        chats[name], _ = await sockets.chat(people.cookie[name])
    alice_world = sockets.opened[0]
    x, y = 1.5, 1.5
    for seq in range(1, 5):  # walk 2 tiles towards bob at (9.5, 5.5), within the walking speed
        x += 0.5
        await alice_world.send_json_to({"type": "move", "x": x, "y": y, "dir": "right", "moving": True, "seq": seq})
        await asyncio.sleep(0.12)
    await send(chats["alice"], scope="nearby", text="closer now")
    sent = await next_message(chats["alice"])
    assert (await next_message(chats["bob"]))["id"] == sent["id"]


async def test_zone_message_reaches_everyone_in_the_senders_zone(people, sockets):
    chats = {}
    for name in ("alice", "bob", "carol", "dave"):
        await sockets.world(people.cookie[name])
        chats[name], _ = await sockets.chat(people.cookie[name])
    await send(chats["alice"], scope="zone", text="hall meeting")
    sent = await next_message(chats["alice"])
    assert (sent["scope"], sent["zone"]) == ("zone", "Hall")
    assert (await next_message(chats["bob"]))["id"] == sent["id"]
    assert await chats["carol"].receive_nothing(timeout=0.3)
    assert await chats["dave"].receive_nothing(timeout=0.05)


async def test_nearby_and_zone_need_you_in_the_world_and_zone_needs_a_zone(people, sockets):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    for scope in ("nearby", "zone"):
        await send(alice_chat, scope=scope, text="hello?", client_id="x")
        error = await next_error(alice_chat)
        assert (error["code"], error["client_id"]) == ("not_in_world", "x")
    await sockets.world(people.cookie["dave"])
    dave_chat, _ = await sockets.chat(people.cookie["dave"])
    await send(dave_chat, scope="zone", text="hello?")
    assert (await next_error(dave_chat))["code"] == "no_zone"
    assert not await database_sync_to_async(Message.objects.exists)()


async def test_direct_message_is_delivered_live_and_waits_in_history_when_offline(people, sockets):
    bob, carol = people["bob"], people["carol"]
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    dave_chat, _ = await sockets.chat(people.cookie["dave"])
    await send(alice_chat, scope="direct", to=bob.pk, text="hi bob", client_id="d-1")
    sent = await next_message(alice_chat)
    assert (sent["scope"], sent["to"], sent["client_id"]) == ("direct", bob.pk, "d-1")
    assert (await next_message(bob_chat))["id"] == sent["id"]
    await send(alice_chat, scope="direct", to=carol.pk, text="hi carol, when you are back")
    waiting = await next_message(alice_chat)
    assert await dave_chat.receive_nothing(timeout=0.3)
    assert await bob_chat.receive_nothing(timeout=0.05)
    _, carol_history = await sockets.chat(people.cookie["carol"])
    assert [message["id"] for message in carol_history] == [waiting["id"]]


@pytest.mark.parametrize(
    ("to", "code"),
    [("self", "self"), (987654321, "unknown_recipient"), ("blocker", "unknown_recipient"), (None, "invalid")],
)
async def test_direct_message_refusals_are_clear(people, sockets, to, code):
    alice, bob = people["alice"], people["bob"]
    await database_sync_to_async(block_create)(blocker=bob, blocked=alice)
    target = {"self": alice.pk, "blocker": bob.pk}.get(to, to)
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    fields = {"scope": "direct", "text": "hello", "client_id": "d-9"} | ({"to": target} if target else {})
    await send(alice_chat, **fields)
    error = await next_error(alice_chat)
    assert (error["code"], error["client_id"]) == (code, "d-9")
    assert error["message"]
    assert await bob_chat.receive_nothing(timeout=0.2)
    assert not await database_sync_to_async(Message.objects.exists)()


async def test_a_missing_player_and_one_who_blocked_you_are_answered_alike(people, sockets):
    """Otherwise the answer tells which ids exist, and who blocked you."""
    alice, bob = people["alice"], people["bob"]
    await database_sync_to_async(block_create)(blocker=bob, blocked=alice)
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    answers = []
    for to in (bob.pk, 987654321):
        await send(alice_chat, scope="direct", to=to, text="hello")
        error = await next_error(alice_chat)
        answers.append({**error, "message": error["message"].replace(str(to), "<id>")})
    assert answers[0] == answers[1]
    assert answers[0]["code"] == "unknown_recipient"
    assert answers[0]["message"] == "There is no player <id> that you can write to."


# --- what a hostile client may send -------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"scope": "world", "text": "   \n\t "}, "empty"),
        ({"scope": "world", "text": "x" * 2001}, "too_long"),
        ({"scope": "world", "text": 42}, "invalid"),
        ({"scope": "world"}, "invalid"),
        ({"scope": "galaxy", "text": "hi"}, "invalid"),
        ({"scope": ["world"], "text": "hi"}, "invalid"),
        ({"scope": "system", "text": "I am the operator"}, "invalid"),
        ({"scope": "direct", "to": "2", "text": "hi"}, "invalid"),
        ({"scope": "direct", "to": -3, "text": "hi"}, "invalid"),
        ({"scope": "direct", "to": True, "text": "hi"}, "invalid"),
        ({"scope": "world", "text": "hi", "client_id": 7}, "invalid"),
        ({"scope": "world", "text": "hi", "client_id": "c" * 65}, "invalid"),
        ({"scope": "world", "text": "nul \x00 inside"}, "invalid"),
        ({"scope": "world", "text": "x" * 9000}, "too_large"),
    ],
)
async def test_bad_sends_get_typed_errors_store_nothing_and_the_socket_stays_open(people, sockets, frame, code):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    await send(alice_chat, **frame)
    assert (await next_error(alice_chat))["code"] == code
    assert not await database_sync_to_async(Message.objects.exists)()
    await send(alice_chat, scope="world", text="still here")
    assert (await next_message(alice_chat))["text"] == "still here"


async def test_lone_surrogates_are_refused_not_stored(people, sockets):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    await alice_chat.send_to(text_data='{"type": "send", "scope": "world", "text": "broken \\ud800 pair"}')
    assert (await next_error(alice_chat))["code"] == "invalid_json"  # an unpaired surrogate is not valid JSON text
    await alice_chat.send_to(text_data='{"type": "send", "scope": "world", "text": "fine \\ud83d\\ude00"}')
    assert (await next_message(alice_chat))["text"] == "fine 😀"


async def test_2000_characters_after_trimming_is_the_longest_message(people, sockets):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    # As browsers send it: UTF-8, not \u escapes (which would pass the 8 KiB frame limit).
    frame = {"type": "send", "scope": "world", "text": "  " + "😀" * 2000 + "\n"}
    await alice_chat.send_to(text_data=json.dumps(frame, ensure_ascii=False))
    assert (await next_message(alice_chat))["text"] == "😀" * 2000
    await send(alice_chat, scope="world", text="x" * 2000 + "y")
    assert (await next_error(alice_chat))["code"] == "too_long"


async def test_unknown_types_and_garbage_get_errors(people, sockets):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    await alice_chat.send_json_to({"type": "shout", "text": "hi"})
    assert (await next_error(alice_chat))["code"] == "unknown_type"
    await alice_chat.send_to(text_data="{not json")
    assert (await next_error(alice_chat))["code"] == "invalid_json"


# --- rate limit and moderation -----------------------------------------------------------------


async def test_sending_too_fast_is_refused_per_user_then_closed_with_4029(people, settings, sockets):
    settings.CHAT_RATE_MESSAGES, settings.CHAT_RATE_SECONDS, settings.CHAT_RATE_BURST = 5, 5.0, 3
    first_tab, _ = await sockets.chat(people.cookie["alice"])
    second_tab, _ = await sockets.chat(people.cookie["alice"])
    for n in range(3):
        await send(first_tab, scope="world", text=f"quick {n}")
        await next_message(first_tab)
    await send(second_tab, scope="world", text="from the other tab", client_id="r-1")
    error = await next_error(second_tab)
    assert (error["code"], error["client_id"]) == ("rate_limited", "r-1")
    assert 0 < error["retry_after"] <= 1.1
    for _ in range(9):
        await send(first_tab, scope="world", text="spam")
        assert (await next_error(first_tab))["code"] == "rate_limited"
    await send(first_tab, scope="world", text="spam")
    closing = await expect_close(first_tab, 4029)
    assert closing["reason"] == "rate_limited"
    assert await database_sync_to_async(Message.objects.count)() == 3


async def test_the_limit_lets_messages_through_again_after_retry_after(people, settings, sockets):
    settings.CHAT_RATE_MESSAGES, settings.CHAT_RATE_SECONDS, settings.CHAT_RATE_BURST = 5, 1.0, 1
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    await send(alice_chat, scope="world", text="one")
    await next_message(alice_chat)
    await send(alice_chat, scope="world", text="two")
    error = await next_error(alice_chat)
    await asyncio.sleep(error["retry_after"])
    await send(alice_chat, scope="world", text="two, again")
    assert (await next_message(alice_chat))["text"] == "two, again"


async def test_a_muted_player_is_told_until_when(people, sockets):
    alice, bob = people["alice"], people["bob"]
    until = timezone.now() + timedelta(hours=2)
    mute = await database_sync_to_async(mute_create)(user=alice, until=until, reason="spam", by=bob)
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    await send(alice_chat, scope="world", text="let me speak", client_id="m-1")
    error = await next_error(alice_chat)
    assert (error["code"], error["until"], error["client_id"]) == ("muted", until.isoformat(), "m-1")
    assert until.isoformat() in error["message"]
    forever = await database_sync_to_async(mute_create)(user=alice, until=None, reason="more spam", by=bob)
    await send(alice_chat, scope="world", text="please")
    error = await next_error(alice_chat)
    assert (error["code"], error["until"]) == ("muted", None)
    for lifted in (mute, forever):
        await database_sync_to_async(mute_lift)(mute=lifted, by=bob)
    await send(alice_chat, scope="world", text="thank you")
    assert (await next_message(alice_chat))["text"] == "thank you"


async def test_a_hidden_message_leaves_open_chats_and_history(people, sockets):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    await send(alice_chat, scope="world", text="something rude")
    sent = await next_message(alice_chat)
    await next_message(bob_chat)
    message = await database_sync_to_async(Message.objects.get)(pk=sent["id"])
    await database_sync_to_async(message_hide)(message=message, moderator=people["dave"])
    for chat in (alice_chat, bob_chat):
        assert await receive_until(chat, "message_hidden") == {"type": "message_hidden", "id": sent["id"]}
    _, history = await sockets.chat(people.cookie["bob"])
    assert history == []


@pytest.mark.parametrize(("scope", "hearer", "outsider"), [("nearby", "carol", "bob"), ("zone", "bob", "carol")])
async def test_a_hidden_nearby_or_zone_message_is_withdrawn_from_its_hearers_only(
    people, sockets, scope, hearer, outsider
):
    chats = {}
    for name in ("alice", "bob", "carol"):
        await sockets.world(people.cookie[name])
        chats[name], _ = await sockets.chat(people.cookie[name])
    await send(chats["alice"], scope=scope, text="something rude")
    sent = await next_message(chats["alice"])
    assert (await next_message(chats[hearer]))["id"] == sent["id"]
    message = await database_sync_to_async(Message.objects.get)(pk=sent["id"])
    await database_sync_to_async(message_hide)(message=message, moderator=people["dave"])
    for name in ("alice", hearer):
        assert (await receive_until(chats[name], "message_hidden"))["id"] == sent["id"]
    assert await chats[outsider].receive_nothing(timeout=0.3)  # never heard it: nothing to withdraw
    _, history = await sockets.chat(people.cookie[hearer])
    assert sent["id"] not in [item["id"] for item in history]


async def test_a_hidden_direct_message_is_withdrawn_from_both_sides_only(people, sockets):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    carol_chat, _ = await sockets.chat(people.cookie["carol"])
    await send(alice_chat, scope="direct", to=people["bob"].pk, text="something rude")
    sent = await next_message(alice_chat)
    await next_message(bob_chat)
    message = await database_sync_to_async(Message.objects.get)(pk=sent["id"])
    await database_sync_to_async(message_hide)(message=message, moderator=None)
    for chat in (alice_chat, bob_chat):
        assert (await receive_until(chat, "message_hidden"))["id"] == sent["id"]
    assert await carol_chat.receive_nothing(timeout=0.2)


async def test_blocking_hides_their_messages_live_until_unblocked(people, sockets):
    alice, bob = people["alice"], people["bob"]
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    carol_chat, _ = await sockets.chat(people.cookie["carol"])
    # The block's event reaches bob's open chat before anything sent after it (one queue per socket).
    await database_sync_to_async(block_create)(blocker=bob, blocked=alice)
    await send(alice_chat, scope="world", text="can bob hear me?")
    sent = await next_message(alice_chat)
    assert (await next_message(carol_chat))["id"] == sent["id"]
    assert await bob_chat.receive_nothing(timeout=0.3)
    await database_sync_to_async(block_remove)(blocker=bob, blocked_id=alice.pk)
    await send(alice_chat, scope="world", text="and now?")
    assert (await next_message(bob_chat))["text"] == "and now?"
    _, bob_history = await sockets.chat(people.cookie["bob"])
    assert [message["text"] for message in bob_history] == ["can bob hear me?", "and now?"]
    await database_sync_to_async(block_create)(blocker=bob, blocked=alice)
    _, bob_history = await sockets.chat(people.cookie["bob"])
    assert bob_history == []


# --- stored first, delivered after commit --------------------------------------------------------


async def test_a_message_whose_delivery_fails_is_still_in_history(people, room, sockets, monkeypatch):
    """The channel layer is made to fail for chat deliveries (a test double: a Redis that fails at
    exactly that moment cannot be arranged otherwise). The message was stored before delivery was
    tried, so it is in history; the sender's socket keeps working once the layer is back."""
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    layer = get_channel_layer()
    real_group_send = layer.group_send

    async def failing_group_send(group, message):
        if group.startswith("chat."):
            raise ConnectionError("channel layer unavailable")
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", failing_group_send)
    await send(alice_chat, scope="world", text="lost in transit?", client_id="c-9")
    assert await bob_chat.receive_nothing(timeout=0.3)
    error = await next_error(alice_chat)  # the sender is told: no acknowledgement is coming
    assert (error["code"], error["client_id"]) == ("not_delivered", "c-9")
    monkeypatch.setattr(layer, "group_send", real_group_send)

    history = await database_sync_to_async(history_recent)(user_id=people["bob"].pk, world_id=room.pk)
    assert [message.text for message in history] == ["lost in transit?"]
    assert error["id"] == history[0].pk
    await send(alice_chat, scope="world", text="back again")
    assert (await next_message(bob_chat))["text"] == "back again"
    _, bob_history = await sockets.chat(people.cookie["bob"])
    assert [message["text"] for message in bob_history] == ["lost in transit?", "back again"]


async def test_a_delivery_that_fails_once_is_retried(people, room, sockets, monkeypatch):
    """As after Redis restarted: the first command on a pooled connection fails, the next works."""
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    layer = get_channel_layer()
    real_group_send = layer.group_send
    failures: list[str] = []

    async def fails_once(group, message):
        if group.startswith("chat.") and not failures:
            failures.append(group)
            raise ConnectionError("Connection closed by server.")
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", fails_once)
    await send(alice_chat, scope="world", text="second time lucky")
    assert (await next_message(bob_chat))["text"] == "second time lucky"
    assert (await next_message(alice_chat))["text"] == "second time lucky"
    assert len(failures) == 1


async def test_a_message_is_delivered_only_once_its_transaction_commits(people, room, sockets):
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    inside, release = threading.Event(), threading.Event()

    def post_in_a_slow_transaction():
        with transaction.atomic():
            message_post(sender=people["alice"], world=room, scope="world", text="after commit")
            inside.set()
            release.wait(5)

    posting = asyncio.ensure_future(database_sync_to_async(post_in_a_slow_transaction)())
    assert await asyncio.to_thread(inside.wait, 5)
    assert await bob_chat.receive_nothing(timeout=0.3)
    release.set()
    await posting
    assert (await next_message(bob_chat))["text"] == "after commit"


async def test_a_rolled_back_message_is_never_delivered(people, room, sockets):
    bob_chat, _ = await sockets.chat(people.cookie["bob"])

    class Abandon(Exception):
        pass

    def post_then_roll_back():
        with transaction.atomic():
            message_post(sender=people["alice"], world=room, scope="world", text="never happened")
            raise Abandon

    with pytest.raises(Abandon):
        await database_sync_to_async(post_then_roll_back)()
    assert await bob_chat.receive_nothing(timeout=0.3)
    assert not await database_sync_to_async(Message.objects.exists)()


# --- text is text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(document.cookie)</script>",
        '<img src=x onerror="alert(1)">',
        "</textarea><svg onload=alert(1)>",
        'javascript:alert(1) "quoted" & <b>bold</b>',
    ],
)
async def test_html_comes_back_as_the_same_text(people, sockets, payload):
    alice_chat, _ = await sockets.chat(people.cookie["alice"])
    bob_chat, _ = await sockets.chat(people.cookie["bob"])
    await send(alice_chat, scope="world", text=payload)
    await next_message(alice_chat)
    frame = await bob_chat.receive_from(timeout=3)
    assert json.loads(frame)["message"]["text"] == payload
