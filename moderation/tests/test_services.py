"""The moderation services: what each stores, what it refuses, and the audit entry it writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Block, Message, Mute, Scope
from chat.services import message_post
from conftest import make_user
from metaverse.errors import AppError
from moderation.models import OPERATOR, Action, AuditEntry, Ban, Report, ReportStatus
from moderation.selectors import ban_applying
from moderation.services import (
    REPORTS_PER_HOUR,
    ModerationError,
    ban_create,
    ban_lift,
    broadcast,
    chat_mute,
    chat_purge,
    chat_unmute,
    message_hide_by_moderator,
    player_kick,
    report_create,
    report_resolve,
)

pytestmark = pytest.mark.django_db


def only_entry() -> AuditEntry:
    [entry] = AuditEntry.objects.all()
    return entry


def test_kick_is_audited_with_who_what_to_whom_why_and_when(alice, mona):
    before = timezone.now()
    player_kick(user=alice, by=mona, reason="  shouting \n in the lobby ")
    entry = only_entry()
    assert (entry.actor, entry.actor_label, entry.action) == (mona, f"mona (id {mona.pk})", Action.KICK)
    assert (entry.target, entry.target_label) == (alice, f"alice (id {alice.pk})")
    assert entry.reason == "shouting in the lobby"
    assert before <= entry.created_at <= timezone.now()


def test_an_operator_acts_as_the_command_line(alice):
    player_kick(user=alice, by=None, reason="")
    entry = only_entry()
    assert (entry.actor, entry.actor_label) == (None, OPERATOR)


def test_moderators_cannot_act_on_themselves_nor_on_staff(alice, mona, root):
    with pytest.raises(ModerationError, match="You cannot ban yourself"):
        ban_create(user=mona, by=mona, reason="")
    other = make_user("otto", staff=True)
    with pytest.raises(ModerationError, match="Only a superuser can kick a staff account"):
        player_kick(user=other, by=mona)
    with pytest.raises(ModerationError, match="Only a superuser can mute a staff account"):
        chat_mute(user=root, by=mona, duration=None)
    player_kick(user=other, by=root)  # superusers may
    assert AuditEntry.objects.filter(action=Action.KICK).count() == 1


def test_ban_for_a_time_replaces_earlier_bans_and_is_audited(alice, mona):
    first = ban_create(user=alice, by=mona, reason="for good first")
    second = ban_create(user=alice, by=mona, reason="spam", duration=timedelta(hours=2))
    first.refresh_from_db()
    assert first.lifted_at is not None
    assert first.lifted_by == mona
    assert list(Ban.objects.active()) == [second]
    assert timedelta(hours=2) - timedelta(seconds=5) < second.until - timezone.now() <= timedelta(hours=2)
    entry = AuditEntry.objects.filter(action=Action.BAN).first()
    assert entry.detail == {
        "ban": second.pk, "until": second.until.isoformat(), "ip": None, "replaced": [first.pk], "also_closed": [],
    }  # fmt: skip


def test_ban_refuses_a_bad_address_and_a_length_of_nothing(alice, mona):
    with pytest.raises(ModerationError, match="is not an IP address") as bad:
        ban_create(user=alice, by=mona, reason="", ip="300.1.2.3")
    assert bad.value.field == "ip"
    with pytest.raises(ModerationError, match="lasts some time"):
        ban_create(user=alice, by=mona, reason="", duration=timedelta(0))
    assert not Ban.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_address_ban_applies_to_every_account_from_that_address(alice, bob, mona):
    ban_create(user=alice, by=mona, reason="", ip="::ffff:203.0.113.9")
    assert Ban.objects.get().ip == "203.0.113.9"
    assert ban_applying(user_id=bob.pk, address="203.0.113.9") == (Ban.objects.get(), True)
    assert ban_applying(user_id=bob.pk, address="203.0.113.10") is None
    assert ban_applying(user_id=alice.pk, address=None) == (Ban.objects.get(), False)


def test_lifting_a_ban_is_audited_once(alice, mona):
    ban = ban_create(user=alice, by=mona, reason="x")
    assert ban_lift(ban=ban, by=mona, reason="appeal accepted")
    assert not ban_lift(ban=ban, by=mona)
    [entry] = AuditEntry.objects.filter(action=Action.UNBAN)
    assert (entry.target, entry.reason, entry.detail["ban"]) == (alice, "appeal accepted", ban.pk)
    assert ban_applying(user_id=alice.pk, address=None) is None


def test_mute_and_unmute_go_through_chat_and_are_audited(alice, mona):
    mute = chat_mute(user=alice, by=mona, reason="flood", duration=timedelta(hours=1))
    assert Mute.objects.active().get() == mute
    assert chat_unmute(mute=mute, by=mona)
    assert not chat_unmute(mute=mute, by=mona)
    assert not Mute.objects.active().exists()
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "target", "reason")) == [
        (Action.MUTE, alice.pk, "flood"),
        (Action.UNMUTE, alice.pk, ""),
    ]


def test_hiding_a_message_is_audited_with_what_it_said(alice, mona, room):
    message = message_post(sender=alice, world=room, scope=Scope.WORLD, text="rude words")
    assert message_hide_by_moderator(message=message, by=mona, reason="insult")
    assert not message_hide_by_moderator(message=message, by=mona, reason="again")
    message.refresh_from_db()
    assert message.hidden_by == mona
    entry = only_entry()
    assert (entry.action, entry.target, entry.reason) == (Action.HIDE_MESSAGE, alice, "insult")
    assert entry.detail == {"message": message.pk, "world": "room", "scope": "world", "text": "rude words"}


def test_broadcast_posts_a_system_message_and_refuses_empty_text(room):
    message = broadcast(world=room, text="  Maintenance at noon  ", by=None)
    assert (message.scope, message.sender, message.text) == (Scope.SYSTEM, None, "Maintenance at noon")
    assert only_entry().detail == {"world": "room", "message": message.pk, "text": "Maintenance at noon"}
    with pytest.raises(AppError, match="needs some text"):  # chat's own error, unchanged on its way
        broadcast(world=room, text="   ", by=None)


def test_purge_deletes_only_old_messages_and_reports_keep_their_text(alice, bob, room):
    old = message_post(sender=bob, world=room, scope=Scope.WORLD, text="ancient insult")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    report = report_create(reporter=alice, user_id=bob.pk, message_id=old.pk, reason="insult")
    recent = message_post(sender=bob, world=room, scope=Scope.WORLD, text="hi")

    assert chat_purge(older_than=timedelta(days=30), dry_run=True) == 1
    assert Message.objects.count() == 2
    assert not AuditEntry.objects.exists()  # a dry run changes nothing

    assert chat_purge(older_than=timedelta(days=30), dry_run=False) == 1
    assert list(Message.objects.all()) == [recent]
    report.refresh_from_db()
    assert (report.message, report.message_text) == (None, "ancient insult")
    assert only_entry().detail["deleted"] == 1


def test_purge_works_through_more_messages_than_one_batch(alice, room, monkeypatch):
    from moderation import services

    monkeypatch.setattr(services, "PURGE_BATCH", 3)
    old = timezone.now() - timedelta(days=40)
    Message.objects.bulk_create(
        Message(world=room, sender=alice, scope=Scope.WORLD, text=f"m{n}", created_at=old) for n in range(10)
    )
    assert chat_purge(older_than=timedelta(days=1), dry_run=False) == 10
    assert not Message.objects.exists()


# --- reports ------------------------------------------------------------------------------------


def test_a_report_on_a_message_records_what_it_said(alice, bob, room):
    message = message_post(sender=bob, world=room, scope=Scope.WORLD, text="you are all idiots")
    report = report_create(reporter=alice, user_id=bob.pk, message_id=message.pk, reason=" insults ")
    assert (report.reporter, report.reported, report.message, report.reason) == (alice, bob, message, "insults")
    assert (report.status, report.message_text) == (ReportStatus.OPEN, "you are all idiots")


@pytest.mark.parametrize(
    ("case", "field", "words"),
    [
        ("yourself", "user", "cannot report yourself"),
        ("unknown user", "user", "There is no player"),
        ("empty reason", "reason", "Say what happened"),
        ("long reason", "reason", "At most 1000 characters"),
        ("unseen message", "message", "that you can see"),
        ("hidden message", "message", "that you can see"),
        ("someone else's message", "message", "is not from player"),
        ("system message", "message", "is not from player"),
    ],
)
def test_a_report_is_refused_with_the_field_at_fault(alice, bob, carol, room, case, field, words):
    user_id, message_id, reason = bob.pk, None, "bad"
    if case == "yourself":
        user_id = alice.pk
    elif case == "unknown user":
        user_id = 999_999
    elif case == "empty reason":
        reason = "   "
    elif case == "long reason":
        reason = "x" * 1001
    elif case == "unseen message":  # a direct message between bob and carol
        message_id = message_post(sender=bob, world=room, scope=Scope.DIRECT, text="psst", to=carol.pk).pk
    elif case == "hidden message":
        message = message_post(sender=bob, world=room, scope=Scope.WORLD, text="rude")
        message_hide_by_moderator(message=message, by=None)
        message_id = message.pk
    elif case == "someone else's message":
        message_id = message_post(sender=carol, world=room, scope=Scope.WORLD, text="hi").pk
    elif case == "system message":
        message_id = broadcast(world=room, text="hello all", by=None).pk
    with pytest.raises(ModerationError, match=words) as refused:
        report_create(reporter=alice, user_id=user_id, message_id=message_id, reason=reason)
    assert refused.value.field == field
    assert not Report.objects.exists()


def test_messages_of_someone_you_block_are_unseen_but_the_player_can_be_reported(alice, bob, room):
    message = message_post(sender=bob, world=room, scope=Scope.WORLD, text="spam")
    Block.objects.create(blocker=alice, blocked=bob)
    with pytest.raises(ModerationError, match="that you can see"):
        report_create(reporter=alice, user_id=bob.pk, message_id=message.pk, reason="spam")
    # ...but they can still report the player.
    assert report_create(reporter=alice, user_id=bob.pk, reason="spam").pk


def test_reports_are_limited_per_reporter_per_hour(alice, bob, carol):
    for _ in range(REPORTS_PER_HOUR):
        report_create(reporter=alice, user_id=bob.pk, reason="again")
    with pytest.raises(ModerationError) as limited:
        report_create(reporter=alice, user_id=bob.pk, reason="again")
    assert limited.value.code == "rate_limited"
    assert 3500 < limited.value.extra["retry_after"] <= 3601
    assert report_create(reporter=carol, user_id=bob.pk, reason="me too").pk  # others are not limited
    Report.objects.filter(reporter=alice).update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert report_create(reporter=alice, user_id=bob.pk, reason="an hour later").pk


def test_resolving_a_report_is_audited_and_happens_once(alice, bob, mona):
    report = report_create(reporter=alice, user_id=bob.pk, reason="spam")
    assert report_resolve(report=report, by=mona, status=ReportStatus.DISMISSED, note="not spam")
    assert not report_resolve(report=report, by=mona, status=ReportStatus.ACTIONED)
    report.refresh_from_db()
    assert (report.status, report.handled_by, report.note) == (ReportStatus.DISMISSED, mona, "not spam")
    assert report.handled_at is not None
    entry = only_entry()
    assert (entry.action, entry.target, entry.detail) == (Action.REPORT_DISMISSED, bob, {"report": report.pk})
    with pytest.raises(ModerationError):
        report_resolve(report=report, by=mona, status=ReportStatus.OPEN)
