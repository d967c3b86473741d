import asyncio
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from signaling.diagnostics import KINDS, ice_check


class Command(BaseCommand):
    help = "Gather ICE candidates with the configured STUN/TURN servers and report which kinds arrived and when."

    def handle(self, *args: Any, **options: Any) -> None:
        for noisy in ("aioice", "aiortc"):  # every candidate pair at INFO; this command says what matters
            logging.getLogger(noisy).setLevel(logging.WARNING)
        stun, turn = list(settings.STUN_URLS), list(settings.TURN_URLS)
        self.stdout.write(
            f"rtc_check: gathering ICE candidates with {len(stun)} STUN and {len(turn)} TURN server(s)"
            + (" (TURN credentials made with TURN_SECRET)" if turn else "")
        )
        report = asyncio.run(ice_check(stun_urls=stun, turn_urls=turn))
        for kind in KINDS:
            candidates = report.candidates(kind)
            first = report.first_ms(kind)
            if candidates and first is not None:
                addresses = ", ".join(sorted({f"{c.ip}:{c.port}" if kind != "host" else c.ip for c in candidates}))
                self.stdout.write(f"  {kind:<6} {len(candidates)} after {first:.0f} ms  ({addresses})")
            else:
                self.stdout.write(f"  {kind:<6} none")
        for gathering in report.gatherings:
            if gathering.server:
                found = ", ".join(sorted(gathering.kinds() - {"host"})) or "nothing"
                detail = gathering.problem or f"{found} in {gathering.seconds * 1000:.0f} ms"
                self.stdout.write(f"  {gathering.server}: {detail}")
        if turn and not report.candidates("relay"):
            raise CommandError(
                "TURN is configured (TURN_URLS) but no relay candidate arrived: check that the TURN server "
                "runs and its port is reachable from here, and that TURN_SECRET is its static-auth-secret"
            )
        if settings.TURN_SECRET and not turn:
            raise CommandError("TURN_SECRET is set but TURN_URLS is empty: browsers get no TURN server")
        self.stdout.write("rtc_check: OK: " + ", ".join(f"{kind} {len(report.candidates(kind))}" for kind in KINDS))
