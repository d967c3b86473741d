"""Meetings over the media server's limit become one call (world/engine/calls.py)."""

from world.engine.calls import compute_calls, mixed_calls, without_call_pairs
from world.tests.maps import open_map
from world.tests.test_engine import _ignore, contacts_after_tick, join, make_engine, walk


def _room_of_four(engine):
    for pid, (x, y) in enumerate([(12.5, 2.5), (17.5, 5.5), (15.5, 3.5), (13.5, 4.5)], start=1):
        join(engine, pid, x, y)  # all in "Room", a meeting zone


def test_a_meeting_over_the_limit_is_one_call_and_no_mesh():
    engine = make_engine(call_limit=3)
    _room_of_four(engine)
    join(engine, 5, 11.5, 2.5)  # outside the room
    assert contacts_after_tick(engine) == {}
    [call] = set(engine.calls.values())
    assert call.startswith("zone-")
    assert engine.call_members(call) == [1, 2, 3, 4]
    assert engine.call_of(5) is None


def test_at_the_limit_the_meeting_stays_peer_to_peer():
    engine = make_engine(call_limit=4)
    _room_of_four(engine)
    assert contacts_after_tick(engine) == {1: [2, 3, 4], 2: [1, 3, 4], 3: [1, 2, 4], 4: [1, 2, 3]}
    assert engine.calls == {}


def test_without_a_media_server_there_are_no_calls():
    engine = make_engine(call_limit=0)
    _room_of_four(engine)
    contacts_after_tick(engine)
    assert engine.calls == {}


def test_do_not_disturb_is_left_out_of_the_call_and_its_count():
    engine = make_engine(call_limit=3)
    _room_of_four(engine)
    join(engine, 6, 14.5, 3.5, status="dnd")
    contacts_after_tick(engine)
    assert sorted(engine.calls) == [1, 2, 3, 4]


def test_listeners_hear_the_call_they_join_and_leave():
    engine = make_engine(call_limit=2)
    join(engine, 1, 12.5, 2.5)
    join(engine, 2, 17.5, 5.5)
    engine.listen_contacts(1, _ignore)
    assert engine.tick(0).contact_changes == [(1, [2], [], None)]
    third = join(engine, 3, 15.5, 3.5)
    [(player, added, removed, call)] = engine.tick(100).contact_changes
    assert (player, added, removed) == (1, [], [2])
    assert call is not None
    assert call == engine.call_of(2) == engine.call_of(3)
    engine.leave(third)
    assert engine.tick(200).contact_changes == [(1, [2], [], None)]


def test_call_pairs_leave_the_contacts_but_other_pairs_stay():
    contacts = {1: frozenset({2, 9}), 2: frozenset({1}), 9: frozenset({1})}
    assert without_call_pairs(contacts, {1: "zone-1", 2: "zone-1"}) == {1: frozenset({9}), 9: frozenset({1})}


def test_calls_are_a_pure_function_of_the_players():
    engine = make_engine(call_limit=1)
    _room_of_four(engine)
    players = list(engine.players.values())
    zones = engine.map.zones
    assert compute_calls(players, zones=zones, limit=1) == compute_calls(reversed(players), zones=zones, limit=1)


def test_without_the_media_server_the_meeting_is_a_mesh_again_and_a_call_when_it_is_back():
    engine = make_engine(call_limit=3)
    _room_of_four(engine)
    contacts_after_tick(engine)
    assert len(engine.calls) == 4
    engine.set_calls_available(False)
    assert contacts_after_tick(engine) == {1: [2, 3, 4], 2: [1, 3, 4], 3: [1, 2, 4], 4: [1, 2, 3]}
    assert engine.calls == {}
    engine.set_calls_available(True)
    assert contacts_after_tick(engine) == {}
    assert len(engine.calls) == 4


def test_a_group_standing_together_outside_meeting_rooms_becomes_a_call_over_the_limit():
    engine = make_engine(open_map(), call_limit=3, talk_radius=2.5)
    for pid, x in enumerate([10.5, 12.5, 14.5, 16.5], start=1):  # a chain: each near the next
        join(engine, pid, x, 5.5)
    join(engine, 9, 40.5, 5.5)  # far off
    contacts_after_tick(engine)
    assert engine.calls == dict.fromkeys([1, 2, 3, 4], "group-1")
    assert engine.contacts == {}


def test_a_small_group_outside_stays_peer_to_peer_and_a_crowd_is_not_a_call():
    engine = make_engine(open_map(), call_limit=3, talk_radius=2.5)
    for pid, x in enumerate([10.5, 12.5, 14.5], start=1):
        join(engine, pid, x, 5.5)
    assert contacts_after_tick(engine) == {1: [2], 2: [1, 3], 3: [2]}
    assert engine.calls == {}
    crowd = make_engine(open_map(), call_limit=3, talk_radius=2.5)
    for pid in range(1, 61):  # 60 on a 10 x 6 block: more than GROUP_MAX
        join(crowd, pid, 5.5 + (pid - 1) % 10, 5.5 + (pid - 1) // 10)
    contacts_after_tick(crowd)
    assert crowd.calls == {}


def test_a_group_call_keeps_its_name_while_its_lowest_member_stays():
    engine = make_engine(open_map(), call_limit=2, talk_radius=2.5)
    sessions = {pid: join(engine, pid, x, 5.5) for pid, x in [(3, 10.5), (5, 12.5), (7, 14.5)]}
    engine.tick(0)
    assert set(engine.calls.values()) == {"group-3"}
    join(engine, 8, 16.5, 5.5)
    engine.tick(1000)
    assert engine.calls == dict.fromkeys([3, 5, 7, 8], "group-3")
    engine.leave(sessions[3])  # 5, 7, 8 are left: still over the limit, renamed after the lowest
    engine.tick(2000)
    assert engine.calls == dict.fromkeys([5, 7, 8], "group-5")


def test_a_call_over_the_mix_limit_is_mixed_and_its_members_listeners_hear_it_both_ways():
    engine = make_engine(call_limit=2, mix_limit=3)
    for pid, (x, y) in enumerate([(12.5, 2.5), (17.5, 5.5), (15.5, 3.5)], start=1):
        join(engine, pid, x, y)
    engine.listen_contacts(1, _ignore)
    [(_player, _, _, call)] = engine.tick(0).contact_changes
    assert call is not None
    assert not engine.call_mixed(call)
    fourth = join(engine, 4, 13.5, 4.5)
    # Same call, same contacts: the listener hears again because the call is now mixed.
    assert engine.tick(100).contact_changes == [(1, [], [], call)]
    assert engine.call_mixed(call)
    assert engine.mixed == {call}
    assert engine.tick(200).contact_changes == []
    engine.leave(fourth)
    assert engine.tick(300).contact_changes == [(1, [], [], call)]
    assert not engine.call_mixed(call)


def test_mixing_is_by_call_size_and_off_with_a_limit_of_zero():
    calls = {1: "zone-1", 2: "zone-1", 3: "zone-1", 4: "group-4", 5: "group-4"}
    assert mixed_calls(calls, mix_limit=2) == {"zone-1"}
    assert mixed_calls(calls, mix_limit=1) == {"zone-1", "group-4"}
    assert mixed_calls(calls, mix_limit=0) == frozenset()


def test_leaving_the_call_ends_every_contact_until_you_walk_away_or_come_back():
    engine = make_engine(open_map())
    alice = join(engine, 1, 5.5, 5.5)
    join(engine, 2, 7.5, 5.5)
    assert contacts_after_tick(engine) == {1: [2], 2: [1]}
    engine.leave_call(alice)
    assert contacts_after_tick(engine) == {}
    assert (alice.player.full()["status"], alice.player.full()["left_call"]) == ("busy", True)  # others see busy
    walk(engine, alice, 6.5, 5.5, at=alice.last_move + 1)  # a step: still out
    assert contacts_after_tick(engine) == {}
    engine.rejoin_call(alice)
    assert contacts_after_tick(engine) == {1: [2], 2: [1]}
    assert alice.player.full()["status"] == "available"
    assert "left_call" not in alice.player.full()
    engine.leave_call(alice)
    for step in range(1, 9):  # walking off, 4 tiles: back in calls on the way
        walk(engine, alice, 6.5 - step * 0.5, 5.5, at=alice.last_move + 0.2)
    assert not alice.player.left_call


def test_a_player_out_of_calls_is_out_on_every_process_and_out_of_meetings():
    engine = make_engine(call_limit=2)
    _room_of_four(engine)
    contacts_after_tick(engine)
    assert len(engine.calls) == 4
    engine.leave_call(engine.sessions[1])
    publication = engine.tick(0).publication
    assert sorted(engine.calls) == [2, 3, 4]
    other = make_engine(call_limit=2)
    other.apply_remote("first", upserts=publication["upserts"], moved=[], gone=[])
    assert other.players[1].left_call
