"""The admin as moderators and superusers use it: who may reach what, and every moderation action
going through its service (so through the audit log)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from chat.models import Message, Mute, Scope
from chat.services import message_post
from conftest import make_user
from moderation.models import Action, AuditEntry, Ban, Report, ReportStatus
from moderation.permissions import MODERATOR_PERMISSIONS, MODERATORS
from moderation.services import ban_create, chat_mute, player_kick, report_create
from world.models import Presence

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_mona(client, mona):
    client.force_login(mona)
    return client


@pytest.fixture
def as_root(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def online(alice, bob, room):
    """alice and bob have world sockets open in the room, as the servers last reported."""
    now = timezone.now()
    for user, address in ((alice, "203.0.113.5"), (bob, None)):
        Presence.objects.create(user=user, world=room, server="test", connected_at=now, last_seen=now, address=address)
    return room


@pytest.fixture
def reports(alice, bob, carol, room):
    rude = message_post(sender=bob, world=room, scope=Scope.WORLD, text="<b>you</b> are all idiots")
    return {
        "message": report_create(reporter=alice, user_id=bob.pk, message_id=rude.pk, reason="insults"),
        "player": report_create(reporter=carol, user_id=bob.pk, reason="follows me around"),
    }


def act(client, url: str, action: str, selected: list[int], **form):
    """Choose an admin action on some rows; with `reason` (or `note`), confirm it as the page does."""
    chosen = {"action": action, "_selected_action": selected}
    if not form:
        return client.post(url, chosen)
    return client.post(url, {**chosen, "apply": "1", **form}, follow=True)


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- who may reach what -------------------------------------------------------------------------


def test_the_migration_made_the_moderators_group_with_only_what_they_need():
    group = Group.objects.get(name=MODERATORS)
    held = {(p.content_type.app_label, p.codename) for p in group.permissions.select_related("content_type")}
    assert held == set(MODERATOR_PERMISSIONS)
    assert not {codename for _, codename in held} & {"change_user", "delete_user", "add_user", "change_group"}
    assert not any(codename.startswith("delete_") for _, codename in held)


MODERATOR_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/user/{alice}/change/",
    "/admin/players/player/",
    "/admin/world/world/",
    "/admin/world/presence/",
    "/admin/world/savedposition/",
    "/admin/moderation/ban/",
    "/admin/moderation/ban/add/",
    "/admin/moderation/report/",
    "/admin/moderation/report/{report}/change/",
    "/admin/moderation/auditentry/",
    "/admin/chat/message/",
    "/admin/chat/message/{message}/change/",
    "/admin/chat/mute/",
    "/admin/chat/mute/add/",
]


def urls(pages: list[str], alice, reports) -> list[str]:
    ids = {"alice": alice.pk, "report": reports["message"].pk, "message": reports["message"].message_id}
    return [page.format(**ids) for page in pages]


def test_a_moderator_sees_every_moderation_page(as_mona, mona, alice, reports, online):
    for url in urls(MODERATOR_PAGES, alice, reports):
        response = as_mona.get(url)
        assert response.status_code == 200, url
        # The page itself, as hers: not the admin's login form, which also answers 200.
        assert (response.context["user"], "app_path" in response.context) == (mona, False), url
        assert response.context["title"], url


def test_a_moderator_cannot_touch_passwords_nor_staff_or_superuser_flags(as_mona, alice, root):
    password_url = f"/admin/accounts/user/{alice.pk}/password/"
    assert as_mona.get(password_url).status_code == 403
    response = as_mona.post(password_url, {"password1": "N3w-Passw0rd!x", "password2": "N3w-Passw0rd!x"})
    assert response.status_code == 403
    page = as_mona.get(f"/admin/accounts/user/{alice.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="is_staff"' not in page
    form = {"username": "alice", "is_staff": "on", "is_superuser": "on", "is_active": "on"}
    assert as_mona.post(f"/admin/accounts/user/{alice.pk}/change/", form).status_code == 403
    assert as_mona.get("/admin/accounts/user/add/").status_code == 403
    assert as_mona.post(f"/admin/accounts/user/{root.pk}/delete/", {"post": "yes"}).status_code == 403
    assert as_mona.get("/admin/auth/group/").status_code == 403
    alice.refresh_from_db()
    assert alice.check_password("alice-Secret-Passw0rd")
    assert not alice.is_staff
    assert not alice.is_superuser


def test_a_moderator_cannot_edit_what_someone_said(as_mona, reports):
    message = reports["message"].message
    page = as_mona.get(f"/admin/chat/message/{message.pk}/change/").content.decode()
    assert 'name="text"' not in page
    assert "&lt;b&gt;you&lt;/b&gt; are all idiots" in page
    response = as_mona.post(f"/admin/chat/message/{message.pk}/change/", {"text": "edited"})
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.text == "<b>you</b> are all idiots"


def test_a_user_who_is_not_staff_reaches_none_of_it(client, alice, reports, online):
    for who in (None, alice):
        if who is not None:
            client.force_login(who)
        for url in [*urls(MODERATOR_PAGES, alice, reports), f"/admin/accounts/user/{alice.pk}/password/"]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/"), url
        response = act(client, "/admin/world/presence/", "kick_players", [p.pk for p in Presence.objects.all()])
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert not AuditEntry.objects.exists()


def test_staff_without_the_permissions_see_no_moderation_actions(client, alice, online):
    viewer = make_user("vera", staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_presence"))
    client.force_login(viewer)
    page = client.get("/admin/world/presence/").content.decode()
    assert "kick_players" not in page
    response = act(client, "/admin/world/presence/", "kick_players", [p.pk for p in Presence.objects.all()], reason="x")
    assert not AuditEntry.objects.exists()
    assert response.status_code == 200
    assert client.get("/admin/moderation/ban/add/").status_code == 403


def test_a_superuser_reaches_everything_including_passwords(as_root, alice, reports, online):
    for url in urls(MODERATOR_PAGES, alice, reports):
        response = as_root.get(url)
        assert (response.status_code, response.context["user"].is_superuser) == (200, True), url
    password_page = as_root.get(f"/admin/accounts/user/{alice.pk}/password/")
    assert 'name="password1"' in password_page.content.decode()
    changed = as_root.post(
        f"/admin/accounts/user/{alice.pk}/password/", {"password1": "N3w-Passw0rd!x", "password2": "N3w-Passw0rd!x"}
    )
    assert changed.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("N3w-Passw0rd!x")


def test_the_audit_log_is_read_only_even_for_superusers(as_root, alice, root):
    player_kick(user=alice, by=root, reason="test")
    entry = AuditEntry.objects.get()
    assert as_root.get("/admin/moderation/auditentry/").status_code == 200
    assert as_root.get(f"/admin/moderation/auditentry/{entry.pk}/change/").status_code == 200
    assert as_root.get("/admin/moderation/auditentry/add/").status_code == 403
    assert as_root.post(f"/admin/moderation/auditentry/{entry.pk}/change/", {"reason": "x"}).status_code == 403
    assert as_root.post(f"/admin/moderation/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "delete_selected" not in as_root.get("/admin/moderation/auditentry/").content.decode()
    entry.refresh_from_db()
    assert entry.reason == "test"


def test_the_audit_log_filters_by_action(as_mona, alice, bob, root):
    player_kick(user=alice, by=root, reason="k")
    ban_create(user=bob, by=root, reason="b")
    page = as_mona.get("/admin/moderation/auditentry/?action=ban").content.decode()
    assert f"bob (id {bob.pk})" in page
    assert f"alice (id {alice.pk})" not in page


# --- who is online and users --------------------------------------------------------------------


def test_kicking_from_who_is_online_asks_why_then_kicks(as_mona, alice, mona, online):
    presence = Presence.objects.get(user=alice)
    page = as_mona.get("/admin/world/presence/").content.decode()
    assert "203.0.113.5" in page  # the address a ban can include
    asking = act(as_mona, "/admin/world/presence/", "kick_players", [presence.pk])
    assert asking.status_code == 200
    assert f"alice (id {alice.pk})" in asking.content.decode()
    assert not AuditEntry.objects.exists()

    done = act(as_mona, "/admin/world/presence/", "kick_players", [presence.pk], reason="spamming")
    assert page_messages(done) == [f"Kicked: alice (id {alice.pk})"]
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target, entry.reason) == (Action.KICK, mona, alice, "spamming")


def test_the_reason_is_required(as_mona, alice, online):
    presence = Presence.objects.get(user=alice)
    response = act(as_mona, "/admin/world/presence/", "kick_players", [presence.pk], reason="")
    assert "This field is required" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_banning_and_muting_from_who_is_online(as_mona, alice, bob, online):
    selected = [p.pk for p in Presence.objects.order_by("user_id")]
    act(as_mona, "/admin/world/presence/", "ban_players_for_a_day", selected, reason="raid")
    assert {ban.user for ban in Ban.objects.active()} == {alice, bob}
    for ban in Ban.objects.all():
        assert timedelta(hours=23, minutes=59) < ban.until - timezone.now() <= timedelta(days=1)
    act(as_mona, "/admin/world/presence/", "mute_players_for_an_hour", selected[:1], reason="flood")
    assert Mute.objects.active().get().user == alice
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["ban", "ban", "mute"]


def test_banning_guests_with_the_address_they_connect_from(as_mona, alice, bob, online):
    selected = [p.pk for p in Presence.objects.order_by("user_id")]
    response = act(as_mona, "/admin/world/presence/", "ban_players_and_addresses_for_a_day", selected, reason="raid")
    assert page_messages(response) == [
        f"Banned with their addresses for a day: alice (id {alice.pk})",
        f"bob (id {bob.pk}): not connected, so their address is unknown; add a ban with it under Bans.",
    ]
    ban = Ban.objects.get()
    assert (ban.user, ban.ip) == (alice, "203.0.113.5")


def test_user_list_actions_refuse_staff_accounts_for_moderators(as_mona, alice, root):
    response = act(as_mona, "/admin/accounts/user/", "ban_players_for_a_day", [alice.pk, root.pk], reason="x")
    assert page_messages(response) == [
        f"Banned for a day: alice (id {alice.pk})",
        f"root (id {root.pk}): Only a superuser can ban a staff account (root).",
    ]
    assert [ban.user for ban in Ban.objects.all()] == [alice]


# --- bans and mutes -----------------------------------------------------------------------------


def test_the_ban_form_bans_through_the_service(as_mona, alice, mona):
    response = as_mona.post(
        "/admin/moderation/ban/add/",
        {"user": alice.pk, "duration": "1w", "until_0": "", "until_1": "", "reason": "harassment", "ip": "2001:db8::7"},
    )
    assert response.status_code == 302, response.content.decode()
    ban = Ban.objects.get()
    assert (ban.user, ban.created_by, ban.reason, ban.ip) == (alice, mona, "harassment", "2001:db8::7")
    assert timedelta(days=6, hours=23) < ban.until - timezone.now() <= timedelta(weeks=1)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.detail["ban"], entry.detail["ip"]) == (Action.BAN, ban.pk, "2001:db8::7")
    assert as_mona.get(f"/admin/moderation/ban/{ban.pk}/change/").status_code == 200


def test_the_ban_form_for_good_and_until_a_time(as_mona, alice, bob):
    as_mona.post("/admin/moderation/ban/add/", {"user": alice.pk, "duration": "for_good", "reason": "r"})
    assert Ban.objects.get(user=alice).until is None
    later = timezone.now() + timedelta(days=3)
    as_mona.post(
        "/admin/moderation/ban/add/",
        {"user": bob.pk, "duration": "until", "until_0": f"{later:%Y-%m-%d}", "until_1": f"{later:%H:%M:%S}",
         "reason": "r"},
    )  # fmt: skip
    assert abs(Ban.objects.get(user=bob).until - later) < timedelta(seconds=2)


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"duration": "until"}, "Give the time it ends"),
        ({"duration": "until", "until_0": "2001-01-01", "until_1": "10:00:00"}, "That time has passed"),
        ({"duration": "1d", "reason": ""}, "This field is required"),
        ({"duration": "1d", "ip": "not-an-ip"}, "Enter a valid IPv4 or IPv6 address"),
        ({"duration": "1d", "user": "ROOT"}, "Only a superuser can ban a staff account"),
        ({"duration": "1d", "user": "MONA"}, "You cannot ban yourself"),
    ],
)
def test_the_ban_form_refuses_what_the_service_would(as_mona, alice, mona, root, form, error):
    ids = {"ROOT": root.pk, "MONA": mona.pk}
    data = {"user": alice.pk, "reason": "r", **form}
    data["user"] = ids.get(data["user"], data["user"])
    response = as_mona.post("/admin/moderation/ban/add/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Ban.objects.exists()
    assert not AuditEntry.objects.exists()


def test_lifting_bans_from_the_list(as_mona, alice, bob, mona):
    bans = [ban_create(user=user, by=mona, reason="r") for user in (alice, bob)]
    response = act(as_mona, "/admin/moderation/ban/", "lift_bans", [ban.pk for ban in bans], reason="")
    assert page_messages(response) == [f"Lifted the bans of alice (id {alice.pk}), bob (id {bob.pk})"]
    assert not Ban.objects.active().exists()
    assert AuditEntry.objects.filter(action=Action.UNBAN).count() == 2
    assert as_mona.get("/admin/moderation/ban/?active=yes").context["cl"].result_count == 0
    assert as_mona.get("/admin/moderation/ban/?active=no").context["cl"].result_count == 2


def test_bans_are_never_edited_nor_deleted(as_root, alice, root):
    ban = ban_create(user=alice, by=root, reason="r")
    assert as_root.post(f"/admin/moderation/ban/{ban.pk}/change/", {"reason": "other"}).status_code == 403
    assert as_root.post(f"/admin/moderation/ban/{ban.pk}/delete/", {"post": "yes"}).status_code == 403
    ban.refresh_from_db()
    assert ban.reason == "r"


def test_the_mute_form_mutes_through_the_service_and_mutes_are_lifted_from_the_list(as_mona, alice, mona):
    response = as_mona.post("/admin/chat/mute/add/", {"user": alice.pk, "duration": "1h", "reason": "flood"})
    assert response.status_code == 302, response.content.decode()
    mute = Mute.objects.active().get()
    assert (mute.user, mute.created_by, mute.reason) == (alice, mona, "flood")
    assert timedelta(minutes=59) < mute.until - timezone.now() <= timedelta(hours=1)
    response = act(as_mona, "/admin/chat/mute/", "lift_mutes", [mute.pk], reason="calmed down")
    assert page_messages(response)[-1] == f"Lifted the mutes of alice (id {alice.pk})"
    assert not Mute.objects.active().exists()
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == ["mute", "unmute"]


def test_hiding_messages_from_the_message_list(as_mona, alice, room):
    message = message_post(sender=alice, world=room, scope=Scope.WORLD, text="rude")
    response = act(as_mona, "/admin/chat/message/", "hide_messages", [message.pk], reason="insult")
    assert page_messages(response) == ["Hid 1 message(s)."]
    assert Message.objects.get().hidden_at is not None
    assert AuditEntry.objects.get().action == Action.HIDE_MESSAGE


# --- the report queue ---------------------------------------------------------------------------


def test_the_queue_shows_open_reports_unless_asked(as_mona, reports, mona):
    Report.objects.filter(pk=reports["player"].pk).update(status=ReportStatus.DISMISSED)
    page = as_mona.get("/admin/moderation/report/").content.decode()
    assert "insults" in page
    assert "follows me around" not in page
    assert "&lt;b&gt;you&lt;/b&gt;" in page  # the quoted message, escaped
    everything = as_mona.get("/admin/moderation/report/?status=all").content.decode()
    assert "insults" in everything
    assert "follows me around" in everything
    dismissed = as_mona.get("/admin/moderation/report/?status=dismissed").content.decode()
    assert "insults" not in dismissed
    assert "follows me around" in dismissed


def test_marking_reports_actioned_or_dismissed_with_a_note(as_mona, reports, mona):
    act(as_mona, "/admin/moderation/report/", "mark_actioned", [reports["message"].pk], reason="warned by mail")
    act(as_mona, "/admin/moderation/report/?status=all", "dismiss", [reports["player"].pk], reason="")
    message_report, player_report = (Report.objects.get(pk=reports[key].pk) for key in ("message", "player"))
    assert (message_report.status, message_report.note, message_report.handled_by) == (
        ReportStatus.ACTIONED, "warned by mail", mona
    )  # fmt: skip
    assert player_report.status == ReportStatus.DISMISSED
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == ["report_actioned", "report_dismissed"]


@pytest.mark.parametrize(
    ("action", "audited"),
    [
        ("kick_reported", Action.KICK),
        ("ban_reported_for_a_day", Action.BAN),
        ("mute_reported_for_an_hour", Action.MUTE),
        ("hide_reported_message", Action.HIDE_MESSAGE),
    ],
)
def test_quick_actions_act_on_the_reported_player_and_close_the_report(as_mona, reports, bob, action, audited):
    report = reports["message"]
    response = as_mona.post(
        "/admin/moderation/report/", {"action": action, "_selected_action": [report.pk]}, follow=True
    )
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.ACTIONED
    acted = AuditEntry.objects.get(action=audited)
    assert (acted.target, acted.reason) == (bob, f"Report #{report.pk}: insults")
    assert AuditEntry.objects.filter(action=Action.REPORT_ACTIONED, detail__report=report.pk).exists()


def test_hiding_the_message_of_a_report_about_a_player_is_refused(as_mona, reports):
    report = reports["player"]
    response = as_mona.post(
        "/admin/moderation/report/", {"action": "hide_reported_message", "_selected_action": [report.pk]}, follow=True
    )
    assert page_messages(response) == [f"Report #{report.pk}: it is about a player, not a message."]
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_reports_come_only_from_players(as_root, reports):
    before = set(Report.objects.values_list("pk", flat=True))
    assert as_root.get("/admin/moderation/report/add/").status_code == 403
    assert as_root.post(f"/admin/moderation/report/{reports['player'].pk}/delete/", {"post": "yes"}).status_code == 403
    assert set(Report.objects.values_list("pk", flat=True)) == before  # none made, none deleted


def test_a_mute_made_elsewhere_shows_in_the_list(as_mona, alice, root):
    chat_mute(user=alice, by=root, reason="flood", duration=timedelta(hours=1))
    assert "flood" in as_mona.get("/admin/chat/mute/").content.decode()
