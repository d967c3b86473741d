"""Calls in real Chromium pages against a real server process: a meeting over CALL_P2P_LIMIT
through a real Janus (docs/janus.md) and back to peer-to-peer, and a call that lives through a
restart of the server on the connection it had."""

import json
import math
import threading
import time
from typing import Any

import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect as ws_connect

from conftest import make_user, session_cookie
from frontend.tests.browser import (  # noqa: F401 - fixtures
    ASYNC_UNSAFE,
    COUNT_CAPTURES,
    REMOTE_VIDEO_PLAYS,
    WAIT_MS,
    Pages,
    browser,
    connected,
    hold,
    inspect,
    orm_beside_playwright,
    place,
    server,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

BLUE_ROOM = [(56.5, 2.5), (57.5, 2.5), (58.5, 8.5)]  # the demo's Blue Room; the third by its door


def _meeting_pages(browser: Any, janus: Any, server_factory: Any, **env: str):  # noqa: F811
    meeting = server_factory({ASYNC_UNSAFE: "", **janus.settings(), "CALL_P2P_LIMIT": "2", **env}, name="meeting")
    opened = Pages(browser, meeting)
    yield opened
    opened.close()
    assert not opened.errors, f"uncaught errors in the page: {opened.errors}"


@pytest.fixture
def meeting_pages(browser: Any, janus: Any, demo_worlds: dict[str, Any], server_factory: Any):  # noqa: F811
    yield from _meeting_pages(browser, janus, server_factory)


@pytest.fixture
def one_camera_meeting_pages(browser: Any, janus: Any, demo_worlds: dict[str, Any], server_factory: Any):  # noqa: F811
    yield from _meeting_pages(browser, janus, server_factory, CALL_VIDEO_LIMIT="1")


def test_three_pages_meet_through_janus_and_go_back_to_peer_to_peer(meeting_pages, demo_worlds, alice, bob, carol):
    people = (alice, bob, carol)
    for user, (x, y) in zip(people, BLUE_ROOM, strict=True):
        place(user, demo_worlds["demo"], x, y)
    opened = {user.pk: meeting_pages.enter(user) for user in people}
    for page in opened.values():
        connected(page, "signal")
    for user in people:
        others = [other.pk for other in people if other is not user]
        page = opened[user.pk]
        wait_for(page, "s.calls.call === 'zone-5' && arg.every((id) => s.calls.carried.includes(id))", others)
        for other in others:
            page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=other, timeout=WAIT_MS)
        assert inspect(page)["calls"]["p2p"] == []  # nobody peer-to-peer inside the call

    # Carol walks out of the room: two are left, at the limit, so the call ends for everyone and
    # alice and bob talk peer-to-peer again.
    carol_page = opened[carol.pk]
    carol_page.locator("#world-canvas").focus()
    hold(carol_page, "ArrowDown", "s.me.y > 9.6")
    for user in (alice, bob):
        other = bob if user is alice else alice
        page = opened[user.pk]
        wait_for(page, "s.calls.call === null && s.calls.p2p.includes(arg)", other.pk)
        page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=other.pk, timeout=WAIT_MS)
    assert inspect(carol_page)["calls"]["call"] is None
    assert inspect(carol_page)["calls"]["p2p"] == []


HEARD_NOT_SEEN = """(id) => {
  const tile = document.querySelector(`.video-tile.remote[data-peer="${id}"]`);
  const stream = tile && tile.querySelector("video").srcObject;
  const live = (tracks) => tracks.some((track) => track.readyState === "live" && !track.muted);
  return Boolean(tile && tile.classList.contains("no-video") && stream && live(stream.getAudioTracks())
    && !live(stream.getVideoTracks()));
}"""


def test_in_a_call_a_page_receives_the_nearest_cameras_and_everyone_s_sound(
    one_camera_meeting_pages, demo_worlds, alice, bob, carol
):
    seats = {alice: (56.5, 2.5), bob: (57.5, 2.5), carol: (55.5, 3.5)}  # bob 1 tile from alice, carol 1.4
    for user, (x, y) in seats.items():
        place(user, demo_worlds["demo"], x, y)
    opened = {user.pk: one_camera_meeting_pages.enter(user) for user in seats}
    alice_page = opened[alice.pk]
    wait_for(alice_page, "arg.every((id) => s.calls.carried.includes(id))", [bob.pk, carol.pk])
    alice_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=bob.pk, timeout=WAIT_MS)
    alice_page.wait_for_function(HEARD_NOT_SEEN, arg=carol.pk, timeout=WAIT_MS)  # a name tile, heard

    # Alice steps left: now carol is the nearer, her camera comes and bob's goes.
    alice_page.locator("#world-canvas").focus()
    hold(alice_page, "ArrowLeft", "s.me.x < 55.7")
    alice_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=carol.pk, timeout=WAIT_MS)
    alice_page.wait_for_function(HEARD_NOT_SEEN, arg=bob.pk, timeout=WAIT_MS)


SCREEN_PLAYS = """(id) => {
  const video = document.querySelector(`.screen-share[data-peer="${id}"] video`);
  return Boolean(video && video.videoWidth > 0 && video.readyState >= 2 && video.videoWidth / video.videoHeight > 1.5);
}"""


def screen_of(page: Any, user: Any) -> Any:
    return page.locator(f'.screen-share[data-peer="{user.pk}"]')


def test_sharing_a_screen_in_a_meeting_through_janus(meeting_pages, demo_worlds, alice, bob, carol):
    people = (alice, bob, carol)
    for user, (x, y) in zip(people, BLUE_ROOM, strict=True):
        place(user, demo_worlds["demo"], x, y)
    opened = {user.pk: meeting_pages.enter(user) for user in people}
    for user in people:
        others = [other.pk for other in people if other is not user]
        wait_for(opened[user.pk], "arg.every((id) => s.calls.carried.includes(id))", others)

    alice_page = opened[alice.pk]
    alice_page.locator("#screen-button").click()
    expect(alice_page.locator("#screen-button")).to_have_text("Stop sharing")
    for user in (bob, carol):
        page = opened[user.pk]
        page.wait_for_function(SCREEN_PLAYS, arg=alice.pk, timeout=WAIT_MS)
        expect(screen_of(page, alice)).to_have_accessible_name("Alice is sharing their screen")
        page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=alice.pk, timeout=WAIT_MS)  # her camera too
    alice_page.locator("#screen-button").click()
    for user in (bob, carol):
        screen_of(opened[user.pk], alice).wait_for(state="detached", timeout=WAIT_MS)


def test_a_call_survives_a_server_restart_on_the_same_connection(pages, demo_worlds, alice, bob):
    place(alice, demo_worlds["demo"], 24.5, 27.5, "right")
    place(bob, demo_worlds["demo"], 26.5, 27.5, "left")  # within the talk radius: a call at once
    alice_page, bob_page = pages.enter(alice), pages.enter(bob)
    both = ((alice_page, bob), (bob_page, alice))
    for page, other in both:
        page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=other.pk, timeout=WAIT_MS)
    made = {other.pk: inspect(page)["calls"]["created"] for page, other in both}

    pages.server.stop()  # SIGTERM: every socket closes with 1012
    alice_page.locator('#connection[data-world="reconnecting"]').wait_for(timeout=WAIT_MS)
    pages.server.start()
    for page, other in both:
        wait_for(page, "s.stats.welcomes === 2", timeout=30000)
        connected(page, "world", "signal")
        # the world has them in contact again: confirmed, on the connection made before the restart
        wait_for(page, "s.calls.p2p.includes(arg) && s.calls.unconfirmed.length === 0", other.pk, timeout=30000)
        assert inspect(page)["calls"]["created"] == made[other.pk]
        page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=other.pk, timeout=WAIT_MS)
        playing = page.evaluate(VIDEO_TIME, other.pk)
        page.wait_for_function(f"(id) => ({VIDEO_TIME})(id) > {playing + 0.5}", arg=other.pk, timeout=WAIT_MS)

    # Alice shares her screen: Bob sees it large, her camera still in her tile; she stops, it goes.
    alice_page.locator("#screen-button").click()
    bob_page.wait_for_function(SCREEN_PLAYS, arg=alice.pk, timeout=WAIT_MS)
    expect(screen_of(bob_page, alice)).to_have_accessible_name("Alice is sharing their screen")
    bob_page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=alice.pk, timeout=WAIT_MS)
    assert bob_page.evaluate(CAMERA_IS_NOT_SCREEN, alice.pk)
    alice_page.locator("#screen-button").click()
    screen_of(bob_page, alice).wait_for(state="detached", timeout=WAIT_MS)

    # Confirmed again, a call ends as always: walking apart hangs up at once.
    alice_page.locator("#world-canvas").focus()
    hold(alice_page, "ArrowLeft", "s.me.x < 21.5")
    wait_for(alice_page, "s.calls.p2p.length === 0")
    wait_for(bob_page, "s.calls.p2p.length === 0")


CAMERA_IS_NOT_SCREEN = """(id) => {
  const video = document.querySelector(`.video-tile.remote[data-peer="${id}"] video`);
  return video.videoWidth / video.videoHeight < 1.5;
}"""
VIDEO_TIME = """(id) => document.querySelector(`.video-tile.remote[data-peer="${id}"] video`).currentTime"""


MIX_PLAYS = """() => {
  const audio = document.getElementById("meeting-mix");
  const track = audio && audio.srcObject && audio.srcObject.getAudioTracks()[0];
  return Boolean(track && track.readyState === "live" && !track.muted && !audio.paused);
}"""
# Loudest sample of the mix over a second, through WebAudio (the fake microphones beep).
MIX_PEAK = """async () => {
  const audio = document.getElementById("meeting-mix");
  const context = new AudioContext();
  await context.resume();
  const analyser = context.createAnalyser();
  context.createMediaStreamSource(audio.srcObject).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let peak = 0;
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    analyser.getFloatTimeDomainData(samples);
    for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
  }
  await context.close();
  return peak;
}"""
SOUND_FROM_THE_ROOM = """(ids) => ids.map((id) => {
  const video = document.querySelector(`.video-tile.remote[data-peer="${id}"] video`);
  return Boolean(video && video.srcObject && video.srcObject.getAudioTracks().some((t) => t.readyState === "live"));
})"""


@pytest.fixture
def mixing_meeting_pages(browser: Any, janus: Any, demo_worlds: dict[str, Any], server_factory: Any):  # noqa: F811
    yield from _meeting_pages(browser, janus, server_factory, CALL_AUDIO_MIX_LIMIT="3")


def _walk(socket: Any, start: tuple[float, float], goal: tuple[float, float], seq: int) -> int:
    """Valid moves in a straight line, at walking pace, on a world socket of our own."""
    steps = max(1, math.ceil(math.dist(start, goal) / 0.25))
    for step in range(1, steps + 1):
        time.sleep(0.06)
        x, y = (start[i] + (goal[i] - start[i]) * step / steps for i in (0, 1))
        direction = "up" if goal[1] < start[1] else "down"
        socket.send(json.dumps({"type": "move", "x": x, "y": y, "dir": direction, "moving": step < steps, "seq": seq}))
        seq += 1
    return seq


def test_a_call_over_the_mix_limit_is_heard_through_the_mix_and_back_through_the_room(
    mixing_meeting_pages, demo_worlds, alice, bob, carol
):
    """Three pages in a call (over CALL_P2P_LIMIT 2, within CALL_AUDIO_MIX_LIMIT 3) hear each
    other from the video room; a fourth player walks in (a socket of the test's) and the call's
    sound moves to the mix, cameras staying; the fourth walks out and it moves back."""
    people = (alice, bob, carol)
    for user, (x, y) in zip(people, BLUE_ROOM, strict=True):
        place(user, demo_worlds["demo"], x, y)
    dave = make_user("dave")
    door, inside = (58.5, 10.5), (58.5, 7.5)
    place(dave, demo_worlds["demo"], *door)
    opened = {user.pk: mixing_meeting_pages.enter(user) for user in people}
    others = {user.pk: [other.pk for other in people if other is not user] for user in people}
    for user in people:
        page = opened[user.pk]
        wait_for(page, "s.calls.call === 'zone-5' && arg.every((id) => s.calls.carried.includes(id))", others[user.pk])
        wait_for(page, "s.calls.mix === null")
        assert page.evaluate(SOUND_FROM_THE_ROOM, others[user.pk]) == [True, True]

    served = mixing_meeting_pages.server
    headers = {"Origin": served.http_url, "Cookie": f"sessionid={session_cookie(dave)}"}
    with ws_connect(f"{served.ws_url}/ws/world/demo/", additional_headers=headers, open_timeout=10) as world:
        drain = threading.Thread(target=lambda: [None for _ in world], daemon=True)  # keep reading
        drain.start()
        seq = _walk(world, door, inside, 1)
        for user in people:  # four in the call: its sound is mixed, the cameras stay
            page = opened[user.pk]
            wait_for(page, "s.calls.mix && s.calls.mix.state === 'connected'")
            page.wait_for_function(MIX_PLAYS, timeout=WAIT_MS)
            wait_for(page, "s.calls.call === 'zone-5'")
            for other in others[user.pk]:
                page.wait_for_function(REMOTE_VIDEO_PLAYS, arg=other, timeout=WAIT_MS)
            page.wait_for_function(f"(ids) => !({SOUND_FROM_THE_ROOM})(ids).some(Boolean)", arg=others[user.pk])
        assert opened[alice.pk].evaluate(MIX_PEAK) > 0.01  # the others' beeps, mixed
        _walk(world, inside, door, seq)
        for user in people:  # three again: each voice back through the video room, the mix left
            page = opened[user.pk]
            wait_for(page, "s.calls.mix === null && s.calls.call === 'zone-5'")
            page.wait_for_function(f"(ids) => ({SOUND_FROM_THE_ROOM})(ids).every(Boolean)", arg=others[user.pk])
            page.wait_for_function("() => !document.getElementById('meeting-mix')", timeout=WAIT_MS)


GARDEN_STAGE = (32.5, 35.5)  # the demo's "Garden stage" (speaker area)
GARDEN_AUDIENCE = (30.5, 39.5)  # in its audience, far from the stage


def _on_the_garden_stage(opened: Pages, world: Any, speaker: Any, listener: Any) -> tuple[Any, Any]:
    """The speaker's page on the demo garden's stage, the listener's in its audience (counting
    its requests for a camera or microphone)."""
    place(speaker, world, *GARDEN_STAGE)
    place(listener, world, *GARDEN_AUDIENCE)
    speaking = opened.enter(speaker)
    listening = opened.new(listener)
    listening.add_init_script(COUNT_CAPTURES)
    opened.open(listening)
    return speaking, listening


def test_a_stage_s_audience_sees_the_speaker_and_sends_nothing(meeting_pages, demo_worlds, alice, bob):
    speaker, listener = _on_the_garden_stage(meeting_pages, demo_worlds["demo"], alice, bob)
    for page in (speaker, listener):
        connected(page, "signal")
        wait_for(page, "s.calls.call === 'stage-0'")
    listener.wait_for_function(REMOTE_VIDEO_PLAYS, arg=alice.pk, timeout=WAIT_MS)  # the audience sees the speaker
    expect(listener.locator("#stage-badge")).to_contain_text("garden")
    # The audience publishes nothing: its page never asked for a camera or microphone, and the
    # speaker's page, in the same call, receives nobody.
    assert listener.evaluate("window.captures") == 0
    speaker.wait_for_timeout(1500)
    assert inspect(speaker)["calls"]["carried"] == []
    assert speaker.locator(f'.video-tile.remote[data-peer="{bob.pk}"]').count() == 0


def test_without_a_media_server_a_stage_reaches_its_audience_peer_to_peer_one_way(pages, demo_worlds, alice, bob):
    speaker, listener = _on_the_garden_stage(pages, demo_worlds["demo"], alice, bob)
    connected(listener, "signal")
    listener.wait_for_function(REMOTE_VIDEO_PLAYS, arg=alice.pk, timeout=WAIT_MS)  # the audience sees the speaker
    assert inspect(listener)["calls"]["p2p"] == [alice.pk]
    assert listener.evaluate("window.captures") == 0  # and never asked for a camera or microphone
    # The speaker's connection to bob carries nothing from bob.
    wait_for(speaker, "s.calls.p2p.includes(arg)", bob.pk)
    received = """(id) => {
      const tile = document.querySelector(`.video-tile.remote[data-peer="${id}"]`);
      const stream = tile && tile.querySelector("video") && tile.querySelector("video").srcObject;
      return stream ? stream.getTracks().length : 0;
    }"""
    speaker.wait_for_timeout(1000)
    assert speaker.evaluate(received, bob.pk) == 0
