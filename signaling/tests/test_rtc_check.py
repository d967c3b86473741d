"""`manage.py rtc_check`: which ICE candidates arrive with the configured servers, and the exit
status that says whether TURN works — against nothing, a closed port, and a real coturn."""

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from metaverse.testing import free_port, need
from metaverse.tests.test_settings import manage
from signaling.tests.helpers import host_address

BASE_DIR = Path(__file__).resolve().parents[2]


def test_with_no_servers_only_host_candidates_arrive_and_that_is_fine():
    need(host_address() is not None, "needs a non-loopback address for host candidates")
    result = manage("rtc_check", env={"STUN_URLS": "", "TURN_URLS": "", "TURN_SECRET": ""})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "rtc_check: gathering ICE candidates with 0 STUN and 0 TURN server(s)"
    [host] = [line for line in lines if line.strip().startswith("host")]
    assert host_address() in host
    assert re.search(r"host +\d+ after \d+ ms", host)
    assert "  srflx  none" in lines
    assert "  relay  none" in lines
    assert lines[-1].startswith("rtc_check: OK: host ")


def test_turn_that_does_not_answer_fails_with_a_clear_message():
    port = free_port()
    result = manage("rtc_check", env={"TURN_URLS": f"turn:127.0.0.1:{port}", "TURN_SECRET": "north"})
    assert result.returncode == 1
    assert f"turn:127.0.0.1:{port}: no answer within 5 s" in result.stdout
    assert "TURN is configured (TURN_URLS) but no relay candidate arrived" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def coturn(tmp_path):
    """A real coturn with the shipped docker/turnserver.conf, on a free port of this host."""
    need(shutil.which("turnserver") is not None, "needs coturn's turnserver (apt-get install coturn)")
    address = host_address()
    need(address is not None, "needs a non-loopback address for coturn to relay on")
    port = free_port()
    command = [
        "turnserver", "-c", str(BASE_DIR / "docker" / "turnserver.conf"), "--static-auth-secret=north",
        f"--listening-port={port}", f"--listening-ip={address}", f"--relay-ip={address}",
        f"--pidfile={tmp_path / 'turnserver.pid'}", f"--userdb={tmp_path / 'turndb'}",
    ]  # fmt: skip
    log = (tmp_path / "coturn.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((address, port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((tmp_path / "coturn.log").read_text(errors="replace")) from None
                time.sleep(0.1)
        yield f"turn:{address}:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_real_coturn_gives_a_relay_candidate_with_our_credentials(coturn):
    result = manage("rtc_check", env={"TURN_URLS": coturn, "TURN_SECRET": "north"})
    assert result.returncode == 0, result.stdout + result.stderr
    [relay] = [line for line in result.stdout.splitlines() if line.strip().startswith("relay")]
    assert relay.strip().startswith("relay  1 after ")
    assert f"{coturn}: relay in " in result.stdout


def test_real_coturn_refuses_credentials_made_with_another_secret(coturn):
    result = manage("rtc_check", env={"TURN_URLS": coturn, "TURN_SECRET": "south"})
    assert result.returncode == 1
    assert "refused the allocation: 401 Unauthorized (is TURN_SECRET the server's static-auth-secret?)" in result.stdout
