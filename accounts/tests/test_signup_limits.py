"""Sign-ups per address: the reported 300 guests in 37 s from one address, refused after ten."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import SignupKind, signup_bucket
from metaverse.ratelimit import rate_forget

PASSWORD = "Walk-Up-And-Talk-42"
ELSEWHERE = "203.0.113.9"


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # allauth's own limit on sign-up attempts (20 a minute) is not what these tests measure.
    settings.ACCOUNT_RATE_LIMITS = {"signup": False}
    for kind in SignupKind:
        rate_forget(key=signup_bucket(kind=kind, address=ELSEWHERE))


def join_as_guest(name: str, **extra):
    return Client().post(reverse("guest_join"), {"display_name": name}, **extra)


def sign_up(email: str, **extra):
    return Client().post(
        reverse("account_signup"),
        {"email": email, "display_name": "Dana", "password1": PASSWORD, "password2": PASSWORD},
        **extra,
    )


def test_the_eleventh_guest_from_one_address_in_an_hour_gets_429_with_retry_after(avatars):
    assert [join_as_guest(f"Val {n}").status_code for n in range(10)] == [302] * 10
    refused = join_as_guest("Val 11")
    assert refused.status_code == 429
    assert 300 < int(refused["Retry-After"]) <= 360  # the next of ten an hour: in six minutes
    page = refused.content.decode()
    assert "Too many new guest accounts from your network address: at most 10 an hour." in page
    assert "Try again in 6 minutes." in page
    assert User.objects.filter(is_guest=True).count() == 10
    assert join_as_guest("Val from elsewhere", REMOTE_ADDR=ELSEWHERE).status_code == 302


def test_a_refused_guest_asking_for_json_gets_json(avatars, settings):
    settings.GUEST_RATE_PER_HOUR = 1
    join_as_guest("Val")
    refused = join_as_guest("Val again", HTTP_ACCEPT="application/json")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    body = refused.json()
    assert body["retry_after"] == int(refused["Retry-After"]) > 3500
    assert body["detail"].startswith("Too many new guest accounts")


def test_the_eleventh_account_from_one_address_in_an_hour_gets_429_with_retry_after(avatars):
    assert [sign_up(f"dana{n}@example.org").status_code for n in range(10)] == [302] * 10
    refused = sign_up("dana10@example.org")
    assert refused.status_code == 429
    assert 300 < int(refused["Retry-After"]) <= 360
    assert "Too many new accounts from your network address: at most 10 an hour." in refused.content.decode()
    assert not User.objects.filter(email="dana10@example.org").exists()
    assert User.objects.filter(is_guest=False).count() == 10
    assert sign_up("erin@example.org", REMOTE_ADDR=ELSEWHERE).status_code == 302


def test_guests_and_accounts_count_apart_and_mistakes_cost_nothing(avatars, settings):
    settings.GUEST_RATE_PER_HOUR = settings.SIGNUP_RATE_PER_HOUR = 1
    mismatched = Client().post(
        reverse("account_signup"), {"email": "x@example.org", "password1": PASSWORD, "password2": "other-Passw0rd!"}
    )
    assert mismatched.status_code == 200  # the form again: not counted
    assert join_as_guest("").status_code == 400  # likewise
    assert join_as_guest("Val").status_code == 302
    assert sign_up("dana@example.org").status_code == 302
    assert join_as_guest("Val again").status_code == 429
    assert sign_up("erin@example.org").status_code == 429
    made = User.objects.order_by("pk")
    assert [(user.is_guest, user.player.display_name) for user in made] == [(True, "Val"), (False, "Dana")]


def test_an_ipv6_home_counts_as_one_address(avatars, settings):
    settings.GUEST_RATE_PER_HOUR = 1
    rate_forget(key=signup_bucket(kind=SignupKind.GUEST, address="2001:db8:7:7::1"))
    assert join_as_guest("Val", REMOTE_ADDR="2001:db8:7:7::1").status_code == 302
    assert join_as_guest("Val again", REMOTE_ADDR="2001:db8:7:7:ffff::2").status_code == 429
    assert list(User.objects.values_list("player__display_name", flat=True)) == ["Val"]


def test_the_limits_are_read_from_settings_with_the_documented_defaults():
    import metaverse.settings as module

    assert (module.GUEST_RATE_PER_HOUR, module.SIGNUP_RATE_PER_HOUR) == (10, 10)
