"""Reactions over avatars (docs/protocol.md "emote"): through the world's tick, one frame for
everyone in view, to other processes with the batch, gone after a few seconds; bad or too many
refused."""

import json

from channels.db import database_sync_to_async

from conftest import open_socket, receive_until
from world.engine import state
from world.tests.maps import open_map
from world.tests.test_engine import join, make_engine


def _reacted(result) -> list[list]:
    return [reaction for frame, _ in result.shared for reaction in json.loads(frame).get("reacted", [])]


def test_a_reaction_reaches_everyone_in_view_in_the_ticks_shared_frame_and_other_processes():
    here, there = make_engine(open_map()), make_engine(open_map())
    alice = join(here, 1, 5.5, 5.5)
    join(here, 2, 7.5, 5.5)
    here.tick(0)
    here.react(alice, "wave")
    result = here.tick(100)
    [(frame, sessions)] = result.shared  # one frame for the window both stand in
    assert json.loads(frame)["reacted"] == [[1, "wave"]]
    assert sorted(session.player.id for session in sessions) == [1, 2]  # the reacting player too
    assert not result.messages  # nothing per recipient
    bob_there = join(there, 3, 6.5, 5.5)
    there.tick(0)
    there.apply_remote("here", upserts=result.publication["upserts"], moved=[], gone=[])
    assert there.players[1].full()["emote"] == "wave"  # a newcomer's view of alice shows it
    assert _reacted(there.tick(100)) == []  # she entered this replica with it: no second reaction
    here.react(alice, "wave")  # the same reaction again is a new one
    there.apply_remote("here", upserts=here.tick(200).publication["upserts"], moved=[], gone=[])
    assert _reacted(there.tick(300)) == [[1, "wave"]]
    assert bob_there.player.id == 3


def test_a_reaction_is_forgotten_after_a_few_seconds(monkeypatch):
    engine = make_engine(open_map())
    alice = join(engine, 1, 5.5, 5.5)
    clock = [1_000_000.0]
    monkeypatch.setattr(state.time, "time", lambda: clock[0])
    engine.react(alice, "heart")
    assert alice.player.full()["emote"] == "heart"
    clock[0] += state.EMOTE_MS / 1000 + 0.1
    assert "emote" not in alice.player.full()  # a newcomer's welcome shows no stale reaction


async def test_the_socket_takes_known_reactions_a_few_a_second(demo_worlds, cookies):
    alice = await open_socket("/ws/world/demo/", cookie=await database_sync_to_async(cookies)("alice"))
    you = (await receive_until(alice, "welcome"))["you"]
    try:
        await alice.send_json_to({"type": "emote", "emote": "thumbs_up"})
        tick = await receive_until(alice, "tick", where=lambda m: "reacted" in m)
        assert tick["reacted"] == [[you["id"], "thumbs_up"]]
        await alice.send_json_to({"type": "emote", "emote": "<script>"})
        error = await receive_until(alice, "error")
        assert (error["code"], error["message"]) == (
            "invalid", "'emote' must be one of: wave, thumbs_up, heart, laugh, raised_hand",
        )  # fmt: skip
        for _ in range(5):
            await alice.send_json_to({"type": "emote", "emote": "wave"})
        assert (await receive_until(alice, "error"))["code"] == "rate_limited"
    finally:
        await alice.disconnect()
