"""Moderators cannot reach staff indirectly: not through an address ban (on connecting, nor when
the ban closes the address's sockets), and not by lifting or replacing a ban that a superuser or
an operator made."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async

from accounts.models import User
from conftest import expect_close, make_user, receive_until
from moderation.models import Action, AuditEntry, Ban
from moderation.selectors import ban_applying
from moderation.services import ModerationError, ban_create, ban_lift
from moderation.tests.conftest import presence_of
from moderation.tests.test_admin import act, page_messages
from moderation.tests.test_live import closed_with

ADDRESS = "203.0.113.7"


# --- on connecting --------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_are_exempt_from_address_bans_that_moderators_made_but_not_from_superusers_or_operators(
    alice, mona, root
):
    otto = make_user("otto", staff=True)
    by_mona = ban_create(user=alice, by=mona, reason="", ip=ADDRESS)
    assert ban_applying(user_id=root.pk, address=ADDRESS, staff=True) is None
    assert ban_applying(user_id=otto.pk, address=ADDRESS, staff=True) is None
    assert ban_applying(user_id=otto.pk, address=ADDRESS) == (by_mona, True)  # as for a player

    by_operator = ban_create(user=alice, by=None, reason="", ip=ADDRESS)
    assert ban_applying(user_id=otto.pk, address=ADDRESS, staff=True) == (by_operator, True)
    ban_lift(ban=by_operator, by=None)
    ban_create(user=alice, by=root, reason="", ip=ADDRESS)
    assert ban_applying(user_id=otto.pk, address=ADDRESS, staff=True) is not None


# --- lifting and replacing ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("maker", ["operator", "root"])
def test_only_a_superuser_lifts_a_ban_that_a_superuser_or_an_operator_made(alice, mona, root, maker):
    otto = make_user("otto", staff=True)
    ban = ban_create(user=otto, by=None if maker == "operator" else root, reason="for good")
    assert ban.by_superuser
    with pytest.raises(ModerationError, match="Only a superuser can lift") as refused:
        ban_lift(ban=ban, by=mona, reason="I like otto")
    assert refused.value.code == "superuser_ban"
    assert Ban.objects.active().get() == ban
    assert not AuditEntry.objects.filter(action=Action.UNBAN).exists()
    assert ban_lift(ban=ban, by=root, reason="appeal")
    assert not Ban.objects.active().exists()


@pytest.mark.django_db
def test_a_moderator_still_lifts_a_moderators_ban(alice, mona):
    ban = ban_create(user=alice, by=mona, reason="")
    assert not ban.by_superuser
    other = make_user("mod2", staff=True)
    other.groups.add(*mona.groups.all())
    assert ban_lift(ban=ban, by=other)


@pytest.mark.django_db
def test_a_moderator_cannot_shorten_an_operators_ban_by_replacing_it(alice, mona):
    ban = ban_create(user=alice, by=None, reason="for good")
    with pytest.raises(ModerationError, match="Only a superuser can replace"):
        ban_create(user=alice, by=mona, reason="an hour will do", duration=timedelta(hours=1))
    assert list(Ban.objects.active()) == [ban]


@pytest.mark.django_db
def test_lifting_an_operators_ban_from_the_admin_is_refused_for_a_moderator(client, alice, bob, mona):
    mine = ban_create(user=alice, by=mona, reason="r")
    operators = ban_create(user=bob, by=None, reason="r")
    client.force_login(mona)
    response = act(client, "/admin/moderation/ban/", "lift_bans", [mine.pk, operators.pk], reason="")
    assert page_messages(response) == [
        f"Lifted the bans of alice (id {alice.pk})",
        f"bob (id {bob.pk}): Only a superuser can lift a ban that a superuser or an operator made.",
    ]
    assert list(Ban.objects.active()) == [operators]


@pytest.mark.django_db
def test_the_ban_form_refuses_to_replace_an_operators_ban_for_a_moderator(client, alice, mona):
    ban_create(user=alice, by=None, reason="for good")
    client.force_login(mona)
    response = client.post("/admin/moderation/ban/add/", {"user": alice.pk, "duration": "1h", "reason": "r"})
    assert response.status_code == 200
    assert "Only a superuser can replace" in response.content.decode()
    assert Ban.objects.count() == 1


# --- on open sockets ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_moderators_address_ban_leaves_a_superuser_on_that_address_connected(
    demo_worlds, cookies, mona, sockets
):
    gus_cookie = await database_sync_to_async(cookies)("gus", guest=True)
    root_cookie = await database_sync_to_async(cookies)("root", staff=True, is_superuser=True)
    gus, root = [await database_sync_to_async(User.objects.get)(username=name) for name in ("gus", "root")]
    gus_world = await sockets.open("/ws/world/demo/", gus_cookie, address=ADDRESS)
    await receive_until(gus_world, "welcome")
    root_world = await sockets.open("/ws/world/demo/", root_cookie, address=ADDRESS)
    await receive_until(root_world, "welcome")
    await presence_of(root)

    await database_sync_to_async(ban_create)(user=gus, by=mona, reason="trolling", ip=ADDRESS)
    await closed_with(gus_world, 4003)
    await asyncio.sleep(0.3)  # the address's other sockets are closed right after the banned user's
    await root_world.send_json_to({"type": "ping", "t": 7})
    seen = [(await root_world.receive_json_from(timeout=3))["type"]]
    while seen[-1] not in ("pong", "closing"):
        seen.append((await root_world.receive_json_from(timeout=3))["type"])
    assert seen[-1] == "pong"  # still open: no closing came first
    entry = await database_sync_to_async(AuditEntry.objects.get)(action=Action.BAN)
    assert entry.detail["also_closed"] == []

    # And connecting again from that address works for the superuser, not for a new guest.
    again = await sockets.open("/ws/chat/demo/", root_cookie, address=ADDRESS)
    assert (await receive_until(again, "history"))["type"] == "history"
    newcomer = await database_sync_to_async(cookies)("gus2", guest=True)
    await expect_close(await sockets.open("/ws/world/demo/", newcomer, address=ADDRESS), 4003)
