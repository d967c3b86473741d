import json

import pytest

from metaverse.testing import free_port, need_postgres, need_redis


def test_healthz_ok_when_database_and_channel_layer_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["channel_layer"]["ok"] is True


@pytest.mark.multiprocess
def test_healthz_on_postgres_and_redis_in_a_real_server(server_factory):
    need_postgres()
    need_redis()
    server = server_factory()
    status, body = server.get("/healthz")
    assert status == 200
    assert json.loads(body)["status"] == "ok"


@pytest.mark.multiprocess
def test_healthz_503_when_the_database_is_unreachable(server_factory):
    dead = free_port()
    server = server_factory({"DATABASE_URL": f"postgres://postgres@127.0.0.1:{dead}/nothing"}, wait_healthy=False)
    status, body = server.get("/healthz")
    assert status == 503
    report = json.loads(body)
    assert report["status"] == "unavailable"
    assert report["database"]["ok"] is False
    assert report["channel_layer"]["ok"] is True


@pytest.mark.multiprocess
def test_healthz_503_when_redis_is_unreachable(server_factory):
    dead = free_port()
    server = server_factory({"REDIS_URL": f"redis://127.0.0.1:{dead}/0"}, wait_healthy=False)
    status, body = server.get("/healthz")
    assert status == 503
    report = json.loads(body)
    assert report["database"]["ok"] is True
    assert report["channel_layer"]["ok"] is False
