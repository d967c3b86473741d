"""The floor server (tools/loadtest/floor.py) under the real load generator, briefly."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from metaverse.testing import need
from tools.loadtest.runner import LoadTest, Options

pytestmark = pytest.mark.multiprocess

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, server: subprocess.Popen, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the floor server exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the floor server did not listen on port {port} within {seconds:g} s")


def test_the_load_generator_runs_unchanged_against_the_floor(tmp_path):
    port = free_port()
    log = (tmp_path / "floor.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "tools.loadtest.floor", "--host", "127.0.0.1", "--port", str(port), "--tick-hz", "20"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, server)
        options = Options(url=f"ws://127.0.0.1:{port}", world="demo", players=6, rate=5, seconds=2, warmup=0.5,
                          observers=3, processes=1)  # fmt: skip
        results = LoadTest(options).run()
    finally:
        server.kill()
        server.wait(timeout=10)
        log.close()
    output = (tmp_path / "floor.log").read_text()
    assert "listening on" in output, output
    assert results.latencies > 0
    assert results.received == results.expected > 0, (results.received, results.expected)
    assert results.errors == 0, results.error_kinds


def test_the_two_process_nginx_config_is_valid():
    """tools/loadtest/nginx-pair.conf (docs/performance.md's two-process setup) as nginx reads it,
    with docker/nginx/site.conf included."""
    nginx = shutil.which("nginx")
    need(nginx is not None, "needs nginx installed (apt-get install nginx)")
    assert nginx is not None
    checked = subprocess.run(
        [nginx, "-t", "-p", str(ROOT), "-c", "tools/loadtest/nginx-pair.conf", "-e", "/tmp/nginx-pair-test.log"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
