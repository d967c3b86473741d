"""Walking in as a guest: a name and, if they like, a look; from a world's link, into that world."""

from django.urls import reverse

from accounts.models import User
from players.models import Player


def test_a_guest_picks_a_look_or_gets_one_at_random(client, avatars, settings):
    settings.GUEST_RATE_PER_HOUR = 100
    page = client.get(reverse("guest_join")).content.decode()
    for avatar in avatars:
        assert f'value="{avatar.slug}"' in page  # every look on offer, as a choice
    chosen = avatars[-1]
    client.post(reverse("guest_join"), {"display_name": "Gus", "avatar": chosen.slug})
    assert Player.objects.get(display_name="Gus").avatar == chosen
    looks = set()
    for index in range(12):
        response = client.__class__().post(reverse("guest_join"), {"display_name": f"Guest {index}"})
        assert response.status_code == 302
        looks.add(Player.objects.get(display_name=f"Guest {index}").avatar_id)
    assert None not in looks
    assert len(looks) > 1  # not everyone the same (twelve alike by chance: less than 1 in 10^5 with 4+ looks)
    assert len(avatars) >= 4


def test_a_guest_from_a_worlds_link_lands_in_that_world(client, demo_worlds):
    sent = client.get("/w/demo/")
    assert sent.status_code == 302
    login = client.get(sent["Location"]).content.decode()
    assert f"{reverse('guest_join')}?next=/w/demo/" in login  # "Join as guest" keeps where they were going
    form = client.get(reverse("guest_join"), {"next": "/w/demo/"}).content.decode()
    assert 'name="next" value="/w/demo/"' in form
    arrived = client.post(reverse("guest_join"), {"display_name": "Visitor", "next": "/w/demo/"})
    assert (arrived.status_code, arrived["Location"]) == (302, "/w/demo/")
    assert User.objects.get(player__display_name="Visitor").is_guest
    assert client.get("/w/demo/").status_code == 200


def test_a_guest_cannot_be_sent_off_the_site(client, avatars):
    arrived = client.post(reverse("guest_join"), {"display_name": "Visitor", "next": "https://evil.example/"})
    assert arrived["Location"] == reverse("home")
