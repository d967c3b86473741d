"""The world engine on its own: movement checks, interest management, contacts, batching."""

import json
import random

import pytest

from world.engine.contacts import CANDIDATES_PER_CAP, compute_contacts
from world.engine.engine import EngineSettings, Session, TickResult, WorldEngine
from world.engine.mapdata import MapData
from world.engine.state import PlayerState
from world.tests.maps import open_map, room_map


async def _ignore(*args: object) -> None:
    return None


def make_engine(tiled=None, **overrides) -> WorldEngine:
    overrides.setdefault("contacts_interval_ms", 0)  # every tick, so each tick's effect shows
    return WorldEngine(
        world_id=1, slug="test", name="Test", capacity=100, mapdata=MapData(tiled or room_map()), map_url="/m",
        settings=EngineSettings(**overrides),
    )  # fmt: skip


def join(engine: WorldEngine, player_id: int, x: float, y: float, status: str = "available") -> Session:
    player = PlayerState(id=player_id, name=f"P{player_id}", avatar="ada", avatar_url="", status=status, x=x, y=y)
    return engine.join(player, sink=_ignore, close=_ignore)


def inbox(result: TickResult, session: Session) -> list[dict]:
    """What the session gets from this tick, in the order the hub sends it: its own messages,
    then the frames it shares with the others in its window."""
    own = [text for target, text in result.messages if target is session]
    shared = [text for text, targets in result.shared if any(target is session for target in targets)]
    return [json.loads(text) for text in own + shared]


def walk(engine: WorldEngine, session: Session, x: float, y: float, *, at: float, seq: int | None = None):
    return engine.move(session, x=x, y=y, direction="right", moving=True, seq=seq, now=at)


# --- movement -------------------------------------------------------------------------------


def test_a_normal_step_is_accepted():
    engine = make_engine()
    alice = join(engine, 1, 2.5, 2.5)
    result = walk(engine, alice, 3.0, 2.5, at=alice.last_move + 0.1)
    assert result.accepted
    assert (alice.player.x, alice.player.y, alice.player.seq) == (3.0, 2.5, 1)


def test_move_into_wall_is_corrected():
    engine = make_engine()
    alice = join(engine, 1, 9.5, 3.5)
    result = walk(engine, alice, 10.2, 3.5, at=alice.last_move + 0.2)
    assert (result.accepted, result.reason) == (False, "blocked")
    assert (alice.player.x, alice.player.y) == (9.5, 3.5)


def test_move_off_the_map_edge_is_corrected():
    engine = make_engine()
    alice = join(engine, 1, 1.5, 1.5)
    assert walk(engine, alice, -0.2, 1.5, at=alice.last_move + 0.2).reason == "out_of_bounds"
    assert walk(engine, alice, 1.5, 12.0, at=alice.last_move + 0.2).reason == "out_of_bounds"


def test_teleport_is_corrected():
    engine = make_engine()
    alice = join(engine, 1, 2.5, 2.5)
    result = walk(engine, alice, 8.5, 4.5, at=alice.last_move + 0.2)
    assert (result.accepted, result.reason) == (False, "too_fast")
    assert (alice.player.x, alice.player.y) == (2.5, 2.5)


def test_running_faster_than_walking_speed_is_caught_within_a_second():
    engine = make_engine(walk_speed=5.0)
    alice = join(engine, 1, 1.5, 9.5)
    now, x, refused = alice.last_move, 1.5, 0
    for _ in range(10):  # 10 moves a second of 1 tile each: twice the walking speed
        now += 0.1
        if walk(engine, alice, x + 1.0, 9.5, at=now).accepted:
            x += 1.0
        else:
            refused += 1
    assert refused >= 3
    assert alice.player.x <= 1.5 + 5.0 * 1.2 + 1.5


def test_walking_at_full_speed_with_jitter_is_accepted():
    engine = make_engine(walk_speed=5.0)
    alice = join(engine, 1, 11.5, 9.5)
    now, x = alice.last_move, 11.5
    for step in range(12):
        now += 0.1 if step % 3 else 0.16  # late, then two messages arriving close together
        if step % 3 == 1:
            now -= 0.05
        x += 0.5
        assert walk(engine, alice, x, 9.5, at=now).accepted, step


def test_cannot_slip_through_a_wall_between_two_free_tiles():
    engine = make_engine()
    alice = join(engine, 1, 9.6, 5.5)
    assert walk(engine, alice, 10.4, 5.5, at=alice.last_move + 0.5).reason == "blocked"


def test_cannot_step_across_a_wall_from_one_free_tile_to_another():
    engine = make_engine()  # the inner wall is one tile thick, at x = 10
    alice = join(engine, 1, 9.9, 5.5)
    assert engine.map.is_walkable(11.1, 5.5)  # both ends are floor: only the path tells
    result = walk(engine, alice, 11.1, 5.5, at=alice.last_move + 0.5)
    assert (result.accepted, result.reason) == (False, "blocked")
    assert (alice.player.x, alice.player.y) == (9.9, 5.5)


def test_stale_sequence_numbers_are_refused():
    engine = make_engine()
    alice = join(engine, 1, 2.5, 2.5)
    assert walk(engine, alice, 2.7, 2.5, at=alice.last_move + 0.1, seq=5).accepted
    assert walk(engine, alice, 2.9, 2.5, at=alice.last_move + 0.1, seq=5).reason == "stale_seq"


def test_zone_changes_and_exits_are_reported_to_the_mover():
    engine = make_engine()
    alice = join(engine, 1, 11.5, 3.5)
    result = walk(engine, alice, 12.3, 3.5, at=alice.last_move + 0.3)
    assert result.zone_changed
    assert engine.zone_of_player(1).name == "Room"
    bob = join(engine, 2, 18.5, 2.5)
    result = walk(engine, bob, 18.5, 1.6, at=bob.last_move + 0.3)
    assert result.exit is not None
    assert (result.exit.target, result.exit.entry) == ("other.tmj", "arrive")
    assert walk(engine, bob, 18.4, 1.5, at=bob.last_move + 0.3).exit is None  # announced once


# --- interest management and batching --------------------------------------------------------


def test_a_tick_is_a_view_change_then_one_shared_moves_frame_and_nothing_when_nothing_changed():
    engine = make_engine(open_map(), aoi_cell=10, aoi_radius=1)
    sessions = [join(engine, pid, 2.5 + pid, 2.5) for pid in range(1, 6)]
    first = engine.tick(1000)
    for session in sessions:
        *view, moves = [m for m in inbox(first, session) if m["type"] == "tick"]
        later = [pid for pid in range(1, 6) if pid > session.player.id]  # the earlier ones were in its welcome
        assert [sorted(state["id"] for state in message["entered"]) for message in view] == ([later] if later else [])
        assert all(message["t"] == 1000 and "moved" not in message for message in view)
        assert moves["t"] == 1000
        assert set(moves) == {"type", "t", "moved"}
    # All five stand in one window: one moves frame, the same text for each of them.
    assert len(first.shared) == 1
    assert set(map(id, first.shared[0][1])) == set(map(id, sessions))
    for session in sessions:
        walk(engine, session, session.player.x, 3.0, at=session.last_move + 0.2)
        walk(engine, session, session.player.x, 3.4, at=session.last_move + 0.2)
    second = engine.tick(1100)
    for session in sessions:
        ticks = [m for m in inbox(second, session) if m["type"] == "tick"]
        assert len(ticks) == 1
        assert sorted(entry[0] for entry in ticks[0]["moved"]) == [1, 2, 3, 4, 5]
    quiet = engine.tick(1200)
    assert quiet.messages == []
    assert quiet.shared == []


def test_each_player_hears_the_moves_in_its_own_window():
    engine = make_engine(open_map(), aoi_cell=10, aoi_radius=0)  # a window is one cell
    xs = {1: 2.5, 2: 5.5, 3: 12.5, 4: 15.5, 5: 25.5}  # cells 0, 0, 1, 1, 2
    sessions = {pid: join(engine, pid, x, 2.5) for pid, x in xs.items()}
    engine.tick(1000)
    for session in sessions.values():
        walk(engine, session, session.player.x, 3.0, at=session.last_move + 0.2)
    result = engine.tick(1100)
    heard = {pid: sorted(entry[0] for entry in inbox(result, session)[0]["moved"]) for pid, session in sessions.items()}
    assert heard == {1: [1, 2], 2: [1, 2], 3: [3, 4], 4: [3, 4], 5: [5]}


def test_players_enter_and_leave_the_area_of_interest():
    engine = make_engine(open_map(), aoi_cell=10, aoi_radius=1)
    alice = join(engine, 1, 2.5, 2.5)
    bob = join(engine, 2, 35.5, 2.5)  # three cells away: out of view
    engine.tick(0)
    assert alice.visible == set()
    now = bob.last_move
    x = 35.5
    entered_at = None
    while x > 15:
        now += 0.2
        x -= 1.0
        assert walk(engine, bob, x, 2.5, at=now).accepted
        result = engine.tick(int(now * 1000))
        for message in inbox(result, alice):
            if [p["id"] for p in message.get("entered", [])] == [2]:
                entered_at = x
    assert entered_at is not None
    assert 19 <= entered_at < 20  # alice's cell is 0 (x 0–9) and she sees one cell each way: x < 20
    while x < 40:
        now += 0.2
        x += 1.0
        walk(engine, bob, x, 2.5, at=now)
        result = engine.tick(int(now * 1000))
        if any(message.get("left") == [2] for message in inbox(result, alice)):
            break
    else:
        pytest.fail("bob never left alice's view")
    assert 2 not in alice.visible


def test_welcome_holds_only_the_players_in_view():
    engine = make_engine(open_map(), aoi_cell=10, aoi_radius=1)
    join(engine, 1, 2.5, 2.5)
    join(engine, 2, 55.5, 2.5)
    carol = join(engine, 3, 5.5, 2.5)
    welcome = json.loads(engine.welcome(carol))
    assert [player["id"] for player in welcome["players"]] == [1]
    assert welcome["you"]["id"] == 3


def test_a_player_leaving_the_world_is_reported_to_those_who_saw_them():
    engine = make_engine(open_map())
    alice = join(engine, 1, 2.5, 2.5)
    bob = join(engine, 2, 3.5, 2.5)
    engine.tick(0)
    engine.leave(bob)
    assert any(message.get("left") == [2] for message in inbox(engine.tick(100), alice))


# --- contacts --------------------------------------------------------------------------------


def contacts_after_tick(engine: WorldEngine) -> dict[int, list[int]]:
    engine.tick(0)
    return {pid: sorted(peers) for pid, peers in engine.contacts.items()}


def test_contact_within_talk_radius_only():
    engine = make_engine(open_map(), talk_radius=2.5)
    join(engine, 1, 5.5, 5.5)
    join(engine, 2, 7.5, 5.5)  # 2 tiles away
    join(engine, 3, 12.5, 5.5)  # 5 tiles from bob
    assert contacts_after_tick(engine) == {1: [2], 2: [1]}


def test_contact_events_say_who_offers():
    engine = make_engine(open_map())
    alice = join(engine, 1, 5.5, 5.5)
    bob = join(engine, 2, 6.5, 5.5)
    result = engine.tick(0)
    [to_alice] = [m for m in inbox(result, alice) if m["type"] == "contacts"]
    [to_bob] = [m for m in inbox(result, bob) if m["type"] == "contacts"]
    assert to_alice == {
        "type": "contacts",
        "contacts": [{"id": 2, "initiator": True, "polite": False}],
        "added": [2],
        "removed": [],
        "call": None,
    }
    assert to_bob["contacts"] == [{"id": 1, "initiator": False, "polite": True}]
    now = bob.last_move
    for step in range(1, 6):
        walk(engine, bob, 6.5 + step, 5.5, at=now + step * 0.2)
    result = engine.tick(100)
    assert [m["removed"] for m in inbox(result, alice) if m["type"] == "contacts"] == [[2]]
    assert result.contact_changes == []  # nobody listens


def test_meeting_room_puts_everyone_inside_in_one_call():
    engine = make_engine()
    for pid, (x, y) in enumerate([(12.5, 2.5), (17.5, 5.5), (15.5, 3.5)], start=1):
        join(engine, pid, x, y)  # more than the talk radius apart, all in "Room"
    join(engine, 4, 11.5, 2.5)  # outside the room, next to player 1
    assert contacts_after_tick(engine) == {1: [2, 3], 2: [1, 3], 3: [1, 2]}


def test_silent_zone_has_no_contacts():
    engine = make_engine()
    join(engine, 1, 3.5, 8.5)
    join(engine, 2, 4.5, 8.5)  # both in "Quiet"
    join(engine, 3, 6.5, 8.5)  # just outside, within radius of player 2
    assert contacts_after_tick(engine) == {}


def test_do_not_disturb_has_no_contacts():
    engine = make_engine(open_map())
    join(engine, 1, 5.5, 5.5, status="dnd")
    join(engine, 2, 6.5, 5.5)
    join(engine, 3, 7.5, 5.5)
    assert contacts_after_tick(engine) == {2: [3], 3: [2]}


def test_do_not_disturb_inside_a_meeting_room_has_no_contacts_either():
    engine = make_engine()
    for pid, (x, y) in enumerate([(12.5, 2.5), (17.5, 5.5), (15.5, 3.5)], start=1):
        join(engine, pid, x, y, status="dnd" if pid == 2 else "available")  # all in "Room"
    assert contacts_after_tick(engine) == {1: [3], 3: [1]}


def test_mesh_limit_keeps_the_nearest():
    engine = make_engine(open_map(), talk_radius=3.0, mesh_limit=2)
    join(engine, 1, 10.0, 10.0)
    join(engine, 2, 10.5, 10.0)
    join(engine, 3, 11.0, 10.0)
    join(engine, 4, 12.0, 10.0)
    contacts = contacts_after_tick(engine)
    assert all(len(peers) <= 2 for peers in contacts.values())
    assert contacts[1] == [2, 3]
    assert all(a in contacts[b] for a, peers in contacts.items() for b in peers)  # symmetric


def test_contacts_are_a_pure_function_of_the_players():
    players = [PlayerState(id=i, name="", avatar="", avatar_url="", status="available", x=(i * 7) % 13, y=(i * 3) % 5)
               for i in range(1, 40)]  # fmt: skip
    zones = MapData(open_map()).zones
    first = compute_contacts(players, zones=zones, radius=2.5, cap=4)
    second = compute_contacts(list(reversed(players)), zones=zones, radius=2.5, cap=4)
    assert first == second


# --- processes -------------------------------------------------------------------------------


def test_remote_batches_place_other_processes_players():
    engine = make_engine(open_map())
    alice = join(engine, 1, 2.5, 2.5)
    engine.tick(0)
    remote = {"id": 9, "name": "Rem", "avatar": "ada", "avatar_url": "", "status": "available", "x": 3.5, "y": 2.5,
              "dir": "left", "moving": False, "seq": 4}  # fmt: skip
    assert engine.apply_remote("other", upserts=[remote], moved=[], gone=[])
    assert [p["id"] for m in inbox(engine.tick(100), alice) for p in m.get("entered", [])] == [9]
    assert engine.apply_remote("other", upserts=[], moved=[[9, 4.0, 2.5, "right", True, 5]], gone=[])
    moved = next(m for m in inbox(engine.tick(200), alice) if "moved" in m)["moved"]
    assert moved == [[9, 4.0, 2.5, "right", True, 5]]
    assert not engine.apply_remote("other", upserts=[], moved=[[77, 1.0, 1.0, "up", False, 1]], gone=[])
    engine.apply_remote("stranger", upserts=[], moved=[], gone=[9])  # not its player: ignored
    assert 9 in engine.players
    engine.drop_origin("other")
    assert 9 not in engine.players


def test_publication_carries_local_changes_once():
    engine = make_engine(open_map())
    alice = join(engine, 1, 2.5, 2.5)
    first = engine.tick(0).publication
    assert first is not None
    assert [p["id"] for p in first["upserts"]] == [1]
    walk(engine, alice, 3.0, 2.5, at=alice.last_move + 0.2)
    second = engine.tick(100).publication
    assert second["moved"] == [[1, 3.0, 2.5, "right", True, 1]]
    assert second["seq"] == first["seq"] + 1
    assert engine.tick(200).publication is None
    engine.leave(alice)
    assert engine.tick(300).publication["gone"] == [1]


def test_contact_listeners_hear_changes_even_without_a_world_socket_here():
    engine = make_engine(open_map())
    engine.apply_remote("other", upserts=[
        {"id": 8, "name": "A", "avatar": "", "avatar_url": "", "status": "available", "x": 5.5, "y": 5.5},
        {"id": 9, "name": "B", "avatar": "", "avatar_url": "", "status": "available", "x": 20.5, "y": 5.5},
    ], moved=[], gone=[])  # fmt: skip
    engine.listen_contacts(8, _ignore)
    engine.tick(0)
    engine.apply_remote("other", upserts=[], moved=[[9, 6.5, 5.5, "left", False, 1]], gone=[])
    assert engine.tick(100).contact_changes == [(8, [9], [], None)]
    engine.apply_remote("other", upserts=[], moved=[], gone=[9])
    assert engine.tick(200).contact_changes == [(8, [], [9], None)]
    engine.unlisten_contacts(8, _ignore)
    assert engine.contact_listeners == {}


def test_contacts_are_refreshed_at_most_every_interval():
    engine = make_engine(open_map(), contacts_interval_ms=200)
    join(engine, 1, 5.5, 5.5)
    bob = join(engine, 2, 9.5, 5.5)  # 4 tiles away: no contact
    engine.tick(1000)
    assert engine.contacts == {}
    walk(engine, bob, 8.5, 5.5, at=bob.last_move + 0.3)
    walk(engine, bob, 7.5, 5.5, at=bob.last_move + 0.3)  # now 2 tiles away
    engine.tick(1100)
    assert engine.contacts == {}  # too soon after the last refresh
    engine.tick(1200)
    assert engine.contacts == {1: frozenset({2}), 2: frozenset({1})}


def brute_force_contacts(players, radius, cap):
    """Every pair within the radius, nearest first, each player up to `cap`: the rule, spelled out."""
    pairs = sorted(
        ((a.x - b.x) ** 2 + (a.y - b.y) ** 2, min(a.id, b.id), max(a.id, b.id))
        for i, a in enumerate(players)
        for b in players[i + 1 :]
        if (a.x - b.x) ** 2 + (a.y - b.y) ** 2 <= radius * radius
    )
    peers: dict[int, set[int]] = {}
    for _, a, b in pairs:
        if len(peers.get(a, ())) < cap and len(peers.get(b, ())) < cap:
            peers.setdefault(a, set()).add(b)
            peers.setdefault(b, set()).add(a)
    return {player: frozenset(found) for player, found in peers.items()}


def make_players(positions):
    return [PlayerState(id=i, name="", avatar="", avatar_url="", status="available", x=x, y=y)
            for i, (x, y) in enumerate(positions, start=1)]  # fmt: skip


def test_contacts_follow_the_rule_while_nobody_has_a_crowd_around():
    rng = random.Random(7)
    zones = MapData(open_map()).zones
    capped = 0
    for _ in range(20):
        players = make_players((rng.uniform(0, 18), rng.uniform(0, 18)) for _ in range(60))
        near = [sum((a.x - b.x) ** 2 + (a.y - b.y) ** 2 <= 2.5**2 for b in players) - 1 for a in players]
        assert max(near) < 3 * CANDIDATES_PER_CAP  # no crowd: every candidate is weighed
        capped += sum(count > 3 for count in near)
        assert compute_contacts(players, zones=zones, radius=2.5, cap=3) == brute_force_contacts(players, 2.5, 3)
    assert capped > 100  # the mesh limit had choices to make


def test_a_stacked_crowd_still_gets_capped_symmetric_contacts_in_any_order():
    rng = random.Random(3)
    zones = MapData(open_map()).zones
    players = make_players((10 + rng.random() * 2, 10 + rng.random() * 2) for _ in range(200))
    contacts = compute_contacts(players, zones=zones, radius=2.5, cap=6)
    assert contacts == compute_contacts(list(reversed(players)), zones=zones, radius=2.5, cap=6)
    assert all(len(peers) <= 6 for peers in contacts.values())
    assert all(a in contacts[b] for a, peers in contacts.items() for b in peers)
    assert sum(len(peers) == 6 for peers in contacts.values()) >= 190  # nearly everyone has a full mesh
