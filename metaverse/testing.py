"""Helpers for tests that need real components: server processes, PostgreSQL, Redis.

A test that needs a component that is absent here skips with the reason; with
METAVERSE_REQUIRE_COMPONENTS=1 (CI sets it) every such skip becomes a failure.
"""

import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
# The tests' servers show /healthz's details to whoever sends this (ServerProcess.health()).
HEALTHZ_TOKEN = "tests-only-healthz-token-0123456789abcdef"


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """The tests' hasher: Django's own PBKDF2 at 1,000 rounds instead of a million. Making each
    test's users took ~0.4 s a password, most of the suite's time. Its hashes carry their round
    count, so server processes (with the default hashers) still check them."""

    iterations = 1_000


def components_required() -> bool:
    return os.environ.get("METAVERSE_REQUIRE_COMPONENTS", "") in {"1", "true", "yes"}


def need(available: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a component the test needs is missing."""
    if available:
        return
    if components_required():
        pytest.fail(f"required component missing: {reason}")
    pytest.skip(reason)


def need_redis() -> str:
    need(bool(settings.REDIS_URL), "needs Redis: set REDIS_URL")
    return str(settings.REDIS_URL)


def need_postgres() -> None:
    need(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_database_url() -> str:
    """A DATABASE_URL for the database the running tests use (the test database, once created)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def server_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        {"DATABASE_URL": test_database_url(), "DEBUG": "1", "LOG_LEVEL": "warning", "HEALTHZ_TOKEN": HEALTHZ_TOKEN}
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = str(settings.REDIS_URL)
    else:
        env.pop("REDIS_URL", None)
    env.update(extra or {})
    return env


class ServerProcess:
    """A real daphne process serving this project on a free port."""

    def __init__(self, env: Mapping[str, str] | None = None, *, name: str = "server") -> None:
        self.port = free_port()
        self.name = name
        self.env = server_environment(env)
        self.log_path = BASE_DIR / "test-artifacts" / f"{name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, *, wait_healthy: bool = True, timeout: float = 30.0) -> "ServerProcess":
        self.log_path.parent.mkdir(exist_ok=True)
        log = self.log_path.open("wb")
        command = [sys.executable, "manage.py", "serve", "--bind", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.wait_listening(timeout=timeout, healthy=wait_healthy)
        return self

    def wait_listening(self, *, timeout: float, healthy: bool) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.log_tail()}")
            try:
                status, _ = self.get("/healthz")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
                continue
            if not healthy or status == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready in {timeout}s: {self.log_tail()}")

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.http_url + path, headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read()

    def health(self) -> tuple[int, dict[str, Any]]:
        """/healthz with its details (the status code and the body)."""
        status, body = self.get("/healthz", headers={"Authorization": f"Bearer {HEALTHZ_TOKEN}"})
        return status, json.loads(body)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, valid for a day: (certificate, key)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "certificate.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class NginxProcess:
    """A real nginx in front of a server process, with docker/nginx/site.conf (the locations
    docker-compose's nginx serves): plain HTTP on `port`, TLS on `tls_port` (a self-signed
    certificate, `certificate`), static files from `static_root`/static/. Everything it writes
    stays in `directory`."""

    def __init__(self, directory: Path, *, upstream: ServerProcess) -> None:
        self.directory = directory
        self.upstream = upstream
        self.port, self.tls_port = free_port(), free_port()
        self.static_root = directory / "srv"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        d = self.directory
        user = "root" if os.geteuid() == 0 else ""  # workers as root may read the tests' private tmp
        return f"""
            {f"user {user};" if user else ""}
            worker_processes 1;
            pid {d}/nginx.pid;
            error_log {d}/error.log warn;
            events {{ worker_connections 256; }}
            http {{
                include /etc/nginx/mime.types;
                access_log off;
                client_body_temp_path {d}/tmp/body;
                proxy_temp_path {d}/tmp/proxy;
                fastcgi_temp_path {d}/tmp/fastcgi;
                uwsgi_temp_path {d}/tmp/uwsgi;
                scgi_temp_path {d}/tmp/scgi;
                server {{
                    listen 127.0.0.1:{self.port};
                    listen 127.0.0.1:{self.tls_port} ssl;
                    ssl_certificate {self.certificate};
                    ssl_certificate_key {self.key};
                    root {self.static_root};
                    set $metaverse_app {self.upstream.http_url};
                    include {BASE_DIR / "docker" / "nginx" / "site.conf"};
                }}
            }}
        """

    def start(self, *, timeout: float = 10.0) -> Self:
        (self.directory / "tmp").mkdir(parents=True, exist_ok=True)
        (self.static_root / "static").mkdir(parents=True, exist_ok=True)
        self.certificate, self.key = self_signed_certificate(self.directory)
        conf = self.directory / "nginx.conf"
        conf.write_text(self.config())
        command = ["nginx", "-e", str(self.directory / "error.log"), "-c", str(conf), "-p", str(self.directory)]
        self.process = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}: {self.error_log()}")
            try:
                socket.create_connection(("127.0.0.1", self.tls_port), timeout=1).close()
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nginx did not listen in {timeout}s: {self.error_log()}")

    def error_log(self) -> str:
        try:
            return (self.directory / "error.log").read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


class QueryCounter:
    """Counts SQL statements run on any thread (consumers query from worker threads)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __enter__(self) -> "QueryCounter":
        from django.db.backends import utils

        self._patch = pytest.MonkeyPatch()
        counter = self

        for name in ("_execute", "_executemany"):
            original = getattr(utils.CursorWrapper, name)

            def counted(wrapper: Any, sql: str, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
                counter.statements.append(sql)
                return _original(wrapper, sql, *args, **kwargs)

            self._patch.setattr(utils.CursorWrapper, name, counted)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._patch.undo()

    @property
    def count(self) -> int:
        return len(self.statements)


async def ws_connect(server: ServerProcess, path: str, cookie: str | None = None) -> Any:
    """A real WebSocket client connection to a server process, logged in by session cookie."""
    import websockets

    headers = {"Origin": server.http_url}  # the server's own pages' origin, as a browser sends it
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    return await websockets.connect(server.ws_url + path, additional_headers=headers, open_timeout=10)


async def ws_receive_until(
    connection: Any, kind: str, *, within: float = 5.0, where: Any = lambda message: True
) -> dict[str, Any]:
    """The next message of a type from a real WebSocket connection, skipping others."""
    import asyncio
    import json

    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"no {kind!r} message within {within}s")
        message = json.loads(await asyncio.wait_for(connection.recv(), remaining))
        if message["type"] == kind and where(message):
            return dict(message)
