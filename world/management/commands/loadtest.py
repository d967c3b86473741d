"""`manage.py loadtest`: the arguments and the summary line; the load test itself is in
`tools/loadtest/`, which only a source checkout has (the Docker image leaves `tools/` out)."""

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Walk N simulated guests in a world over real WebSockets and report delivery latency."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--url", required=True, help="the server, e.g. ws://127.0.0.1:8000")
        parser.add_argument("--world", default="demo", help="the world's slug (default: demo)")
        parser.add_argument("--players", type=int, required=True, help="how many players to simulate")
        parser.add_argument("--rate", type=float, default=5.0, help="moves per second per player (default: 5)")
        parser.add_argument("--seconds", type=float, default=30.0, help="how long they walk (default: 30)")
        parser.add_argument(
            "--warmup", type=float, default=5.0,
            help="seconds they walk before latency is counted (default: 5; they all start on the spawn tiles)",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=1, help="random seed for the walks")
        parser.add_argument(
            "--observers", type=int, default=50, help="players that measure what they receive (default: 50)"
        )
        parser.add_argument(
            "--processes", type=int, default=2, help="worker processes the players are shared among (default: 2)"
        )
        parser.add_argument(
            "--joiners", type=int, default=20,
            help="guests who connect while the others walk, timed to their welcome (join_p99_ms; default: 20)",
        )  # fmt: skip
        parser.add_argument(
            "--server-pid", type=int, action="append", default=[], dest="server_pids",
            help="a server process whose CPU time to report (server_cpu_pct, cpu_ms_per_1k_updates); repeat for each",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here, not at the top: the runtime never imports tools/, and in the image, which has
        # no tools/, this says so in one line instead of a traceback.
        try:
            from tools.loadtest.runner import LoadTest, LoadTestError, Options, summary_line
        except ModuleNotFoundError as error:
            if error.name != "tools":
                raise
            raise CommandError("loadtest needs a source checkout: tools/ is not in the Docker image") from None
        if options["players"] < 2:
            raise CommandError("--players must be at least 2: latency is measured between players")
        if not 0 < options["rate"] <= 20:
            raise CommandError("--rate must be above 0 and at most 20 moves a second (the server's limit)")
        if options["seconds"] <= 0:
            raise CommandError("--seconds must be positive")
        if options["warmup"] < 0:
            raise CommandError("--warmup must not be negative")
        if options["observers"] < 1:
            raise CommandError("--observers must be at least 1")
        if not 1 <= options["processes"] <= 64:
            raise CommandError("--processes must be between 1 and 64")
        if options["joiners"] < 0:
            raise CommandError("--joiners must not be negative")
        for pid in options["server_pids"]:
            if not os.path.exists(f"/proc/{pid}/stat"):
                raise CommandError(f"--server-pid {pid}: no such process on this machine")
        settings = Options(
            url=options["url"], world=options["world"], players=options["players"], rate=options["rate"],
            seconds=options["seconds"], seed=options["seed"], observers=options["observers"],
            processes=options["processes"], warmup=options["warmup"], joiners=options["joiners"],
            server_pids=options["server_pids"],
        )  # fmt: skip
        try:
            results = LoadTest(settings).run()
        except (LoadTestError, OSError) as error:
            raise CommandError(f"load test failed: {error}") from None
        if results.error_kinds:
            kinds = ", ".join(f"{kind}={count}" for kind, count in sorted(results.error_kinds.items()))
            sys.stderr.write(f"errors by kind: {kinds}\n")
        self.stdout.write(summary_line(settings, results))
