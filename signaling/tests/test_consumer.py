"""/ws/signal/<slug>/ through the real ASGI application: admission, relaying only between players
in contact, typed refusals, size and rate limits, hang-ups when contacts end."""

import asyncio
import json

import pytest
from channels.layers import get_channel_layer

from conftest import expect_close, open_socket, receive_until
from metaverse.testing import QueryCounter
from signaling import consumers
from signaling.tests.helpers import BOB_FAR_X, BOB_NEAR_X, ROW, enter, in_contact

pytestmark = pytest.mark.django_db(transaction=True)

SDP = "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


async def test_anonymous_is_closed_with_4001(demo_worlds):
    socket = await open_socket("/ws/signal/demo/")
    assert (await expect_close(socket, 4001))["reason"] == "not_authenticated"


async def test_unknown_world_is_closed_with_4004(lobby):
    socket = await open_socket("/ws/signal/atlantis/", cookie=lobby["alice"][1])
    await expect_close(socket, 4004)


async def test_signal_socket_of_someone_not_in_the_world_is_closed_with_4006(lobby, monkeypatch):
    monkeypatch.setattr(consumers, "IN_WORLD_WAIT_SECONDS", 0.3)
    socket = await open_socket("/ws/signal/demo/", cookie=lobby["alice"][1])
    assert (await expect_close(socket, 4006))["reason"] == "not_in_world"


async def test_signal_socket_opened_with_the_world_socket_waits_for_it(lobby):
    signal = await open_socket("/ws/signal/demo/", cookie=lobby["alice"][1])
    world = await open_socket("/ws/world/demo/", cookie=lobby["alice"][1])
    ready = await receive_until(signal, "ready")
    assert ready == {"type": "ready", "you": lobby["alice"][0], "contacts": []}
    await signal.disconnect()
    await world.disconnect()


async def test_ready_lists_the_contacts_you_already_have(lobby):
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    await in_contact(alice, bob)
    again = await open_socket("/ws/signal/demo/", cookie=lobby["bob"][1])
    ready = await receive_until(again, "ready")
    assert ready["contacts"] == [{"id": alice.id, "initiator": False, "polite": True}]
    await receive_until(bob.signal, "closing", where=lambda m: m["code"] == 4009)  # the newer socket wins
    await again.disconnect()
    await alice.leave()
    await bob.leave()


async def test_offer_answer_candidates_and_hangup_are_relayed_between_players_in_contact(lobby):
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    await in_contact(alice, bob)

    await alice.signal.send_json_to({"type": "offer", "to": bob.id, "sdp": SDP, "extra": "stays on the server"})
    offer = await receive_until(bob.signal, "offer")
    assert offer == {"type": "offer", "from": alice.id, "polite": True, "sdp": SDP}
    await bob.signal.send_json_to({"type": "answer", "to": alice.id, "sdp": SDP})
    assert await receive_until(alice.signal, "answer") == {
        "type": "answer",
        "from": bob.id,
        "polite": False,
        "sdp": SDP,
    }

    candidate = {
        "candidate": "candidate:1 1 udp 2122260223 192.0.2.2 54321 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
    }
    await bob.signal.send_json_to({"type": "candidate", "to": alice.id, "candidate": candidate})
    await bob.signal.send_json_to({"type": "candidate", "to": alice.id, "candidate": None})
    relayed = await receive_until(alice.signal, "candidate")
    assert relayed == {
        "type": "candidate", "from": bob.id, "polite": False, "candidate": {**candidate, "usernameFragment": None}
    }  # fmt: skip
    assert (await receive_until(alice.signal, "candidate"))["candidate"] is None

    await alice.signal.send_json_to({"type": "hangup", "to": bob.id})
    assert await receive_until(bob.signal, "hangup") == {"type": "hangup", "from": alice.id, "reason": "peer_hung_up"}
    await alice.leave()
    await bob.leave()


async def test_messages_to_someone_not_in_contact_are_refused_and_never_relayed(lobby):
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    for message in (
        {"type": "offer", "to": bob.id, "sdp": SDP},
        {"type": "candidate", "to": bob.id, "candidate": None},
        {"type": "hangup", "to": bob.id},
    ):
        await alice.signal.send_json_to(message)
        error = await receive_until(alice.signal, "error")
        assert error["code"] == "not_in_contact"
        assert (error["to"], error["refused"]) == (bob.id, message["type"])
    assert await bob.signal.receive_nothing(timeout=0.3)
    await alice.leave()
    await bob.leave()


async def test_unknown_players_and_players_in_another_world_are_refused(lobby):
    alice = await enter(lobby["alice"][1])
    carol = await enter(lobby["carol"][1], slug="annex")
    for to in (carol.id, 999_999):
        await alice.signal.send_json_to({"type": "offer", "to": to, "sdp": SDP})
        error = await receive_until(alice.signal, "error")
        assert (error["code"], error["to"]) == ("unknown_player", to)
    assert await carol.signal.receive_nothing(timeout=0.3)
    await alice.leave()
    await carol.leave()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "offer", "sdp": SDP}, "invalid"),
        ({"type": "offer", "to": "9", "sdp": SDP}, "invalid"),
        ({"type": "offer", "to": 0, "sdp": SDP}, "invalid"),
        ({"type": "offer", "to": True, "sdp": SDP}, "invalid"),
        ({"type": "offer", "to": 9, "sdp": 5}, "invalid"),
        ({"type": "answer", "to": 9, "sdp": "  "}, "invalid"),
        ({"type": "candidate", "to": 9}, "invalid"),
        ({"type": "candidate", "to": 9, "candidate": "candidate:1 1 udp 1 1.2.3.4 5 typ host"}, "invalid"),
        ({"type": "candidate", "to": 9, "candidate": {"candidate": 5, "sdpMid": "0"}}, "invalid"),
        ({"type": "candidate", "to": 9, "candidate": {"candidate": "candidate:1", "sdpMLineIndex": True}}, "invalid"),
        ({"type": "candidate", "to": 9, "candidate": {"candidate": "candidate:1"}}, "invalid"),
        ({"type": "candidate", "to": 9, "candidate": {"candidate": "c", "sdpMid": "x" * 300}}, "invalid"),
        ({"type": "bye", "to": 9}, "unknown_type"),
        ({"type": "offer", "to": 9, "sdp": "x" * (64 * 1024 + 1)}, "too_large"),
        ({"type": "candidate", "to": 9, "candidate": {"candidate": "c" * (64 * 1024 + 1), "sdpMid": "0"}}, "too_large"),
        ({"type": "offer", "to": 9, "sdp": "é" * (32 * 1024 + 1)}, "too_large"),  # 64 KiB counted in bytes
        ({"type": "offer", "to": 9, "sdp": SDP, "pad": "x" * (70 * 1024)}, "too_large"),
    ],
)
async def test_malformed_messages_get_typed_errors_and_the_socket_stays_open(lobby, message, code):
    alice = await enter(lobby["alice"][1])
    await alice.signal.send_to(text_data=json.dumps(message))
    assert (await receive_until(alice.signal, "error"))["code"] == code
    await alice.signal.send_json_to({"type": "hangup", "to": alice.id})
    assert (await receive_until(alice.signal, "error"))["code"] == "invalid"  # to yourself; still open
    await alice.leave()


async def test_a_description_of_exactly_64_kib_is_relayed(lobby):
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    await in_contact(alice, bob)
    sdp = SDP + "a=x:" + "y" * (64 * 1024 - len(SDP) - 4)
    assert len(sdp.encode()) == 64 * 1024
    await alice.signal.send_json_to({"type": "offer", "to": bob.id, "sdp": sdp})
    assert (await receive_until(bob.signal, "offer"))["sdp"] == sdp
    await alice.leave()
    await bob.leave()


async def test_when_a_contact_ends_both_sides_are_told_to_hang_up(lobby):
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    await in_contact(alice, bob)
    await bob.walk_to(BOB_FAR_X)
    assert await receive_until(alice.signal, "hangup") == {"type": "hangup", "from": bob.id, "reason": "contact_ended"}
    assert await receive_until(bob.signal, "hangup") == {"type": "hangup", "from": alice.id, "reason": "contact_ended"}
    await alice.signal.send_json_to({"type": "candidate", "to": bob.id, "candidate": None})
    assert (await receive_until(alice.signal, "error"))["code"] == "not_in_contact"
    await alice.leave()
    await bob.leave()


async def test_when_the_peer_leaves_the_world_the_hangup_says_peer_left(lobby):
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    await in_contact(alice, bob)
    await bob.leave()
    assert await receive_until(alice.signal, "hangup") == {"type": "hangup", "from": bob.id, "reason": "peer_left"}
    await alice.leave()


async def test_messages_sent_as_the_contact_forms_wait_for_it_and_keep_their_order(lobby):
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    await bob.walk_to(BOB_NEAR_X + 0.4)
    await asyncio.sleep(0.2)
    # The last step and the messages go out together: the tick that puts them in contact comes after.
    await bob.world.send_json_to({"type": "move", "x": BOB_NEAR_X, "y": ROW, "dir": "left", "seq": bob.seq})
    await alice.signal.send_json_to({"type": "offer", "to": bob.id, "sdp": SDP})
    for index in range(3):
        candidate = {"candidate": f"candidate:{index} 1 udp 1 192.0.2.2 {index + 1} typ host", "sdpMid": "0"}
        await alice.signal.send_json_to({"type": "candidate", "to": bob.id, "candidate": candidate})
    assert (await receive_until(bob.signal, "offer"))["sdp"] == SDP
    for index in range(3):
        relayed = await bob.signal.receive_json_from(timeout=2)
        assert relayed["candidate"]["candidate"].startswith(f"candidate:{index} ")
    assert await alice.signal.receive_nothing(timeout=0.2)  # no error
    await alice.leave()
    await bob.leave()


async def test_a_relay_is_one_channel_layer_send_and_no_query(lobby, monkeypatch, settings):
    settings.WORLD_SAVE_SECONDS = 3600  # no periodic save in the middle of the count
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    await in_contact(alice, bob)
    layer = get_channel_layer()
    sends = []
    original_send = layer.group_send

    async def counting_send(group, message):
        sends.append(group)
        await original_send(group, message)

    monkeypatch.setattr(layer, "group_send", counting_send)
    with QueryCounter() as queries:
        await alice.signal.send_json_to({"type": "offer", "to": bob.id, "sdp": SDP})
        await receive_until(bob.signal, "offer")
    world_id = alice.welcome["world"]["id"]
    assert [group for group in sends if group.startswith("signal.")] == [f"signal.{world_id}.{bob.id}"]
    assert queries.count == 0
    await alice.leave()
    await bob.leave()


async def test_a_candidate_flood_is_rate_limited_then_closed_with_4029(lobby, monkeypatch):
    # Lower limits, so that this machine sends faster than the bucket refills.
    monkeypatch.setattr(consumers, "SMALL_PER_SECOND", 20)
    monkeypatch.setattr(consumers, "SMALL_BURST", 40)
    monkeypatch.setattr(consumers, "RATE_DROPS_BEFORE_CLOSE", 60)
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    await in_contact(alice, bob)
    for _ in range(consumers.SMALL_BURST + consumers.RATE_DROPS_BEFORE_CLOSE + 20):
        await alice.signal.send_json_to({"type": "candidate", "to": bob.id, "candidate": None})
    assert (await receive_until(alice.signal, "error"))["code"] == "rate_limited"
    await receive_until(alice.signal, "closing", where=lambda m: m["code"] == 4029)
    await bob.leave()
    await alice.world.disconnect()
