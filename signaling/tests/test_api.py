import base64
import hashlib
import hmac
import time

import pytest
from django.test import Client

from conftest import make_user

pytestmark = pytest.mark.django_db


def test_ice_servers_need_a_logged_in_user(client):
    response = client.get("/api/rtc/ice-servers/")
    assert response.status_code in (401, 403)


def test_ice_servers_without_any_configured(alice, settings):
    settings.STUN_URLS, settings.TURN_URLS, settings.TURN_SECRET = [], [], ""
    client = Client()
    client.force_login(alice)
    response = client.get("/api/rtc/ice-servers/")
    assert response.status_code == 200
    assert response.json() == {"iceServers": [], "ttl": 3600}


def test_ice_servers_give_fresh_turn_credentials_that_nobody_caches(avatars, settings):
    settings.STUN_URLS = ["stun:turn.example.org:3478"]
    settings.TURN_URLS, settings.TURN_SECRET, settings.TURN_TTL = ["turn:turn.example.org:3478"], "north", 1200
    gus = make_user("gus", guest=True)  # guests are logged in too
    client = Client()
    client.force_login(gus)
    before = int(time.time())
    response = client.get("/api/rtc/ice-servers/")
    assert response["Cache-Control"] == "no-store, private"
    body = response.json()
    assert body["ttl"] == 1200
    stun, turn = body["iceServers"]
    assert stun == {"urls": ["stun:turn.example.org:3478"]}
    expiry, user_id = turn["username"].split(":")
    assert int(user_id) == gus.pk
    assert before + 1200 <= int(expiry) <= int(time.time()) + 1200
    digest = hmac.new(b"north", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()
