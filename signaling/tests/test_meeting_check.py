"""`manage.py meeting_check`: guests meet through a real server and a real Janus, and every stream
that arrives is checked against its sender's colour and tone."""

import re
import subprocess
import sys

import pytest
from django.conf import settings

from accounts.models import User
from metaverse.testing import server_environment
from signaling.meeting import signature

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]


def meeting_check(server, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "manage.py", "meeting_check", "--url", server.http_url, "--world", "demo", *args]
    return subprocess.run(
        command, cwd=settings.BASE_DIR, env={**server_environment(), **(env or {})},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_six_guests_meet_through_janus_and_every_stream_is_theirs(janus, demo_worlds, server_factory):
    server = server_factory({**janus.settings(), "CALL_P2P_LIMIT": "2"}, name="meeting-check")
    result = meeting_check(
        server, "--participants", "6", "--seconds", "20", "--server-pid", str(server.process.pid), env=janus.settings()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("participants=")]
    assert re.fullmatch(
        r"participants=6 streams=30/30 join_p95_ms=\d+ first_frame_p95_ms=\d+ janus_cpu_pct=\d+ server_cpu_pct=\d+",
        line,
    ), line
    assert not User.objects.filter(username__startswith="meeting-check-").exists()  # cleaned up


def test_without_a_media_server_it_says_what_to_set(demo_worlds, server_factory):
    server = server_factory({"CALL_P2P_LIMIT": "2"}, name="no-janus")
    result = meeting_check(server, "--participants", "3", "--seconds", "4")
    assert result.returncode == 1
    assert "is the server's JANUS_URL set, and CALL_P2P_LIMIT below 3?" in result.stderr


def test_the_participants_look_and_sound_different():
    colours = [signature(index)[0] for index in range(30)]
    tones = [signature(index)[1] for index in range(30)]
    for first in range(30):
        for second in range(first + 1, 30):
            assert max(abs(a - b) for a, b in zip(colours[first], colours[second], strict=True)) >= 85
            assert abs(tones[first] - tones[second]) > 50


def test_over_the_mix_limit_every_guest_hears_the_others_in_its_mix(janus, demo_worlds, server_factory):
    server = server_factory({**janus.settings(), "CALL_P2P_LIMIT": "2", "CALL_AUDIO_MIX_LIMIT": "3"}, name="mixed")
    result = meeting_check(server, "--participants", "4", "--seconds", "20", env=janus.settings())
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("participants=")]
    assert re.fullmatch(
        r"participants=4 streams=12/12 join_p95_ms=\d+ first_frame_p95_ms=\d+ janus_cpu_pct=\d+ sound=mixed", line
    ), line
