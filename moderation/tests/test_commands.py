"""The operators' commands: each one's output and exit status, bad arguments included."""

import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.utils import timezone

from chat.models import Message, Scope
from chat.services import message_post
from moderation.commandline import parse_duration
from moderation.models import OPERATOR, Action, AuditEntry, Ban
from moderation.services import ban_create
from world.models import Presence

pytestmark = pytest.mark.django_db

OURS = {"worlds", "who", "broadcast", "kick", "ban", "unban", "purge_chat"}


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def online(alice, room):
    now = timezone.now()
    Presence.objects.create(
        user=alice, world=room, server="test", connected_at=now - timedelta(minutes=5), last_seen=now,
        address="203.0.113.5",
    )  # fmt: skip
    return room


@pytest.fixture
def with_redis(settings):
    """As the command sees it: REDIS_URL set, so its events reach the servers."""
    settings.REDIS_URL = settings.REDIS_URL or "redis://127.0.0.1:6379/6"


@pytest.fixture
def without_redis(settings):
    settings.REDIS_URL = ""


# --- durations and users ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [("30m", timedelta(minutes=30)), ("2h", timedelta(hours=2)), ("7d", timedelta(days=7)), ("1w", timedelta(weeks=1))],
)
def test_durations_are_a_number_and_a_unit(text, length):
    assert parse_duration(text) == length


@pytest.mark.parametrize("text", ["", "2", "h", "2x", "1.5h", "-2h", "0h", "2 hours", "999999w"])
def test_bad_durations_are_refused_clearly(text):
    with pytest.raises(CommandError, match="bad duration"):
        parse_duration(text)


def test_a_user_is_named_by_username_email_or_id(alice, online, with_redis):
    for name in ("alice", "ALICE@example.org", str(alice.pk)):
        out, _ = run("kick", name)
        assert out == f"kick sent to alice (id {alice.pk})'s connections (online in room)\n"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("nobody", "there is no user 'nobody' (give a username, an email address or a numeric id)"),
        ("nobody@example.org", "there is no user with the email nobody@example.org"),
        ("424242", "there is no user with id 424242"),
        ("99999999999999999999999", "there is no user with id 99999999999999999999999"),
        ("  ", "name a user: a username, an email address or a numeric id"),
    ],
)
def test_an_unknown_user_is_a_clear_error(db, name, error):
    for command in ("kick", "ban", "unban"):
        with pytest.raises(CommandError) as refused:
            run(command, name)
        assert str(refused.value) == error


# --- each command -------------------------------------------------------------------------------


def test_worlds_lists_worlds_with_online_counts(online):
    out, _ = run("worlds")
    assert out.splitlines() == [
        "slug  online  capacity  name",
        "room       1       300  Room",
        "1 world, 1 online",
    ]


def test_worlds_says_when_there_are_none(db):
    assert run("worlds")[0] == "no worlds yet: python manage.py import_map PATH --slug SLUG, or load_demo\n"


def test_who_lists_who_is_online_with_zone_position_and_since(alice, online):
    from world.models import SavedPosition

    SavedPosition.objects.create(
        player_id=alice.pk, world=online, x=3.5, y=4.25, direction="down", zone="Hall", updated_at=timezone.now()
    )
    out, _ = run("who")
    header, row, summary = out.splitlines()
    assert header.split() == ["world", "user", "name", "zone", "position", "connected", "since", "address"]
    assert row.split()[:7] == ["room", "alice", "(id", f"{alice.pk})", "Alice", "Hall", "3.5,4.2"]
    assert row.endswith("UTC  203.0.113.5")
    assert summary == "1 online in 1 world"
    assert run("who", "--world", "room")[0].splitlines()[-1] == "1 online in room"


def test_who_says_when_nobody_is_there_and_refuses_unknown_worlds(room):
    assert run("who")[0] == "nobody is online\n"
    assert run("who", "--world", "room")[0] == "nobody is online in room\n"
    with pytest.raises(CommandError, match=r"there is no world 'atlantis' \(worlds: room\)"):
        run("who", "--world", "atlantis")


def test_broadcast_posts_a_system_message(online, with_redis):
    out, err = run("broadcast", "--world", "room", "Maintenance at noon")
    message = Message.objects.get()
    assert out == f"sent to room (1 online): message {message.pk}, 19 characters\n"
    assert err == ""
    assert (message.scope, message.text) == (Scope.SYSTEM, "Maintenance at noon")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_label) == (Action.BROADCAST, OPERATOR)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--world", "room", "   "], "not sent: A message needs some text."),
        (["--world", "room", "x" * 2001], "not sent: A message has at most 2000 characters (this one has 2001)."),
        (["--world", "atlantis", "hi"], "there is no world 'atlantis' (worlds: room)"),
        (["hi"], "Error: the following arguments are required: --world"),
        (["--world", "room"], "Error: the following arguments are required: text"),
    ],
)
def test_broadcast_refuses_bad_arguments(room, args, error):
    with pytest.raises(CommandError) as refused:
        run("broadcast", *args)
    assert str(refused.value) == error
    assert not Message.objects.exists()


def test_kick_says_where_the_player_was_and_is_audited(alice, with_redis):
    out, err = run("kick", "alice", "--reason", "spamming")
    assert out == f"kick sent to alice (id {alice.pk})'s connections (not in any world right now)\n"
    assert err == ""
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.actor_label, entry.target, entry.reason) == (
        Action.KICK, None, OPERATOR, alice, "spamming"
    )  # fmt: skip


def test_without_redis_live_actions_warn_that_they_cannot_reach_the_server(alice, without_redis):
    out, err = run("kick", "alice")
    assert out.startswith("kick sent to")
    assert err.startswith("warning: REDIS_URL is not set, so this command cannot reach the server's open connections")


def test_ban_for_a_time_with_a_reason(alice, with_redis):
    out, err = run("ban", "alice", "--for", "2h", "--reason", "spam")
    ban = Ban.objects.get()
    assert out == (
        f"banned alice (id {alice.pk}) for 2 hours, until {ban.until:%Y-%m-%d %H:%M} UTC (reason: spam); "
        "their open connections are being closed\n"
    )
    assert err == ""
    assert timedelta(hours=1, minutes=59) < ban.until - timezone.now() <= timedelta(hours=2)
    assert (ban.reason, ban.created_by, ban.ip) == ("spam", None, None)
    assert AuditEntry.objects.get().action == Action.BAN


def test_ban_for_good_with_the_address_they_connect_from(alice, online, with_redis):
    out, _ = run("ban", "alice", "--ip")
    banned = f"banned alice (id {alice.pk}) for good and the address 203.0.113.5"
    assert out == f"{banned}; their open connections are being closed\n"
    assert Ban.objects.get().ip == "203.0.113.5"
    run("ban", "alice", "--ip", "2001:db8::1", "--for", "1w")
    assert Ban.objects.active().get().ip == "2001:db8::1"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["alice", "--for", "2x"], "bad duration '2x': use a number and a unit, like 30m, 2h, 7d or 1w"),
        (["alice", "--for", "0d"], "bad duration '0d': it must be more than nothing"),
        (["alice", "--ip"], "is not online, so their address is unknown: give it, --ip ADDRESS"),
        (["alice", "--ip", "300.1.1.1"], "'300.1.1.1' is not an IP address."),
        (["alice", "--reason", "x" * 501], "A reason has at most 500 characters."),
        ([], "Error: the following arguments are required: USER"),
    ],
)
def test_ban_refuses_bad_arguments(alice, args, error):
    with pytest.raises(CommandError, match=error.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        run("ban", *args)
    assert not Ban.objects.exists()
    assert not AuditEntry.objects.exists()


def test_unban_lifts_the_ban_and_says_when_there_was_none(alice):
    ban_create(user=alice, by=None, reason="x")
    assert run("unban", "alice", "--reason", "appeal")[0] == f"lifted 1 ban of alice (id {alice.pk})\n"
    assert not Ban.objects.active().exists()
    assert run("unban", "alice")[0] == f"alice (id {alice.pk}) was not banned: nothing to lift\n"
    assert AuditEntry.objects.filter(action=Action.UNBAN).get().reason == "appeal"


def test_purge_chat_dry_run_then_for_real(alice, room):
    old = message_post(sender=alice, world=room, scope=Scope.WORLD, text="old")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    message_post(sender=alice, world=room, scope=Scope.WORLD, text="new")
    out, _ = run("purge_chat", "--older-than", "30d", "--dry-run")
    assert out.startswith("would delete 1 chat message older than 30 days (before ")
    assert out.endswith(" UTC); dry run, nothing deleted\n")
    assert Message.objects.count() == 2
    out, _ = run("purge_chat", "--older-than", "30d")
    assert out.startswith("deleted 1 chat message older than 30 days (before ")
    assert list(Message.objects.values_list("text", flat=True)) == ["new"]
    assert AuditEntry.objects.get().detail["deleted"] == 1


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ([], "Error: the following arguments are required: --older-than"),
        (["--older-than", "soon"], "bad duration 'soon'"),
    ],
)
def test_purge_chat_refuses_bad_arguments(db, args, error):
    with pytest.raises(CommandError, match=error):
        run("purge_chat", *args)


def test_every_command_has_a_one_line_help_and_is_in_the_readme():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    ours = {name: app for name, app in get_commands().items() if not app.startswith("django")}
    ours = {name: app for name, app in ours.items() if Path(settings.BASE_DIR, app.split(".")[0]).is_dir()}
    assert set(ours) >= OURS
    for name, app in ours.items():
        if name == "drf_create_token" or app.startswith(("rest_framework", "allauth", "daphne", "channels")):
            continue
        command = load_command_class(app, name)
        assert command.help, name
        assert "\n" not in command.help, name
        assert command.help.endswith("."), name
        assert f"python manage.py {name}" in readme, f"README does not list {name}"


# --- as operators run them ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_from_the_shell_bad_arguments_exit_non_zero_with_the_reason_on_stderr(alice):
    from metaverse.testing import server_environment

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=server_environment(),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    unknown = manage("ban", "nobody", "--for", "2h")
    assert unknown.returncode == 1
    assert (
        unknown.stderr.strip()
        == "CommandError: there is no user 'nobody' (give a username, an email address or a numeric id)"
    )
    assert unknown.stdout == ""

    bad_length = manage("ban", "alice", "--for", "2 weeks")
    assert bad_length.returncode == 1
    assert "CommandError: bad duration '2 weeks'" in bad_length.stderr

    missing = manage("purge_chat")
    assert missing.returncode == 2  # argparse's usage error
    assert "the following arguments are required: --older-than" in missing.stderr

    banned = manage("ban", "alice", "--for", "30m", "--reason", "test")
    assert banned.returncode == 0, banned.stderr
    assert banned.stdout.startswith(f"banned alice (id {alice.pk}) for 30 minutes, until ")
    assert Ban.objects.active().get().user == alice
