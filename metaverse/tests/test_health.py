import json
import subprocess
import sys

import pytest

from conftest import make_user
from metaverse.testing import BASE_DIR, free_port, need_postgres, need_redis

TOKEN = "a-healthz-token-for-these-tests-0123456789"


@pytest.fixture
def token(settings):
    settings.HEALTHZ_TOKEN = TOKEN
    return TOKEN


def test_healthz_tells_anyone_the_status_only(client, db, token):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("headers", "query"),
    [({"Authorization": f"Bearer {TOKEN}"}, {}), ({"Authorization": f"bearer  {TOKEN}"}, {}), ({}, {"token": TOKEN})],
)
def test_healthz_details_with_the_token(client, db, token, headers, query):
    body = client.get("/healthz", query, headers=headers).json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["channel_layer"]["ok"] is True
    assert isinstance(body["channel_layer"]["dropped"], dict)


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": f"Token {TOKEN}"}, {"Authorization": "Bearer "}, {}],
)
def test_healthz_no_details_without_the_right_token(client, db, token, headers):
    assert client.get("/healthz", headers=headers).json() == {"status": "ok"}


def test_healthz_no_token_configured_means_no_token_works(client, db, settings):
    settings.HEALTHZ_TOKEN = ""
    assert client.get("/healthz", {"token": ""}, headers={"Authorization": "Bearer "}).json() == {"status": "ok"}


def test_healthz_details_for_staff_sessions_only(client, avatars):
    client.force_login(make_user("alice"))
    assert client.get("/healthz").json() == {"status": "ok"}
    client.force_login(make_user("mona", staff=True))
    body = client.get("/healthz").json()
    assert body["database"]["ok"] is True
    assert "dropped" in body["channel_layer"]


@pytest.mark.multiprocess
def test_healthz_on_postgres_and_redis_in_a_real_server(server_factory):
    need_postgres()
    need_redis()
    server = server_factory()
    status, health = server.health()
    assert status == 200
    assert health["status"] == "ok"
    assert health["database"]["ok"] is True
    assert health["channel_layer"]["ok"] is True


@pytest.mark.multiprocess
def test_healthz_503_when_the_database_is_unreachable(server_factory):
    dead = free_port()
    server = server_factory({"DATABASE_URL": f"postgres://postgres@127.0.0.1:{dead}/nothing"}, wait_healthy=False)
    status, body = server.get("/healthz")
    assert status == 503
    assert json.loads(body) == {"status": "unavailable"}  # not the driver's error, with host and port
    status, report = server.health()
    assert status == 503
    assert report["status"] == "unavailable"
    assert report["database"]["ok"] is False
    assert str(dead) in report["database"]["error"]
    assert report["channel_layer"]["ok"] is True


@pytest.mark.multiprocess
def test_healthz_503_when_redis_is_unreachable(server_factory):
    dead = free_port()
    server = server_factory({"REDIS_URL": f"redis://127.0.0.1:{dead}/0"}, wait_healthy=False)
    status, body = server.get("/healthz")
    assert (status, json.loads(body)) == (503, {"status": "unavailable"})
    status, report = server.health()
    assert status == 503
    assert report["database"]["ok"] is True
    assert report["channel_layer"]["ok"] is False


@pytest.mark.multiprocess
def test_the_web_containers_healthcheck_asks_for_a_host_the_server_accepts(server_factory):
    """docker-compose's healthcheck: the server answers 400 to Host 127.0.0.1:8000 when that is
    not one of ALLOWED_HOSTS, as in production."""
    server = server_factory({"ALLOWED_HOSTS": ".meet.example.org"}, wait_healthy=False)
    assert server.get("/healthz")[0] == 400
    env = {**server.env, "ALLOWED_HOSTS": ".meet.example.org"}
    check = [sys.executable, "docker/healthcheck.py", f"{server.http_url}/healthz"]
    result = subprocess.run(check, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    nothing = f"http://127.0.0.1:{free_port()}/healthz"
    stopped = subprocess.run([*check[:2], nothing], cwd=BASE_DIR, env=env, capture_output=True, timeout=30)
    assert stopped.returncode == 1
