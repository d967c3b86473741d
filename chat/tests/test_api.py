"""History and blocks over REST, and what the admin shows of a message."""

import base64
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from chat.models import Block, Message, Scope
from chat.services import block_create, message_hide, message_post
from conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def history(client, slug: str = "room", **params):
    return client.get(f"/api/worlds/{slug}/messages/", params)


def texts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [message["text"] for message in response.json()["results"]]


@pytest.fixture
def logged_in(client, people):
    def log_in(name: str):
        client.force_login(people[name])
        return client

    return log_in


def test_history_pages_newest_first_with_cursor_links(logged_in, people, room):
    start = timezone.now() - timedelta(hours=1)
    Message.objects.bulk_create(
        Message(
            world=room, sender=people["bob"], scope=Scope.WORLD, text=f"m{n}", created_at=start + timedelta(seconds=n)
        )
        for n in range(120)
    )
    client = logged_in("alice")
    seen: list[str] = []
    response = history(client)
    pages = 0
    while True:
        seen += texts(response)
        pages += 1
        following = response.json()["next"]
        if following is None:
            break
        parts = urlsplit(following)
        response = client.get(f"{parts.path}?{parts.query}")
    assert pages == 3
    assert seen == [f"m{n}" for n in reversed(range(120))]
    assert texts(history(client, page_size=7)) == [f"m{n}" for n in range(119, 112, -1)]
    assert len(texts(history(client, page_size=5000))) == 100


def test_messages_in_the_same_instant_are_neither_lost_nor_repeated_across_pages(logged_in, people, room):
    at = timezone.now()
    Message.objects.bulk_create(
        Message(world=room, sender=people["bob"], scope=Scope.WORLD, text=f"m{n}", created_at=at) for n in range(9)
    )
    client = logged_in("alice")
    seen, response = [], history(client, page_size=4)
    while True:
        seen += texts(response)
        if response.json()["next"] is None:
            break
        parts = urlsplit(response.json()["next"])
        response = client.get(f"{parts.path}?{parts.query}")
    assert sorted(seen) == sorted(f"m{n}" for n in range(9))


def test_nobody_reads_another_pairs_direct_messages_or_nearby_chat_they_did_not_hear(logged_in, people, room):
    alice, bob, carol, dave = (people[name] for name in ("alice", "bob", "carol", "dave"))
    message_post(sender=alice, world=room, scope="direct", to=bob.pk, text="alice to bob")
    message_post(sender=bob, world=room, scope="direct", to=alice.pk, text="bob to alice")
    message_post(sender=alice, world=room, scope="nearby", audience=[bob.pk], text="alice near bob")
    message_post(sender=alice, world=room, scope="zone", audience=[bob.pk], zone="Hall", text="alice in hall")
    message_post(sender=carol, world=room, scope="direct", to=dave.pk, text="carol to dave")
    message_post(sender=dave, world=room, scope="world", text="dave to all")
    everything = ["dave to all", "alice in hall", "alice near bob", "bob to alice", "alice to bob"]
    assert texts(history(logged_in("alice"))) == everything
    assert texts(history(logged_in("bob"))) == everything
    assert texts(history(logged_in("carol"))) == ["dave to all", "carol to dave"]
    client = logged_in("carol")
    assert texts(history(client, **{"with": alice.pk})) == []
    assert texts(history(client, scope="direct")) == ["carol to dave"]
    assert texts(history(client, scope="nearby")) == []
    client = logged_in("alice")
    assert texts(history(client, **{"with": bob.pk})) == ["bob to alice", "alice to bob"]
    assert texts(history(client, scope="zone")) == ["alice in hall"]


def test_client_id_is_shown_to_the_sender_only(logged_in, people, room):
    message_post(sender=people["alice"], world=room, scope="world", text="hi", client_id="c-7")
    [mine] = history(logged_in("alice")).json()["results"]
    assert mine["client_id"] == "c-7"
    [theirs] = history(logged_in("bob")).json()["results"]
    assert theirs["client_id"] is None
    assert set(theirs) == {"id", "scope", "text", "sender", "to", "zone", "created_at", "client_id"}


def test_hidden_messages_and_blocked_senders_are_left_out(logged_in, people, room):
    alice, bob = people["alice"], people["bob"]
    rude = message_post(sender=bob, world=room, scope="world", text="rude")
    message_post(sender=bob, world=room, scope="world", text="polite")
    message_post(sender=people["carol"], world=room, scope="world", text="carol")
    message_hide(message=rude, moderator=alice)
    assert texts(history(logged_in("dave"))) == ["carol", "polite"]
    block_create(blocker=alice, blocked=bob)
    assert texts(history(logged_in("alice"))) == ["carol"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"scope": "galaxy"}, "scope"), ({"with": "bob"}, "with"), ({"with": "0"}, "with"), ({"with": "9" * 30}, "with")],
)
def test_bad_filters_get_field_errors(logged_in, params, field):
    response = history(logged_in("alice"), **params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    "cursor",
    ["a", *(base64.b64encode(raw).decode() for raw in (b"p=not-a-date", b"p=2026-13-45 10:00", b"o=-5&r=x"))],
)
def test_a_forged_cursor_is_a_404_not_a_crash(logged_in, cursor):
    response = history(logged_in("alice"), cursor=cursor)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_unknown_world_is_404_and_strangers_need_to_log_in(client, logged_in, room):
    assert history(client).status_code == 401
    response = history(logged_in("alice"), slug="atlantis")
    assert response.status_code == 404
    assert "atlantis" in response.json()["detail"]


def test_guests_cannot_read_a_members_only_world(client, people, room):
    room.guests_allowed = False
    room.save(update_fields=["guests_allowed"])
    client.force_login(make_user("gus", guest=True))
    assert history(client).status_code == 403


# --- blocks --------------------------------------------------------------------------------------


def test_block_list_create_and_remove(logged_in, people):
    client = logged_in("alice")
    bob = people["bob"]
    created = client.post("/api/blocks/", {"user": bob.pk}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["user"] == {
        "id": bob.pk,
        "name": "Bob",
        "avatar": created.json()["user"]["avatar"],
        "guest": False,
    }
    assert client.post("/api/blocks/", {"user": bob.pk}, content_type="application/json").status_code == 200
    listed = client.get("/api/blocks/").json()
    assert [block["user"]["id"] for block in listed] == [bob.pk]
    assert client.delete(f"/api/blocks/{bob.pk}/").status_code == 204
    assert client.delete(f"/api/blocks/{bob.pk}/").status_code == 404
    assert client.get("/api/blocks/").json() == []
    assert not Block.objects.exists()


@pytest.mark.parametrize("user", ["self", 987654321, "bob", None, 2**53, -1])  # larger: the parser refuses it
def test_bad_blocks_get_a_field_error(logged_in, people, user):
    client = logged_in("alice")
    body = {} if user is None else {"user": people["alice"].pk if user == "self" else user}
    response = client.post("/api/blocks/", body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["user"]


def test_unblocking_an_absurd_id_is_a_404(logged_in):
    assert logged_in("alice").delete(f"/api/blocks/{2**70}/").status_code == 404


# --- text is text --------------------------------------------------------------------------------

PAYLOADS = ["<script>alert(document.cookie)</script>", '<img src=x onerror="alert(1)">']


def test_html_payloads_come_back_byte_for_byte_as_json_text(logged_in, people, room):
    for payload in PAYLOADS:
        message_post(sender=people["bob"], world=room, scope="world", text=payload)
    response = history(logged_in("alice"))
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert texts(response) == list(reversed(PAYLOADS))


def test_the_admin_shows_html_payloads_escaped(admin_client, people, room):
    for payload in PAYLOADS:
        message_post(sender=people["bob"], world=room, scope="world", text=payload)
    page = admin_client.get("/admin/chat/message/").content.decode()
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page


def test_the_admin_hide_action_asks_why_then_hides_through_the_service(admin_client, admin_user, people, room):
    message = message_post(sender=people["bob"], world=room, scope="world", text="rude")
    chosen = {"action": "hide_messages", "_selected_action": [message.pk]}
    asking = admin_client.post("/admin/chat/message/", chosen)
    assert asking.status_code == 200
    assert "Hide selected messages" in asking.content.decode()
    message.refresh_from_db()
    assert message.hidden_at is None
    response = admin_client.post("/admin/chat/message/", {**chosen, "apply": "1", "reason": "insults"}, follow=True)
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.hidden_at is not None
    assert message.hidden_by == admin_user
