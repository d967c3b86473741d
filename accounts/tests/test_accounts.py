import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from players.models import Player

PASSWORD = "Walk-Up-And-Talk-42"


def sign_up(client, email: str = "dana@example.org"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "display_name": "Dana", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )


def test_signup_creates_user_and_player_and_logs_in(client, avatars):
    response = sign_up(client)
    assert response.status_code == 200
    user = User.objects.get(email="dana@example.org")
    assert not user.is_guest
    assert Player.objects.get(user=user).display_name == "Dana"  # the name asked, not the email's
    assert response.wsgi_request.user == user


def test_signup_rejects_mismatched_passwords(client, avatars):
    response = client.post(
        reverse("account_signup"), {"email": "x@example.org", "password1": PASSWORD, "password2": "other-Passw0rd!"}
    )
    assert response.status_code == 200  # the form again, with its errors
    assert not User.objects.filter(email="x@example.org").exists()
    assert "password" in response.content.decode().lower()


def test_login_and_logout(client, alice):
    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": "alice-Secret-Passw0rd"}, follow=True
    )
    assert response.wsgi_request.user == alice
    response = client.post(reverse("account_logout"), follow=True)
    assert not response.wsgi_request.user.is_authenticated


def test_login_with_wrong_password_fails(client, alice):
    response = client.post(reverse("account_login"), {"login": "alice@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_change_password(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "alice-Secret-Passw0rd", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_reset_password_by_email(client, alice):
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    response = client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


@pytest.mark.parametrize("verification", ["mandatory"])
def test_mandatory_email_verification_holds_login_until_confirmed(client, avatars, settings, verification):
    settings.ACCOUNT_EMAIL_VERIFICATION = verification
    sign_up(client, "erin@example.org")
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].subject.lower() or "confirm" in mail.outbox[0].body.lower()
    response = client.post(reverse("account_login"), {"login": "erin@example.org", "password": PASSWORD}, follow=True)
    assert not response.wsgi_request.user.is_authenticated


def test_guest_join_with_a_display_name(client, avatars):
    response = client.post(reverse("guest_join"), {"display_name": "  Visiting   Val "}, follow=True)
    user = response.wsgi_request.user
    assert user.is_authenticated
    assert user.is_guest
    assert not user.has_usable_password()
    assert user.player.display_name == "Visiting Val"
    assert user.player.avatar is not None


def test_guest_join_goes_to_next_only_on_this_site(client, avatars):
    response = client.post(reverse("guest_join"), {"display_name": "Val", "next": "/w/demo/"})
    assert response["Location"] == "/w/demo/"
    client.logout()
    response = client.post(reverse("guest_join"), {"display_name": "Val", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(("name", "error"), [("", "required"), ("   ", "required"), ("x" * 80, "at most")])
def test_guest_join_rejects_bad_names(client, avatars, name, error):
    response = client.post(reverse("guest_join"), {"display_name": name})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not User.objects.filter(is_guest=True).exists()


def test_guests_switched_off(client, avatars, settings):
    settings.GUESTS_ENABLED = False
    assert client.get(reverse("guest_join")).status_code == 403
    response = client.post(reverse("guest_join"), {"display_name": "Val"})
    assert response.status_code == 403
    assert not User.objects.filter(is_guest=True).exists()
    assert "Join as guest" not in client.get(reverse("home")).content.decode()


def test_staff_see_users_and_players_in_admin(client, alice, avatars):
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)
    assert "alice" in client.get("/admin/accounts/user/").content.decode()
    assert "Alice" in client.get("/admin/players/player/").content.decode()
    assert client.get("/admin/players/avatar/").status_code == 200
