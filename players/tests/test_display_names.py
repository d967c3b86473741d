"""Display names cannot impersonate the staff or the system, nor hide text direction tricks or
invisible characters, wherever a name is set: the guest form, the profile API, the profile page,
the admin and sign-up."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from conftest import make_user
from players.models import Player
from players.names import display_name_problem, name_skeleton

pytestmark = pytest.mark.django_db

ME = "/api/players/me/"

IMPERSONATING = [
    "System",
    "  moderator ",
    "ROOT",
    "Admin",
    "Administrator",
    "Staff",
    "Operator",
    "\u0410dmin",  # Cyrillic А
    "Syst\u0435m",  # Cyrillic е
    "\u0455y\u0455t\u0435m",  # Cyrillic ѕ, е
    "r\u043e\u043et",  # Cyrillic о
    "R00t",
    "Adm1n",
    "AdmIn",
    "\uff21\uff24\uff2d\uff29\uff2e",  # fullwidth ＡＤＭＩＮ
    "Àdmin",
    "S y s t e m",
    "Moderator Mona",
    "[Staff] Bob",
    "adrnin",  # rn looks like m
]
INVISIBLE = [
    "\u202eecilA",  # RIGHT-TO-LEFT OVERRIDE
    "Al\u200bice",  # ZERO WIDTH SPACE
    "Ali\u200dce",  # ZERO WIDTH JOINER
    "Ali\u2066ce\u2069",  # LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE
    "Ali\u00adce",  # SOFT HYPHEN
    "\ufeffAlice",  # BYTE ORDER MARK
    "Ali\x1bce",  # ESCAPE, a control character
    "Ali\x7fce",  # DELETE
]
FINE = ["Alice", "Zoë", "Badminton Club", "Systematic Sam", "Admiral Ada", "李小龙", "O'Brien", "Rosie 2"]


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_login(alice)
    return client


@pytest.mark.parametrize("name", IMPERSONATING + INVISIBLE)
def test_the_profile_api_refuses_staff_and_system_names_and_invisible_characters(api, alice, name):
    response = api.patch(ME, {"display_name": name}, format="json")
    assert response.status_code == 400, name
    assert list(response.json()) == ["display_name"]
    assert Player.objects.get(user=alice).display_name == "Alice"


@pytest.mark.parametrize("name", FINE)
def test_ordinary_names_are_fine(api, name):
    response = api.patch(ME, {"display_name": name}, format="json")
    assert (response.status_code, response.json()["display_name"]) == (200, name)
    assert Player.objects.get(user__username="alice").display_name == name


def test_the_errors_say_what_is_wrong(api):
    reserved = api.patch(ME, {"display_name": "M\u043ederator"}, format="json").json()
    assert reserved == {"display_name": ["That name is kept for the staff and the system; choose another."]}
    hidden = api.patch(ME, {"display_name": "Ali\u202ece"}, format="json").json()
    assert hidden == {
        "display_name": ["A display name cannot contain invisible or control characters (such as U+202E)."]
    }


def test_staff_may_use_reserved_names_but_not_invisible_characters(mona_or_root):
    client = APIClient()
    client.force_login(mona_or_root)
    assert client.patch(ME, {"display_name": "Moderator Mona"}, format="json").status_code == 200
    assert Player.objects.get(user=mona_or_root).display_name == "Moderator Mona"
    assert client.patch(ME, {"display_name": "Mona\u200b"}, format="json").status_code == 400
    assert Player.objects.get(user=mona_or_root).display_name == "Moderator Mona"


@pytest.fixture(params=["staff", "superuser"])
def mona_or_root(request, avatars):
    if request.param == "staff":
        return make_user("mona", staff=True)
    return make_user("root", staff=True, is_superuser=True)


@pytest.mark.parametrize("name", ["System", "Ali\u202ece"])
def test_the_guest_form_refuses_them_with_a_field_error(client, avatars, name):
    response = client.post(reverse("guest_join"), {"display_name": name})
    assert response.status_code == 400
    assert "display_name" in response.context["form"].errors
    assert not User.objects.filter(is_guest=True).exists()


@pytest.mark.parametrize("name", ["Root", "Ali\u200bce"])
def test_the_profile_page_refuses_them_with_a_field_error(client, alice, avatars, name):
    client.force_login(alice)
    response = client.post(reverse("profile"), {"display_name": name, "avatar": avatars[0].slug, "status": "busy"})
    assert response.status_code == 400
    assert "display_name" in response.context["form"].errors
    assert Player.objects.get(user=alice).display_name == "Alice"


def test_sign_up_asks_the_name_others_see_and_never_shows_the_email(client, avatars):
    password = "Walk-Up-And-Talk-42"
    form = {"email": "alice.kaihqk@example.org", "password1": password, "password2": password}
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="display_name"' in page
    refused = client.post(reverse("account_signup"), {**form, "display_name": "Admin"})
    assert "kept for the staff" in refused.content.decode()  # a reserved name: the form again, saying why
    assert not User.objects.filter(email=form["email"]).exists()
    client.post(reverse("account_signup"), {**form, "display_name": "Alice K."})
    user = User.objects.get(email=form["email"])
    assert user.player.display_name == "Alice K."  # not "alice.kaihqk"


def test_the_admin_refuses_a_reserved_name_for_a_players_account_but_not_for_stafs(client, alice, avatars):
    root = make_user("root", staff=True, is_superuser=True)
    client.force_login(root)
    form = {"user": alice.pk, "display_name": "Staff", "avatar": "", "status": "available"}
    response = client.post(f"/admin/players/player/{alice.pk}/change/", form)
    assert response.status_code == 200
    assert "kept for the staff" in response.content.decode()
    assert Player.objects.get(user=alice).display_name == "Alice"
    response = client.post(f"/admin/players/player/{root.pk}/change/", {**form, "user": root.pk})
    assert response.status_code == 302
    assert Player.objects.get(user=root).display_name == "Staff"


def test_the_operator_may_reserve_more_names(api, settings):
    settings.RESERVED_NAMES = [*settings.RESERVED_NAMES, "Acme"]
    refused = api.patch(ME, {"display_name": "\u0410CME"}, format="json")
    assert (refused.status_code, list(refused.json())) == (400, ["display_name"])
    assert Player.objects.get(user__username="alice").display_name == "Alice"


def test_skeletons_fold_case_width_accents_and_look_alikes():
    assert {name_skeleton(name) for name in ("Admin", "ADMIN", "\u0410dm\u0456n", "Adm1n", "ＡＤＭＩＮ", "Àdmín")} == {
        name_skeleton("admin")
    }
    assert name_skeleton("Alice") != name_skeleton("Admin")
    assert display_name_problem("Badminton", staff=False) is None
