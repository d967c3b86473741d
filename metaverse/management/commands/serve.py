from argparse import REMAINDER, SUPPRESS
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from metaverse.serving import calls_summary, serve

PROXY_HEADERS_GONE = (
    "--proxy-headers is gone: daphne believed X-Forwarded-For from anyone. Set TRUSTED_PROXIES to "
    "your proxy's address instead (docs/deploy.md)"
)


class Command(BaseCommand):
    help = "Serve HTTP and WebSockets with daphne; SIGTERM closes every socket with 1012 and exits within 10 s."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", "-b", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", "-p", type=int, default=8000, help="port (default 8000)")
        # Kept only to refuse it with a clear message: an old unit file must not start a server
        # that believes forged addresses.
        parser.add_argument("--proxy-headers", action="store_true", help=SUPPRESS)
        parser.add_argument("daphne_options", nargs=REMAINDER, help="more daphne options, after --")

    def handle(
        self, *args: Any, bind: str, port: int, proxy_headers: bool, daphne_options: list[str], **options: Any
    ) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be 1-65535, not {port}")
        extra = daphne_options[1:] if daphne_options[:1] == ["--"] else daphne_options
        if proxy_headers or any(option.startswith("--proxy-headers") for option in extra):
            raise CommandError(PROXY_HEADERS_GONE)
        self.stdout.write(calls_summary())
        serve(host=bind, port=port, extra=extra)
