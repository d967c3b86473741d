"""Chat services and selectors on their own: rules, the rate limit's arithmetic, query counts."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import ratelimit
from chat.models import Audience, Message, Scope
from chat.selectors import mute_active
from chat.services import ChatError, block_create, message_hide, message_post, mute_create, mute_lift
from metaverse import ratelimit as shared_ratelimit

pytestmark = pytest.mark.django_db(transaction=True)


def statements(captured: CaptureQueriesContext) -> list[str]:
    """The SQL run, without transaction control (which SQLite logs and PostgreSQL does not)."""
    return [query["sql"].split()[0] for query in captured.captured_queries if query["sql"].split()[0] in WORK]


WORK = {"SELECT", "INSERT", "UPDATE", "DELETE"}


def test_posting_a_message_costs_a_fixed_handful_of_queries(people, room):
    alice, bob = people["alice"], people["bob"]
    with CaptureQueriesContext(connection) as world_message:
        message_post(sender=alice, world=room, scope="world", text="hi")
    # the mute check, the insert, the message read back with the sender's profile
    assert statements(world_message) == ["SELECT", "INSERT", "SELECT"]
    with CaptureQueriesContext(connection) as nearby_message:
        message_post(
            sender=alice,
            world=room,
            scope="nearby",
            text="hi",
            audience=[bob.pk, people["carol"].pk, *range(10**6, 10**6 + 200)],
        )
    # ... and which of the audience still exist, and all their rows at once
    assert statements(nearby_message) == ["SELECT", "SELECT", "INSERT", "INSERT", "SELECT"]
    with CaptureQueriesContext(connection) as direct_message:
        message_post(sender=alice, world=room, scope="direct", text="hi", to=bob.pk)
    # ... and the recipient, and whether they block the sender
    assert statements(direct_message) == ["SELECT", "SELECT", "SELECT", "INSERT", "SELECT"]


def test_nearby_audience_is_stored_without_the_sender_and_without_deleted_users(people, room):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    message = message_post(
        sender=alice, world=room, scope="nearby", text="hi", audience=[alice.pk, bob.pk, carol.pk, 987654]
    )
    heard = set(Audience.objects.filter(message=message).values_list("user_id", flat=True))
    assert heard == {bob.pk, carol.pk}


def test_zone_name_is_kept_only_for_zone_messages(people, room):
    alice = people["alice"]
    assert message_post(sender=alice, world=room, scope="zone", text="a", zone="Hall").zone == "Hall"
    assert message_post(sender=alice, world=room, scope="world", text="b", zone="Hall").zone == ""


def test_players_cannot_post_system_messages_through_message_post(people, room):
    with pytest.raises(ChatError) as refused:
        message_post(sender=people["alice"], world=room, scope=Scope.SYSTEM, text="I am the operator")
    assert refused.value.code == "invalid"


def test_hiding_twice_keeps_the_first_moderator(people, room):
    message = message_post(sender=people["alice"], world=room, scope="world", text="rude")
    first = message_hide(message=message, moderator=people["bob"])
    again = message_hide(message=message, moderator=people["carol"])
    assert (again.hidden_at, again.hidden_by_id) == (first.hidden_at, people["bob"].pk)


def test_you_cannot_block_yourself(people):
    with pytest.raises(ChatError) as refused:
        block_create(blocker=people["alice"], blocked=people["alice"])
    assert refused.value.code == "self"


def test_the_active_mute_is_the_one_that_lasts_longest(people):
    alice, bob = people["alice"], people["bob"]
    now = timezone.now()
    assert mute_active(user_id=alice.pk) is None
    short = mute_create(user=alice, until=now + timedelta(minutes=5), reason="", by=bob)
    long = mute_create(user=alice, until=now + timedelta(days=1), reason="", by=bob)
    assert mute_active(user_id=alice.pk) == long
    forever = mute_create(user=alice, until=None, reason="", by=bob)
    assert mute_active(user_id=alice.pk) == forever
    mute_lift(mute=forever, by=bob)
    mute_lift(mute=long, by=bob)
    assert mute_active(user_id=alice.pk) == short
    short.until = now - timedelta(seconds=1)
    short.save(update_fields=["until"])
    assert mute_active(user_id=alice.pk) is None
    with pytest.raises(ChatError):
        mute_create(user=alice, until=now - timedelta(minutes=1), reason="", by=bob)


def test_the_rate_limit_is_read_from_settings_with_the_documented_defaults():
    import metaverse.settings as module  # the tests' `settings` fixture overrides django.conf.settings only

    assert (module.CHAT_RATE_MESSAGES, module.CHAT_RATE_SECONDS, module.CHAT_RATE_BURST) == (5, 5.0, 3)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch, settings):
    settings.CHAT_RATE_MESSAGES, settings.CHAT_RATE_SECONDS, settings.CHAT_RATE_BURST = 5, 5.0, 3
    fake = Clock()
    monkeypatch.setattr(shared_ratelimit.time, "time", fake.time)
    return fake


def test_rate_limit_allows_a_burst_then_one_message_a_second(clock):
    assert [ratelimit.rate_take(user_id=1) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert ratelimit.rate_take(user_id=1) == pytest.approx(1.0)
    assert ratelimit.rate_take(user_id=2) == 0.0  # per user
    clock.now += 0.5
    assert ratelimit.rate_take(user_id=1) == pytest.approx(0.5)
    clock.now += 0.5
    assert ratelimit.rate_take(user_id=1) == 0.0
    assert ratelimit.rate_take(user_id=1) == pytest.approx(1.0)
    clock.now += 60
    assert [ratelimit.rate_take(user_id=1) for _ in range(4)][-1] == pytest.approx(1.0)  # the burst is back


def test_rate_limit_holds_over_minutes_at_five_per_five_seconds(clock):
    sent = 0
    for _ in range(600):  # a client trying every 0.1 s for a minute
        if ratelimit.rate_take(user_id=1) == 0.0:
            sent += 1
        clock.now += 0.1
    assert sent == 3 + 59  # the burst, then one a second


def test_a_send_racing_another_of_the_same_user_is_refused_not_counted_twice(clock):
    cache.add("chat:rate:1:lock", 1, timeout=2)  # another process is deciding for this user right now
    assert ratelimit.rate_take(user_id=1) > 0
    cache.delete("chat:rate:1:lock")
    assert ratelimit.rate_take(user_id=1) == 0.0


def test_text_is_trimmed_and_stored_as_given(people, room):
    message = message_post(sender=people["alice"], world=room, scope="world", text="\n  <b>hi</b> &amp;  \t")
    assert Message.objects.get(pk=message.pk).text == "<b>hi</b> &amp;"


def test_a_senders_entry_says_whether_it_is_a_guest(avatars):
    from chat.serializers import person_json
    from conftest import make_user

    assert person_json(make_user("gus", guest=True))["guest"] is True
    assert person_json(make_user("nell"))["guest"] is False
