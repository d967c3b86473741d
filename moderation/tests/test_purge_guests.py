"""`purge_guests`: guests used to be kept for ever (a user, a player and a two-week session each)."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts import services
from accounts.models import User
from chat.models import Message, Scope
from conftest import make_user, session_cookie
from moderation.models import Ban, Report
from players.models import Player
from world.models import Presence, SavedPosition, World
from world.services import world_import_map
from world.tests.maps import room_map, write_map

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(avatars, tmp_path: Path) -> World:
    return world_import_map(path=write_map(tmp_path / "room", room_map()), slug="room", name="Room").world


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def guest(name: str, *, joined: float = 30) -> User:
    user = make_user(name, guest=True)
    User.objects.filter(pk=user.pk).update(date_joined=days_ago(joined))
    return User.objects.get(pk=user.pk)


def was_in(user: User, world: World, *, days: float) -> None:
    SavedPosition.objects.create(player_id=user.pk, world=world, x=2.5, y=2.5, updated_at=days_ago(days))


def said(user: User, world: World, text: str, *, days: float, to: User | None = None) -> Message:
    scope = Scope.DIRECT if to else Scope.WORLD
    return Message.objects.create(
        world=world, sender=user, recipient=to, scope=scope, text=text, created_at=days_ago(days)
    )


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_guests", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(room, alice):
    """gus: a guest last seen 9 days ago, with a session and messages; val: a guest who walked in
    yesterday; nell: a guest who joined an hour ago; alice, a member who has not logged in for a
    month."""
    User.objects.filter(pk=alice.pk).update(date_joined=days_ago(400), last_login=days_ago(30))
    gus, val, nell = guest("gus"), guest("val"), guest("nell", joined=1 / 24)
    was_in(gus, room, days=9)
    said(gus, room, "anyone here?", days=9)
    said(alice, room, "hi gus", days=9, to=gus)
    was_in(val, room, days=1)
    sessions = {name: session_cookie(user) for name, user in (("gus", gus), ("val", val), ("alice", alice))}
    return {"gus": gus, "val": val, "nell": nell, "alice": alice, "sessions": sessions}


def test_an_old_guest_goes_with_its_session_and_messages_and_recent_guests_and_members_stay(people, room):
    assert purge() == "deleted 1 guest not seen for 7 days and 1 session\n"
    assert set(User.objects.values_list("username", flat=True)) == {"val", "nell", "alice"}
    assert not Player.objects.filter(user_id=people["gus"].pk).exists()
    assert not Message.objects.exists()  # what gus said, and what was said to him only
    assert not SavedPosition.objects.filter(player_id=people["gus"].pk).exists()
    kept = set(Session.objects.values_list("session_key", flat=True))
    assert kept == {people["sessions"]["val"], people["sessions"]["alice"]}


def test_a_dry_run_counts_and_deletes_nothing(people):
    assert purge("--dry-run") == "would delete 1 guest not seen for 7 days and 1 session; dry run, nothing deleted\n"
    assert User.objects.count() == 4
    assert Session.objects.count() == 3
    assert Message.objects.count() == 2


def test_days_come_from_the_option_or_the_setting(people, settings):
    assert purge("--days", "2", "--dry-run").startswith("would delete 1 guest not seen for 2 days")
    assert purge("--days", "1").startswith("deleted 2 guests not seen for 1 day and 2 sessions")  # gus and val
    settings.GUEST_RETENTION_DAYS = 30
    assert purge() == "deleted 0 guests not seen for 30 days and 0 sessions\n"


def test_a_guest_who_chatted_lately_or_is_in_a_world_now_stays(room, people):
    old_talker, here = guest("otto"), guest("hana")
    said(old_talker, room, "still here", days=2)
    now = timezone.now()
    Presence.objects.create(user=here, world=room, server="test", connected_at=now, last_seen=now)
    assert purge() == "deleted 1 guest not seen for 7 days and 1 session\n"  # gus only
    assert User.objects.filter(pk__in=[old_talker.pk, here.pk]).count() == 2


def test_a_banned_guest_and_one_in_an_open_report_wait_for_the_moderators(people):
    banned, reported = guest("bert"), guest("rita")
    # An address ban goes with the account it was made on: purging it would let the address in.
    Ban.objects.create(user=banned, ip="203.0.113.5", reason="spam", created_at=days_ago(20))
    Report.objects.create(reporter=people["alice"], reported=reported, reason="rude", created_at=days_ago(20))
    assert purge() == "deleted 1 guest not seen for 7 days and 1 session\n"
    assert User.objects.filter(pk__in=[banned.pk, reported.pk]).count() == 2


def test_purged_guests_send_no_socket_events_but_a_deleted_account_does(people, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(services, "user_event_after_commit", lambda user_id, event: sent.append(user_id))
    purge()
    assert sent == []  # nobody unseen for a week has a socket open
    val_id = people["val"].pk
    people["val"].delete()
    assert sent == [val_id]


def test_bad_days_are_refused_with_a_clear_message():
    with pytest.raises(CommandError, match="--days must be at least 1, not 0"):
        purge("--days", "0")


def test_guests_are_kept_a_week_by_default():
    import metaverse.settings as module

    assert module.GUEST_RETENTION_DAYS == 7
