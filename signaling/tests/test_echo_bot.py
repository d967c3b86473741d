"""`manage.py echo_bot` against a real server process: a person (an aiortc peer with a camera that
sees one colour and a microphone playing a tone) walks up to the bot and gets both back."""

import asyncio
import contextlib
import signal
import sys
from pathlib import Path

import pytest
from aiortc.mediastreams import MediaStreamTrack
from django.core.management import CommandError, call_command

from accounts.models import User
from conftest import make_user
from metaverse.testing import need
from signaling.bot import CallingPlayer, ClientSocket, expect
from signaling.services import echo_bot_user
from signaling.synthetic import ColourTrack, ToneTrack, average_colour, loudness
from signaling.tests.helpers import ALICE_X, ROW, host_address, place, walk
from world.engine.mapdata import SILENT, MapData

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.multiprocess, pytest.mark.slow]

BASE_DIR = Path(__file__).resolve().parents[2]
BOT_AT = (29.5, ROW)  # 5 tiles from alice: not in contact until she walks up
GREEN = (30, 200, 60)


@pytest.fixture(params=[False, True], ids=["person_offers", "bot_offers"])
def scene(request, demo_worlds, cookies, server_factory):
    """A server, alice placed in the Lobby, and (for bot_offers) the bot's user made first: the lower
    id makes the offer."""
    if request.param:
        echo_bot_user(display_name="Echo bot")
    cookie = cookies("alice")
    place(User.objects.get(username="alice"), demo_worlds["demo"], ALICE_X)
    return server_factory(), cookie


class Bot:
    """The echo_bot command in its own process, and what it prints."""

    def __init__(self, process):
        self.process = process
        self.lines = []

    @classmethod
    async def start(cls, server, *args):
        process = await asyncio.create_subprocess_exec(
            sys.executable, "manage.py", "echo_bot", "--world", "demo", "--url", server.ws_url, *args,
            cwd=BASE_DIR, env=server.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        return cls(process)

    async def line(self, containing, timeout=30.0):  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.process.stdout.readline()
                if not raw:
                    raise AssertionError(f"echo_bot exited: {self.lines}")
                text = raw.decode().rstrip()
                self.lines.append(text)
                if containing in text:
                    return text

    async def stop(self):
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(self.process.communicate(), 15)
        self.lines += rest.decode().splitlines()
        return self.process.returncode


async def next_event(events, kind, where=lambda detail: True, timeout=20.0):  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while True:
            got, detail = await events.get()
            if got == kind and where(detail):
                return detail


async def test_echo_bot_answers_and_sends_your_video_and_audio_back(scene):
    need(host_address() is not None, "aiortc needs a non-loopback address for its host candidates")
    server, cookie = scene
    bot = await Bot.start(server, "--at", f"{BOT_AT[0]},{BOT_AT[1]}")
    world = signal_socket = run = None
    try:
        ready = await bot.line("echo_bot: ready:")
        assert f"stands in Demo Campus at ({BOT_AT[0]:g}, {BOT_AT[1]:g})" in ready

        origin = server.http_url
        world = await ClientSocket.open(f"{server.ws_url}/ws/world/demo/", cookie=cookie, origin=origin)
        welcome = await expect(world, "welcome")
        signal_socket = await ClientSocket.open(f"{server.ws_url}/ws/signal/demo/", cookie=cookie, origin=origin)
        events: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()
        tracks: dict[str, asyncio.Queue[MediaStreamTrack]] = {"audio": asyncio.Queue(), "video": asyncio.Queue()}

        def prepare(pc, peer, offering):
            pc.addTrack(ToneTrack())
            pc.addTrack(ColourTrack(GREEN))
            pc.on("track", lambda track: tracks[track.kind].put_nowait(track))

        alice = CallingPlayer(
            world=world, signal=signal_socket, welcome=welcome, ready=await expect(signal_socket, "ready"),
            prepare=prepare, notify=lambda kind, detail: events.put_nowait((kind, detail)),
        )  # fmt: skip
        run = asyncio.ensure_future(alice.run())
        you = welcome["you"]
        seq = await walk(world, start=(you["x"], you["y"]), goal=(BOT_AT[0] - 2, ROW), seq=1)
        contacts = await next_event(events, "contacts", lambda m: m["added"])
        [bot_id] = contacts["added"]
        await next_event(events, "state", lambda d: d == {"peer": bot_id, "state": "connected"})
        await bot.line(f"call with Alice (player {you['id']}): connected, echoing their audio and video")

        video = await asyncio.wait_for(tracks["video"].get(), 10)
        async with asyncio.timeout(15):
            colour = (0, 0, 0)
            while max(abs(a - b) for a, b in zip(colour, GREEN, strict=True)) > 20:
                colour = average_colour(await video.recv())  # what alice's camera saw, come back
        audio = await asyncio.wait_for(tracks["audio"].get(), 10)
        frames = [await asyncio.wait_for(audio.recv(), 5) for _ in range(50)]
        assert max(loudness(frame) for frame in frames) > 1000  # her tone, not silence

        await walk(world, start=(BOT_AT[0] - 2, ROW), goal=(ALICE_X, ROW), seq=seq)
        hangup = await next_event(events, "hangup")
        assert hangup == {"type": "hangup", "from": bot_id, "reason": "contact_ended"}
        await bot.line(f"call with Alice (player {you['id']}) ended: contact_ended")
    finally:
        if run is not None:
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
        for socket in (signal_socket, world):
            if socket is not None:
                await socket.close()
        code = await bot.stop()
    assert code == 0, bot.lines
    assert bot.lines[-1] == "echo_bot: stopped"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--world", "atlantis"], "there is no world 'atlantis'"),
        (["--world", "demo", "--at", "here"], "--at 'here': give X,Y in tiles"),
        (["--world", "demo", "--at", "0.5,0.5"], "(0.5, 0.5) is outside Demo Campus or on a wall"),
        (["--world", "demo", "--url", "http://127.0.0.1:8000"], "must start with ws:// or wss://"),
        (["--world", "demo", "--name", "  "], "--name: A display name cannot be empty."),
    ],
)
def test_echo_bot_refuses_bad_arguments_with_a_clear_message(demo_worlds, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("echo_bot", *args)


def test_echo_bot_will_not_stand_in_a_silent_zone(demo_worlds):
    mapdata = MapData(demo_worlds["demo"].map_json)
    [library] = [zone for zone in mapdata.zones if zone.kind == SILENT]
    index = next(i for i, zone in enumerate(mapdata.zone_at) if zone == library.index and not mapdata.blocked[i])
    x, y = index % mapdata.width + 0.5, index // mapdata.width + 0.5
    with pytest.raises(CommandError, match="a silent zone: nobody could call the bot there"):
        call_command("echo_bot", "--world", "demo", "--at", f"{x},{y}")


def test_echo_bot_will_not_take_over_a_persons_account(demo_worlds, avatars):
    make_user("echo-bot")  # a person who signed up with that name
    with pytest.raises(CommandError, match="belongs to someone else"):
        call_command("echo_bot", "--world", "demo")
