import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from players.models import Player, Status

ME = "/api/players/me/"


@pytest.fixture
def api(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def csrf_headers(client) -> dict[str, str]:
    client.get(reverse("profile"))  # sets the CSRF cookie, as the page does for its scripts
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def test_get_me(api, alice):
    body = api.get(ME).json()
    assert body["id"] == alice.pk
    assert body["display_name"] == "Alice"
    assert body["status"] == "available"
    assert body["avatar_url"].startswith("/avatars/")
    assert body["is_guest"] is False


def test_patch_me_changes_each_field(api, alice, avatars):
    other = avatars[-1]
    response = api.patch(
        ME,
        {"display_name": " Alice  Liddell ", "avatar": other.slug, "status": "dnd"},
        format="json",
        **csrf_headers(api),
    )
    assert response.status_code == 200, response.content
    player = Player.objects.get(user=alice)
    assert (player.display_name, player.avatar, player.status) == ("Alice Liddell", other, Status.DO_NOT_DISTURB)
    assert response.json()["avatar"] == other.slug


def test_the_first_visit_guide_is_marked_seen_once_and_for_good(api, alice):
    Player.objects.filter(user=alice).update(guide_seen_at=None)
    assert api.get(ME).json()["guide_seen"] is False
    response = api.patch(ME, {"guide_seen": True}, format="json", **csrf_headers(api))
    assert response.json()["guide_seen"] is True
    seen = Player.objects.get(user=alice).guide_seen_at
    api.patch(ME, {"guide_seen": False}, format="json", **csrf_headers(api))  # no way to unsee it
    assert Player.objects.get(user=alice).guide_seen_at == seen
    assert api.patch(ME, {"guide_seen": "maybe"}, format="json", **csrf_headers(api)).status_code == 400


def test_patch_without_csrf_token_is_refused_for_session_auth(api, alice):
    response = api.patch(ME, {"status": "busy"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Player.objects.get(user=alice).status == "available"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 80}, "display_name"),
        ({"avatar": "no-such-look"}, "avatar"),
        ({"avatar": "../etc"}, "avatar"),
        ({"status": "sleeping"}, "status"),
        ({"status": ["busy"]}, "status"),
    ],
)
def test_patch_bad_input_gives_field_errors(api, alice, payload, field):
    response = api.patch(ME, payload, format="json", **csrf_headers(api))
    assert response.status_code == 400
    assert field in response.json()
    player = Player.objects.get(user=alice)
    assert (player.display_name, player.status) == ("Alice", "available")


def test_patch_with_malformed_json_is_400(api, alice):
    response = api.generic("PATCH", ME, "{not json", content_type="application/json", **csrf_headers(api))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("not valid JSON")
    player = Player.objects.get(user=alice)
    assert (player.display_name, player.status) == ("Alice", "available")


@pytest.mark.parametrize("method", ["get", "patch"])
def test_anonymous_api_is_refused(db, method):
    response = getattr(APIClient(), method)(ME, {}, format="json")
    assert response.status_code in {401, 403}
    assert set(response.json()) == {"detail"}  # nobody's profile in the answer


def test_token_auth_for_scripts(alice):
    token = Token.objects.create(user=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.patch(ME, {"status": "away"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "away"
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(ME).status_code == 401


def test_profile_page_updates_profile(client, alice, avatars):
    client.force_login(alice)
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    for avatar in avatars:
        assert avatar.slug in page.content.decode()
    response = client.post(
        reverse("profile"), {"display_name": "Al", "avatar": avatars[1].slug, "status": "busy"}, follow=True
    )
    assert "Profile saved." in response.content.decode()
    player = Player.objects.get(user=alice)
    assert (player.display_name, player.avatar, player.status) == ("Al", avatars[1], "busy")


@pytest.mark.parametrize(
    "payload",
    [
        {"display_name": "", "avatar": "ada", "status": "busy"},
        {"display_name": "x" * 80, "avatar": "ada", "status": "busy"},
        {"display_name": "Al", "avatar": "nobody", "status": "busy"},
        {"display_name": "Al", "avatar": "ada", "status": "sleeping"},
    ],
)
def test_profile_page_rejects_bad_input(client, alice, payload):
    client.force_login(alice)
    response = client.post(reverse("profile"), payload)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert Player.objects.get(user=alice).display_name == "Alice"


def test_profile_page_needs_login(client, db):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_avatar_sprite_is_served_with_cache_validators(client, avatars):
    response = client.get(f"/avatars/{avatars[0].slug}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert bytes(response.content[:8]) == b"\x89PNG\r\n\x1a\n"
    again = client.get(f"/avatars/{avatars[0].slug}.png", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get("/avatars/nope.png").status_code == 404


def test_avatar_list_api(api, avatars):
    body = api.get("/api/avatars/").json()
    assert [entry["slug"] for entry in body] == [avatar.slug for avatar in avatars]
    assert len(body) >= 8
