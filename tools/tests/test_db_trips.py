"""tools/loadtest/db_trips.py (docs/performance.md, "Arrivals") on the tests' database, briefly."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_user
from metaverse.testing import test_database_url as database_url  # not collected as a test

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_it_times_an_arrivals_reads_both_ways(demo_worlds) -> None:
    make_user("walker", guest=True)
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "tools.loadtest.db_trips", "--trips", "5", "--rounds", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = re.fullmatch(r"trips=5 new_connection_ms=([\d.]+) kept_connection_ms=([\d.]+)\n", done.stdout)
    assert line is not None, done.stdout
    assert float(line[1]) > 0
    assert float(line[2]) > 0
