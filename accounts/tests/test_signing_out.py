"""Sockets end with the session that opened them: logging out, a new password, a deactivation or a
deleted account close the user's world, chat and signal sockets at once with 4001 (they used to
stay open until the user closed the tab). Through the real ASGI application."""

import contextlib
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import expect_close, open_socket, receive_until, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Walk-Up-And-Talk-42"


async def closed_with_4001(socket: Any) -> str:
    """The `closing` (after whatever ticks came first) and the close frame; its message."""
    closing = await receive_until(socket, "closing")
    assert (closing["code"], closing["reason"]) == (4001, "not_authenticated")
    assert await socket.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4001,
        "reason": "not_authenticated",
    }
    return str(closing["message"])


async def still_open(socket: Any) -> None:
    """It answers (every kind of socket answers a message it does not know with an error)."""
    await socket.send_json_to({"type": "still-there?"})
    await receive_until(socket, "error", where=lambda message: message["code"] == "unknown_type")


def browser(user: User) -> tuple[Client, str]:
    """A logged-in browser: its client and its session cookie."""
    client = Client()
    client.force_login(user)
    return client, client.cookies["sessionid"].value


@pytest.fixture
def people(demo_worlds: Any) -> dict[str, User]:
    from conftest import make_user

    return {name: make_user(name) for name in ("alice", "bob")}


async def test_logging_out_closes_that_browsers_world_chat_and_signal_sockets_with_4001(people, sockets):
    laptop, laptop_cookie = await database_sync_to_async(browser)(people["alice"])
    phone_cookie = await database_sync_to_async(session_cookie)(people["alice"])
    on_laptop = await sockets.all_three(laptop_cookie)
    on_phone = await sockets.open("/ws/world/annex/", phone_cookie, first="welcome")
    bob = await sockets.open(
        "/ws/world/demo/", await database_sync_to_async(session_cookie)(people["bob"]), first="welcome"
    )

    response = await database_sync_to_async(laptop.post)(reverse("account_logout"))
    assert response.status_code == 302
    assert [await closed_with_4001(socket) for socket in on_laptop] == ["You logged out."] * 3
    # Her phone's session is still logged in, and so are its sockets; Bob never noticed.
    await still_open(on_phone)
    await still_open(bob)
    closed = await open_socket("/ws/world/demo/", cookie=laptop_cookie)
    await expect_close(closed, 4001)  # and the laptop's session lets no socket in again


async def test_a_password_change_closes_every_socket_of_the_user_with_4001(people, sockets):
    laptop, laptop_cookie = await database_sync_to_async(browser)(people["alice"])
    phone_cookie = await database_sync_to_async(session_cookie)(people["alice"])
    alices = [
        *await sockets.all_three(laptop_cookie),
        await sockets.open("/ws/world/annex/", phone_cookie, first="welcome"),
    ]
    bob = await sockets.open(
        "/ws/world/demo/", await database_sync_to_async(session_cookie)(people["bob"]), first="welcome"
    )

    response = await database_sync_to_async(laptop.post)(
        reverse("account_change_password"),
        {"oldpassword": "alice-Secret-Passw0rd", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert [await closed_with_4001(socket) for socket in alices] == ["Your password changed; log in again."] * 4
    await still_open(bob)


async def test_deactivating_a_user_closes_their_sockets_with_4001_once_it_commits(people, sockets):
    alice = people["alice"]
    alices = await sockets.all_three(await database_sync_to_async(session_cookie)(alice))

    def deactivate_and_roll_back() -> None:
        with contextlib.suppress(RuntimeError), transaction.atomic():
            alice.is_active = False
            alice.save()
            raise RuntimeError("the admin's request failed after the save")

    await database_sync_to_async(deactivate_and_roll_back)()
    for socket in alices:
        await still_open(socket)  # a rolled-back deactivation closes nothing

    def deactivate() -> None:
        with transaction.atomic():  # as the admin's change form saves
            alice.is_active = False
            alice.save()

    await database_sync_to_async(deactivate)()
    assert [await closed_with_4001(socket) for socket in alices] == ["Your account was deactivated."] * 3


async def test_deleting_a_user_closes_their_sockets_with_4001(people, sockets):
    alice = people["alice"]
    alices = await sockets.all_three(await database_sync_to_async(session_cookie)(alice))
    bob = await sockets.open(
        "/ws/world/demo/", await database_sync_to_async(session_cookie)(people["bob"]), first="welcome"
    )
    await database_sync_to_async(alice.delete)()
    assert [await closed_with_4001(socket) for socket in alices] == ["Your account was deleted."] * 3
    await still_open(bob)


async def test_saving_a_user_otherwise_leaves_their_sockets_open(people, sockets, settings):
    from django.contrib.auth.hashers import make_password

    alice = people["alice"]
    # Her password was stored with an older hasher: logging in upgrades the hash, which Django
    # does not count as a password change.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    alice.password = make_password("alice-Secret-Passw0rd", hasher="md5")
    await database_sync_to_async(alice.save)(update_fields=["password"])
    alices = await sockets.all_three(await database_sync_to_async(session_cookie)(alice))

    def everyday_saves() -> None:
        alice.first_name = "Alice"
        alice.save()  # a profile edit
        client = Client()  # another browser logs in: last_login, and the hash upgrade
        client.post(reverse("account_login"), {"login": "alice@example.org", "password": "alice-Secret-Passw0rd"})
        assert User.objects.get(pk=alice.pk).password.startswith("pbkdf2_sha256$")

    await database_sync_to_async(everyday_saves)()
    for socket in alices:
        await still_open(socket)
