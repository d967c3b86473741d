"""Signaling's services: the ICE servers for WebRTC peers — the configured STUN servers, and TURN
with time-limited credentials in coturn's REST scheme (`use-auth-secret`), so no TURN password is
ever stored — and the echo bot's user and session."""

import base64
import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction

from accounts.models import User
from metaverse.ratelimit import ADDRESS_LOCK_WAIT_SECONDS, Rate, address_bucket, rate_take
from players.services import player_for_user, player_update
from world.selectors import presence_live_anywhere


def turn_credentials(*, user_id: int, now: float | None = None) -> dict[str, Any]:
    """A TURN username and password coturn accepts until `now + TURN_TTL`.

    coturn checks them with the shared secret alone: the username is `<expiry unix time>:<user
    id>` and the password base64(HMAC-SHA1(secret, username)); past the expiry it refuses them.
    """
    expires = int(time.time() if now is None else now) + settings.TURN_TTL
    username = f"{expires}:{user_id}"
    digest = hmac.new(settings.TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return {"username": username, "credential": base64.b64encode(digest).decode("ascii"), "expires": expires}


def _stun_servers() -> list[dict[str, Any]]:
    return [{"urls": list(settings.STUN_URLS)}] if settings.STUN_URLS else []


def _turn_configured() -> bool:
    return bool(settings.TURN_URLS and settings.TURN_SECRET)


def _turn_server(*, user_id: int, now: float | None) -> dict[str, Any]:
    credentials = turn_credentials(user_id=user_id, now=now)
    username, credential = credentials["username"], credentials["credential"]
    return {"urls": list(settings.TURN_URLS), "username": username, "credential": credential}


def ice_servers(*, user_id: int, now: float | None = None) -> list[dict[str, Any]]:
    """The `iceServers` of an RTCConfiguration for this user, as browsers take it, with TURN
    credentials whatever the user is doing: for the server's own bots and checks. Browsers get
    theirs from `ice_servers_issue`."""
    servers = _stun_servers()
    if _turn_configured():
        servers.append(_turn_server(user_id=user_id, now=now))
    return servers


class Turn(StrEnum):
    """Whether an answer carries TURN credentials, and why not."""

    ISSUED = "issued"
    NOT_CONFIGURED = "not_configured"
    NOT_IN_WORLD = "not_in_world"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class IceServers:
    servers: list[dict[str, Any]]
    turn: Turn
    retry_after: int | None = None  # when RATE_LIMITED: seconds until the address may have more


def turn_bucket(*, address: str | None) -> str:
    return f"turn:{address_bucket(address)}"


def ice_servers_issue(*, user_id: int, address: str | None, now: float | None = None) -> IceServers:
    """The ICE servers for a browser. STUN for anyone logged in; TURN credentials only for a player
    in a world right now, and at most TURN_RATE_PER_HOUR an hour to one address (every server
    process together): each credential lets its holder take relay allocations for TURN_TTL
    seconds, and the relay has a fixed number of them."""
    stun = _stun_servers()
    if not _turn_configured():
        return IceServers(stun, Turn.NOT_CONFIGURED)
    if not presence_live_anywhere(user_id=user_id):
        return IceServers(stun, Turn.NOT_IN_WORLD)
    per_hour = settings.TURN_RATE_PER_HOUR
    rate = Rate(count=per_hour, seconds=3600, burst=per_hour)
    wait = rate_take(key=turn_bucket(address=address), rate=rate, lock_wait=ADDRESS_LOCK_WAIT_SECONDS)
    if wait > 0:
        return IceServers(stun, Turn.RATE_LIMITED, retry_after=math.ceil(wait))
    return IceServers([*stun, _turn_server(user_id=user_id, now=now)], Turn.ISSUED)


class BotUserTaken(Exception):
    """The bot's user name belongs to a person."""


ECHO_BOT_USERNAME = "echo-bot"


@transaction.atomic
def echo_bot_user(*, display_name: str) -> User:
    """The echo bot's user and player, made on first use and renamed to `display_name`.

    It is a plain user who can never log in (no password, no email): only the `echo_bot`
    command, which runs beside the server, opens sessions for it.
    """
    user = User.objects.select_for_update().filter(username=ECHO_BOT_USERNAME).first()
    if user is None:
        user = User(username=ECHO_BOT_USERNAME, email="")
        user.set_unusable_password()
        user.save()
    elif user.has_usable_password() or user.email or user.is_guest:
        raise BotUserTaken(f"the user name {ECHO_BOT_USERNAME!r} belongs to someone else; rename that user first")
    player = player_for_user(user=user)
    if player.display_name != display_name:
        player_update(player=player, display_name=display_name)
    return user


def echo_bot_id() -> int | None:
    """The echo bot's player id, if `manage.py echo_bot` ever ran here (whether it stands in a world
    now is the world's to say: `locate`)."""
    bots = User.objects.filter(
        username=ECHO_BOT_USERNAME, email="", is_guest=False, password__startswith=UNUSABLE_PASSWORD_PREFIX
    )  # as echo_bot_user() makes it: not a person who took the name
    return bots.values_list("pk", flat=True).first()


def bot_session_create(*, user: User) -> str:
    """A logged-in session for a bot, as the `sessionid` cookie carries it."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return str(session.session_key)
