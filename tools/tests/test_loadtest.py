"""The load test command against a real server process."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.multiprocess]

SUMMARY = re.compile(
    r"^players=(\d+) rate=(\S+) p50_ms=(\S+) p95_ms=(\S+) p99_ms=(\S+) delivered=(\S+) errors=(\d+) "
    r"join_p99_ms=(\S+) client_kb_s=(\S+) server_cpu_pct=(\d+) cpu_ms_per_1k_updates=(\S+)$"
)


def test_loadtest_walks_guests_and_prints_one_summary_line(server_factory, demo_worlds):
    server = server_factory(name="loadtest")
    out = StringIO()
    call_command("loadtest", "--url", server.ws_url, "--world", "demo", "--players", "6", "--rate", "2",
                 "--warmup", "1", "--seconds", "4", "--processes", "2", "--joiners", "4",
                 "--server-pid", str(server.process.pid), stdout=out)  # fmt: skip
    [line] = out.getvalue().splitlines()
    match = SUMMARY.match(line)
    assert match, line
    players, rate, p50, p95, p99, delivered, errors, join_p99, client_kb_s, cpu_pct, cpu_per_1k = match.groups()
    assert (players, rate) == ("6", "2")
    assert 0 < float(p50) <= float(p95) <= float(p99)
    assert delivered == "1.000", line  # a handful of players: nothing may be lost
    assert errors == "0", line
    # Four joiners arrived while the six walked, each timed to its welcome; the observers read
    # ticks; the server used some CPU for the positions it sent.
    assert 0 < float(join_p99) < 30_000
    assert float(client_kb_s) > 0
    assert 0 <= int(cpu_pct) <= 200
    assert float(cpu_per_1k) > 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--url", "ws://127.0.0.1:9", "--players", "1"], "at least 2"),
        (["--url", "ws://127.0.0.1:9", "--players", "5", "--rate", "0"], "--rate must be above 0"),
        (["--url", "ws://127.0.0.1:9", "--players", "5", "--seconds", "-1"], "--seconds must be positive"),
        (["--url", "ws://127.0.0.1:9", "--players", "5", "--warmup", "-1"], "--warmup must not be negative"),
        (["--url", "ws://127.0.0.1:9", "--players", "5", "--processes", "0"], "--processes must be between"),
        (["--url", "ws://127.0.0.1:9", "--players", "5", "--joiners", "-1"], "--joiners must not be negative"),
        (["--url", "ws://127.0.0.1:9", "--players", "5", "--server-pid", "999999999"], "no such process"),
        (["--url", "http://127.0.0.1:9", "--players", "5"], "must look like ws://host:port"),
        (["--url", "ws://127.0.0.1:9", "--players", "5"], "load test failed"),
    ],
)
def test_loadtest_bad_arguments_fail_clearly(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("loadtest", *arguments, stdout=StringIO())


def test_loadtest_names_unknown_worlds(server_factory, demo_worlds):
    server = server_factory(name="loadtest")
    with pytest.raises(CommandError, match="has no world 'atlantis'"):
        call_command("loadtest", "--url", server.ws_url, "--world", "atlantis", "--players", "2", stdout=StringIO())


def test_loadtest_says_which_setting_to_raise_when_the_server_refuses_its_guests(server_factory, demo_worlds):
    server = server_factory({"GUEST_RATE_PER_HOUR": "2"}, name="loadtest")
    with pytest.raises(CommandError, match="too many guests from this address; start it with GUEST_RATE_PER_HOUR=3"):
        call_command("loadtest", "--url", server.ws_url, "--world", "demo", "--players", "3", "--processes", "1",
                     "--joiners", "0", "--seconds", "1", "--warmup", "0", stdout=StringIO())  # fmt: skip
