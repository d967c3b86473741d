"""Stages (docs/maps.md: speakerMegaphone / listenerMegaphone): whoever stands on the speaker area
is one call with everyone in its audience, through the media server; the audience only receives
and keeps its own peer-to-peer whispers."""

from world.engine.mapdata import MapData
from world.tests.maps import interactive_map
from world.tests.test_engine import _ignore, contacts_after_tick, join, make_engine, walk

# interactive_map: the stage's speaker area is (12–13, 7–8), its audience (14–17, 7–9).
SPEAKER, ON_STAGE, AUDIENCE = 1, (12.5, 7.5), [(15.5, 8.5), (16.2, 8.5), (17.5, 9.5)]


def stage_engine(**settings):
    settings.setdefault("call_limit", 6)
    engine = make_engine(interactive_map(), **settings)
    join(engine, SPEAKER, *ON_STAGE)
    for pid, (x, y) in enumerate(AUDIENCE, start=2):
        join(engine, pid, x, y)
    return engine


def test_the_map_knows_each_tiles_stage_and_role():
    mapdata = MapData(interactive_map())
    assert mapdata.stages == ["garden"]
    on_stage = mapdata.stage_of_set[mapdata.areas_at[mapdata.index_of(*ON_STAGE)]]
    in_audience = mapdata.stage_of_set[mapdata.areas_at[mapdata.index_of(15.5, 8.5)]]
    assert (on_stage, in_audience) == ((0, True), (0, False))
    assert mapdata.stage_of_set[mapdata.areas_at[mapdata.index_of(2.5, 2.5)]] is None


def test_a_speaker_and_an_audience_are_one_call_whatever_its_size_with_roles():
    engine = stage_engine()
    contacts = contacts_after_tick(engine)
    assert set(engine.calls.values()) == {"stage-0"}
    assert engine.call_members("stage-0") == [1, 2, 3, 4]
    assert [engine.stage_role(pid) for pid in (1, 2, 3, 4)] == ["speaker", "listener", "listener", "listener"]
    # The audience whispers among itself peer-to-peer; nobody reaches the speaker that way.
    assert contacts == {2: [3, 4], 3: [2, 4], 4: [2, 3]}
    assert engine.call_mixed("stage-0") is False


def test_a_stage_is_never_mixed_even_over_the_mix_limit():
    engine = stage_engine(mix_limit=2)
    contacts_after_tick(engine)
    assert engine.mixed == frozenset()


def test_no_audience_or_no_speaker_no_stage_call():
    engine = make_engine(interactive_map(), call_limit=6)
    join(engine, 1, *ON_STAGE)
    contacts_after_tick(engine)
    assert engine.calls == {}
    assert engine.stage_role(1) is None
    engine = make_engine(interactive_map(), call_limit=6)
    join(engine, 2, 15.5, 8.5)
    contacts_after_tick(engine)
    assert engine.calls == {}


def test_do_not_disturb_keeps_you_out_of_the_stage():
    engine = stage_engine()
    join(engine, 9, 14.5, 7.5, status="dnd")
    contacts_after_tick(engine)
    assert 9 not in engine.calls


def test_without_a_media_server_a_stage_is_no_call():
    engine = stage_engine(call_limit=0)
    contacts_after_tick(engine)
    assert engine.calls == {}


def test_walking_onto_the_stage_makes_a_listener_a_speaker_and_the_signaling_hears_it():
    engine = stage_engine()
    engine.listen_contacts(4, _ignore)  # as the signaling socket does
    contacts_after_tick(engine)
    four = engine.sessions[4]
    assert engine.stage_role(4) == "listener"
    now = four.last_move
    for step, x in enumerate([16.8, 16.1, 15.4, 14.7, 14.0, 13.5], start=1):
        assert walk(engine, four, x, 8.5 if x < 14 else 9.2, at=now + step * 0.3).accepted
    changes = engine.tick(int(now * 1000) + 10_000).contact_changes
    changes += engine.tick_contacts(int(now * 1000) + 20_000).contact_changes
    assert engine.stage_role(4) == "speaker"
    assert [change[0] for change in changes] == [4]  # the same call, another role: told
    engine.unlisten_contacts(4, _ignore)


def test_without_a_media_server_the_speaker_reaches_the_nearest_of_the_audience_one_way():
    engine = stage_engine(call_limit=0, mesh_limit=2)
    contacts = contacts_after_tick(engine)
    assert engine.calls == {}
    assert engine.one_way == frozenset({(1, 2), (1, 3)})  # the two nearest of three
    assert contacts[1] == [2, 3]
    assert engine.contacts_of(1) == [
        {"id": 2, "initiator": True, "polite": False, "speak": True},
        {"id": 3, "initiator": True, "polite": False, "speak": True},
    ]
    assert engine.contacts_of(2)[0] == {"id": 1, "initiator": False, "polite": True, "listen": True}
    assert {"id": 3, "initiator": True, "polite": False} in engine.contacts_of(2)  # audience whispers, both ways
    assert engine.initiator(2, 1) == 1  # the speaker offers, though its id is not the lower one here
    assert (engine.listens_to(2, 1), engine.listens_to(1, 2)) == (True, False)


def test_without_a_media_server_the_speaker_offers_even_with_the_higher_id():
    engine = make_engine(interactive_map(), call_limit=0)
    join(engine, 5, *ON_STAGE)
    join(engine, 2, 15.5, 8.5)
    contacts_after_tick(engine)
    assert engine.contacts_of(5) == [{"id": 2, "initiator": True, "polite": False, "speak": True}]
    assert engine.contacts_of(2) == [{"id": 5, "initiator": False, "polite": True, "listen": True}]


def test_a_block_keeps_a_listener_from_the_stage_too():
    engine = stage_engine(call_limit=0)
    engine.players[2].avoids = frozenset({1})
    contacts_after_tick(engine)
    assert (1, 2) not in engine.one_way
    assert 2 not in [entry["id"] for entry in engine.contacts_of(1)]
