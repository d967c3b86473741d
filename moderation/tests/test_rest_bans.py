"""A ban reaches the REST API: every endpoint answers a banned account, or anyone calling from a
banned address, 403 with the ban's message, as the sockets refuse them with 4003."""

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chat.models import Block
from metaverse.urls import api_urlpatterns
from moderation.models import Ban, Report
from moderation.services import ban_create

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
METHODS = ("get", "post", "put", "patch", "delete")
BODIES: dict[str, dict[str, Any]] = {
    "api_player_me": {"display_name": "Renamed"},
    "api_blocks": {"user": "BOB"},
    "api_reports": {"user": "BOB", "reason": "spam"},
}


def endpoints(slug: str, bob_id: int) -> list[tuple[str, str, str]]:
    """(name, method, path) for every method of every API view: a new endpoint is tested too."""
    found = []
    for pattern in api_urlpatterns:
        view = pattern.callback.cls
        path = "/api/" + re.sub(
            r"<(?:\w+:)?(\w+)>", lambda m: {"slug": slug, "user_id": str(bob_id)}[m[1]], str(pattern.pattern)
        )
        found += [(str(pattern.name), method, path) for method in METHODS if hasattr(view, method)]
    return found


def call(client: APIClient, method: str, path: str, name: str, bob_id: int, **extra: Any) -> Any:
    body = {key: bob_id if value == "BOB" else value for key, value in BODIES.get(name, {}).items()}
    return getattr(client, method)(path, body if method in ("post", "put", "patch") else None, format="json", **extra)


def test_every_api_endpoint_refuses_a_banned_account_with_the_bans_message(alice, bob, mona, room):
    ban = ban_create(user=alice, by=mona, reason="spam")
    client = APIClient()
    client.force_login(alice)
    checked = endpoints(room.slug, bob.pk)
    assert len(checked) >= 10  # what the README's REST table lists
    for name, method, path in checked:
        response = call(client, method, path, name, bob.pk)
        assert (response.status_code, response.json()) == (403, {"detail": ban.refusal_message()}), (method, path)
    assert alice.player.display_name == "Alice"
    assert not Block.objects.exists()
    assert not Report.objects.exists()


def test_a_banned_accounts_token_is_refused_too(alice, mona):
    ban = ban_create(user=alice, by=mona, reason="")
    token = Token.objects.create(user=alice)
    response = APIClient().get("/api/rtc/ice-servers/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert (response.status_code, response.json()["detail"]) == (403, ban.refusal_message())


def test_every_api_endpoint_refuses_a_banned_address_whoever_calls_from_it(alice, bob, carol, mona, room):
    ban = ban_create(user=alice, by=mona, reason="trolling", ip=ADDRESS)
    client = APIClient(REMOTE_ADDR=ADDRESS)
    client.force_login(carol)
    message = ban.refusal_message(by_address=True)
    for name, method, path in endpoints(room.slug, bob.pk):
        response = call(client, method, path, name, bob.pk)
        assert (response.status_code, response.json()) == (403, {"detail": message}), (method, path)
    anonymous = APIClient(REMOTE_ADDR=ADDRESS).get("/api/worlds/")  # the one public endpoint
    assert (anonymous.status_code, anonymous.json()) == (403, {"detail": message})
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.4")
    elsewhere.force_login(carol)
    mine = elsewhere.get("/api/players/me/")
    assert (mine.status_code, mine.json()["display_name"]) == (200, "Carol")


def test_staff_are_exempt_from_a_moderators_address_ban_over_rest_too(alice, mona, root):
    ban_create(user=alice, by=mona, reason="", ip=ADDRESS)
    client = APIClient(REMOTE_ADDR=ADDRESS)
    client.force_login(root)
    mine = client.get("/api/players/me/")
    assert (mine.status_code, mine.json()["id"]) == (200, root.pk)


def test_after_a_ban_is_lifted_or_ends_the_api_answers_again(alice, mona):
    ban = ban_create(user=alice, by=mona, reason="")
    client = APIClient()
    client.force_login(alice)
    assert client.get("/api/players/me/").json() == {"detail": ban.refusal_message()}
    Ban.objects.filter(pk=ban.pk).update(until=ban.created_at)
    mine = client.get("/api/players/me/")
    assert (mine.status_code, mine.json()["display_name"]) == (200, "Alice")


def test_the_ban_check_costs_one_query_per_request(alice, room):
    client = APIClient(REMOTE_ADDR=ADDRESS)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/api/worlds/{room.slug}/messages/").status_code == 200
    assert len([query for query in queries.captured_queries if "moderation_ban" in query["sql"]]) == 1


def test_a_banned_player_cannot_rename_itself_on_the_profile_page_either(client, alice, mona, avatars):
    ban = ban_create(user=alice, by=mona, reason="spam")
    client.force_login(alice)
    form = {"display_name": "Renamed", "avatar": avatars[0].slug, "status": "available"}
    response = client.post("/profile/", form)
    assert response.status_code == 403
    assert ban.refusal_message() in response.content.decode()
    alice.player.refresh_from_db()
    assert alice.player.display_name == "Alice"
