"""Faults injected into Redis under two real server processes and real WebSocket clients: killed,
stalled, out of memory. The world must heal by itself (docs/architecture.md, "Lifecycle and
faults") and chat must lose no acknowledged message. Figures go to test-artifacts/faults.json."""

import asyncio
import json
import math
import time
from typing import Any

import pytest

from metaverse.tests.fault_support import (
    CONVERGE_SECONDS,
    GHOST_SECONDS,
    STEP_SECONDS,
    Player,
    Separation,
    all_see_each_other,
    chat,
    everyone_leaves,
    missing,
    moves_cross,
    record,
    seen_by,
    six_players,
    troubles,
    until,
)
from world.walking import neighbours, tile_of

pytestmark = [pytest.mark.multiprocess, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


async def test_without_a_fault_everyone_who_closes_is_gone_from_every_view_and_from_presence_within_10s(
    pair, sessions, mapdata, clients
):
    """What the fault tests end with, with no fault: a failure there is not the fault's doing."""
    players = await six_players(clients, pair, sessions, mapdata)
    await moves_cross(players, mapdata)
    record("baseline.everyone_gone_after_closing_s", await everyone_leaves(players, [players[2], players[5]]))


# --- Redis --------------------------------------------------------------------------------------


async def test_players_see_each_other_within_5s_after_redis_is_killed_for_10s_and_comes_back_empty(
    pair, private_redis, sessions, mapdata, clients
):
    players = await six_players(clients, pair, sessions, mapdata)
    frank = players[-1]
    stayed = players[:-1]

    private_redis.kill()
    killed = time.monotonic()
    separation = Separation(stayed)
    await asyncio.sleep(4)
    await frank.leave()  # during the outage: he must not linger anywhere
    ghost_gone = asyncio.create_task(
        until(
            lambda: not seen_by(stayed, frank), within=GHOST_SECONDS, what=lambda: f"seen by {seen_by(stayed, frank)}"
        )
    )
    await asyncio.sleep(10 - (time.monotonic() - killed))
    await asyncio.to_thread(private_redis.start)
    converged = await until(
        all_see_each_other(stayed), within=CONVERGE_SECONDS, what=lambda: f"after Redis came back, {missing(stayed)}"
    )
    record("redis_killed.converged_after_return_s", converged)
    record("redis_killed.players_lost_sight_during_outage", separation.stop())
    record("redis_killed.frank_gone_from_every_view_s", await ghost_gone)
    await moves_cross(stayed, mapdata)
    record("redis_killed.ghosts_left", len(seen_by(stayed, frank)))
    assert seen_by(stayed, frank) == []
    assert troubles(stayed) == {}
    record("redis_killed.everyone_gone_after_closing_s", await everyone_leaves(stayed, [stayed[2], stayed[4]]))


async def test_players_see_each_other_within_5s_after_redis_stalls_for_10s_and_local_moves_flow_meanwhile(
    pair, private_redis, sessions, mapdata, clients
):
    players = await six_players(clients, pair, sessions, mapdata)
    alice, bob, dave, erin = players[0], players[1], players[3], players[4]

    stall = private_redis.stall(10)
    separation = Separation(players)
    await asyncio.sleep(0.5)
    first = {alice.name: alice.seq + 1, dave.name: dave.seq + 1}

    async def pace(player: Player) -> None:
        """Back and forth between two tiles, a move every quarter second, for 8 s."""
        home = tile_of((player.x, player.y))
        there = next(neighbours(mapdata, home))
        for lap in range(8):
            await player.walk(mapdata, there if lap % 2 == 0 else home)
            await asyncio.sleep(0.5 - 2 * STEP_SECONDS)

    await asyncio.gather(pace(alice), pace(dave))
    assert stall.is_alive(), "the walk should have happened while Redis was stalled"
    await asyncio.sleep(0.3)  # the last moves' ticks
    latencies = []
    for mover, watcher in ((alice, bob), (dave, erin)):
        for seq in range(first[mover.name], mover.seq + 1):
            seen = watcher.saw(mover, seq)
            latencies.append(math.inf if seen is None else seen - mover.sent[seq])
    record("redis_stalled.local_moves_seen", sum(1 for each in latencies if each < math.inf))
    record("redis_stalled.local_moves_sent", len(latencies))
    record("redis_stalled.local_move_latency_max_s", max(latencies))
    assert max(latencies) < 1.0

    await asyncio.to_thread(stall.join, 10)
    assert not stall.is_alive()
    converged = await until(
        all_see_each_other(players), within=CONVERGE_SECONDS, what=lambda: f"after the stall, {missing(players)}"
    )
    record("redis_stalled.converged_after_return_s", converged)
    record("redis_stalled.players_lost_sight_during_stall", separation.stop())
    await moves_cross(players, mapdata)
    assert troubles(players) == {}
    record("redis_stalled.everyone_gone_after_closing_s", await everyone_leaves(players, [players[2], players[5]]))


async def test_players_see_each_other_within_5s_after_redis_runs_out_of_memory_for_6s(
    pair, private_redis, sessions, mapdata, clients
):
    players = await six_players(clients, pair, sessions, mapdata)

    # A little longer than ORIGIN_TIMEOUT (5 s): each process drops the other's players, and
    # they must come back.
    await asyncio.to_thread(private_redis.fill_memory)
    separation = Separation(players)
    await asyncio.sleep(6)
    await asyncio.to_thread(private_redis.free_memory)
    converged = await until(
        all_see_each_other(players), within=CONVERGE_SECONDS, what=lambda: f"after memory was freed, {missing(players)}"
    )
    record("redis_oom.converged_after_return_s", converged)
    record("redis_oom.players_lost_sight_during_oom", separation.stop())
    await moves_cross(players, mapdata)
    assert troubles(players) == {}
    record("redis_oom.everyone_gone_after_closing_s", await everyone_leaves(players, [players[2], players[5]]))


async def test_chat_loses_no_acknowledged_message_and_answers_every_send_while_redis_is_killed(
    pair, private_redis, sessions, clients
):
    a, b = pair
    alice = await chat(clients, a, "alice", sessions["alice"])
    bob = await chat(clients, b, "bob", sessions["bob"])
    acknowledged: dict[str, int] = {}  # text -> id: the sender got its own copy, or not_delivered

    def keep(text: str, reply: dict[str, Any]) -> None:
        if reply["type"] == "message":
            acknowledged[text] = reply["message"]["id"]
        elif reply.get("code") == "not_delivered":
            acknowledged[text] = reply["id"]

    reply, _ = await alice.say("before the outage")
    assert reply is not None
    assert reply["type"] == "message", reply
    keep("before the outage", reply)
    await until(lambda: bob.got("before the outage") is not None, within=5, what="bob hearing alice before")

    private_redis.kill()
    killed = time.monotonic()
    answers = []
    for index in range(3):
        text = f"during the outage {index}"
        reply, took = await alice.say(text, within=10)
        answers.append((reply and reply["type"], reply and reply.get("code"), round(took, 2)))
        assert reply is not None, f"no answer to {text!r} within 10 s"
        assert reply["type"] == "message" or reply.get("code") in {"not_delivered", "unavailable"}, reply
        keep(text, reply)
        await asyncio.sleep(max(0.0, (index + 1) * 3 - (time.monotonic() - killed)))
    print("answers during the outage (type, code, seconds):", answers)
    record("chat.slowest_answer_during_outage_s", max(took for _, _, took in answers))
    await asyncio.sleep(max(0.0, 10 - (time.monotonic() - killed)))
    await asyncio.to_thread(private_redis.start)
    back = time.monotonic()

    # Straight away, as a person would; then once the bus has repaired (its retries back off to 2 s).
    straight, straight_took = await alice.say("straight after the outage", within=10)
    print("answer straight after Redis came back:", straight, round(straight_took, 2))
    if straight is not None:
        keep("straight after the outage", straight)
    await asyncio.sleep(max(0.0, 4 - (time.monotonic() - back)))
    later_sent = time.monotonic()
    later, _ = await alice.say("a while after the outage", within=10)
    assert later is not None
    assert later["type"] == "message", later
    keep("a while after the outage", later)
    await until(lambda: bob.got("a while after the outage") is not None, within=5, what="bob hearing alice later")
    record("chat.later_message_reached_the_other_process_s", bob.got("a while after the outage") - later_sent)

    status, body = await asyncio.to_thread(
        a.get, "/api/worlds/demo/messages/?page_size=100", {"Cookie": f"sessionid={sessions['carol']}"}
    )
    assert status == 200, body
    stored = {message["text"]: message["id"] for message in json.loads(body)["results"]}
    carol = await chat(clients, b, "carol", sessions["carol"])
    in_history = {message["id"] for message in carol.history}
    lost = {text: id for text, id in acknowledged.items() if id not in stored.values() or id not in in_history}
    record("chat.acknowledged", len(acknowledged))
    record("chat.acknowledged_lost", len(lost))
    assert lost == {}

    heard = bob.got("straight after the outage")
    record("chat.straight_after_return_answered", straight is not None)
    record("chat.straight_after_return_delivered_to_other_process", heard is not None)
    story = (
        f"sent {straight_took:.1f} s after Redis came back: answer {straight}, bob heard it: {heard is not None}, "
        f"stored as {stored.get('straight after the outage')}"
    )
    assert straight is not None, story
    assert heard is not None, story


async def test_a_chat_message_sent_while_redis_is_out_of_memory_is_answered_with_unavailable_or_not_delivered(
    private_redis, server_factory, sessions, clients
):
    server = server_factory({"REDIS_URL": private_redis.url, "CHAT_RATE_BURST": "50"}, name="faults-chat-oom")
    alice = await chat(clients, server, "alice", sessions["alice"])

    await asyncio.to_thread(private_redis.fill_memory)
    reply, took = await alice.say("while Redis is full", within=10)
    await asyncio.to_thread(private_redis.free_memory)
    print("answer while Redis was out of memory:", reply, round(took, 2))
    assert reply is not None, "no answer within 10 s"
    assert reply["type"] == "message" or reply.get("code") in {"not_delivered", "unavailable"}, reply

    reply, _ = await alice.say("once Redis has room again", within=10)
    assert reply is not None
    assert reply["type"] == "message", reply


# --- PostgreSQL ---------------------------------------------------------------------------------
