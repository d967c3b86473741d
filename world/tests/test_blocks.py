"""A block keeps two people apart in the world (world/engine/conversations.py): never in contact,
on every process, both ways; in one call of the media server they are hidden from each other."""

import json

from world.engine.engine import WorldEngine
from world.engine.session import Session
from world.tests.maps import open_map
from world.tests.test_calls import _room_of_four
from world.tests.test_engine import _ignore, contacts_after_tick, join, make_engine


def _near(engine: WorldEngine) -> tuple[Session, Session]:
    return join(engine, 1, 5.5, 5.5), join(engine, 2, 7.5, 5.5)


def test_a_block_ends_the_contact_at_once_and_unblocking_allows_it_again():
    engine = make_engine(open_map())
    _near(engine)
    assert contacts_after_tick(engine) == {1: [2], 2: [1]}
    engine.set_avoids(1, frozenset({2}))
    assert contacts_after_tick(engine) == {}  # at the next tick, though contacts were just worked out
    engine.set_avoids(1, frozenset())
    assert contacts_after_tick(engine) == {1: [2], 2: [1]}


def test_the_blocked_side_is_kept_apart_too_and_others_are_not():
    engine = make_engine(open_map())
    _near(engine)
    join(engine, 3, 6.5, 6.5)
    engine.set_avoids(2, frozenset({1}))
    assert contacts_after_tick(engine) == {1: [3], 2: [3], 3: [1, 2]}


def test_every_process_keeps_them_apart_and_nobody_else_learns_of_the_block():
    here, there = (
        make_engine(open_map()),
        make_engine(
            open_map(),
        ),
    )
    alice = join(here, 1, 5.5, 5.5)
    join(there, 2, 7.5, 5.5)
    here.set_avoids(1, frozenset({2}))
    publication = here.tick(0).publication
    assert publication["upserts"][0]["avoids"] == [2]
    there.apply_remote("here", upserts=publication["upserts"], moved=[], gone=[])
    assert contacts_after_tick(there) == {}
    # What players are told about alice says nothing of whom she blocks.
    welcome = json.loads(there.welcome(there.sessions[2]))
    assert all("avoids" not in player for player in [*welcome["players"], welcome["you"]])
    assert "avoids" not in json.loads(here.welcome(alice))["you"]
    # Lifted: the next publication says so and the other process lets them talk.
    here.set_avoids(1, frozenset())
    there.apply_remote("here", upserts=here.tick(100).publication["upserts"], moved=[], gone=[])
    assert contacts_after_tick(there) == {1: [2], 2: [1]}


def test_a_block_splits_no_call_but_hides_the_two_from_each_other_and_listeners_hear_it():
    engine = make_engine(call_limit=3)
    _room_of_four(engine)
    engine.listen_contacts(1, _ignore)
    [(_, _, _, call)] = engine.tick(0).contact_changes
    assert engine.hidden_from(1) == []
    engine.set_avoids(3, frozenset({1}))
    assert engine.tick(100).contact_changes == [(1, [], [], call)]  # same call, now hiding 3
    assert engine.call_members(call) == [1, 2, 3, 4]
    assert (engine.hidden_from(1), engine.hidden_from(3), engine.hidden_from(2)) == ([3], [1], [])


def test_a_blocked_pair_does_not_link_a_group():
    engine = make_engine(open_map(), call_limit=2)
    for pid, x in ((1, 5.5), (2, 7.5), (3, 9.5)):  # a chain: 1–2–3, 1 and 3 out of reach of each other
        join(engine, pid, x, 5.5)
    contacts_after_tick(engine)
    assert set(engine.calls) == {1, 2, 3}
    engine.set_avoids(2, frozenset({3}))
    contacts_after_tick(engine)
    assert engine.calls == {}  # 1–2 is two people: peer-to-peer
    assert engine.contacts == {1: frozenset({2}), 2: frozenset({1})}
